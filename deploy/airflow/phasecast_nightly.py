"""The phasecast nightly capacity report as an Airflow DAG, for teams that schedule with Airflow.

Copy into the DAGs folder; the worker needs the phasecast binary, the pipeline file and the
database's folder. One task: `phasecast run` under the database's run lock. Its exit status
fails the task when it is not 0 (65 a bad log, 69 no new or too old data, 75 the database busy,
78 the pipeline file wrong); the report is written in every case but 75 and 78.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG(
    dag_id="phasecast_nightly",
    description="Prefill and decode GPUs needed: phasecast's nightly capacity report",
    schedule="30 2 * * *",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 0, "execution_timeout": timedelta(hours=2)},
    tags=["capacity", "phasecast"],
) as dag:
    BashOperator(
        task_id="phasecast_run",
        bash_command=(
            "cd /var/lib/phasecast && TZ=UTC phasecast run /etc/phasecast/nightly.toml "
            "--wait 600 --json --metrics-file /var/lib/phasecast/phasecast.prom"
        ),
    )
