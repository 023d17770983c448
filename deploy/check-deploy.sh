#!/usr/bin/env bash
# Checks the scheduling and packaging examples under deploy/ as far as this machine allows:
# the Kubernetes CronJob against Kubernetes' own schema, the Airflow DAG's syntax and command,
# the systemd units, the Dockerfile (built where a container engine runs, otherwise linted),
# and the cron line's fields. Exits 1 on the first problem, naming it.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.build/deploy-venv
if [ ! -x "$venv/bin/kubernetes-validate" ]; then
  python3 -m venv "$venv" && "$venv/bin/pip" install -q kubernetes-validate dockerfile-parse
fi

echo "kubernetes: deploy/kubernetes/cronjob.yaml against the schema of Kubernetes 1.30 (strict)"
"$venv/bin/kubernetes-validate" --strict -k 1.30.0 deploy/kubernetes/cronjob.yaml
grep -q 'command: \["phasecast"\]' deploy/kubernetes/cronjob.yaml \
  || { echo "the CronJob must name the binary in command: (an image without ENTRYPOINT runs args alone)"; exit 1; }

for job in shards-job merge-job; do
  echo "kubernetes: deploy/kubernetes/$job.yaml against the schema of Kubernetes 1.30 (strict)"
  "$venv/bin/kubernetes-validate" --strict -k 1.30.0 "deploy/kubernetes/$job.yaml"
done
grep -q 'completionMode: Indexed' deploy/kubernetes/shards-job.yaml \
  && grep -q -- '--shard-count 4' deploy/kubernetes/shards-job.yaml && grep -q 'completions: 4' deploy/kubernetes/shards-job.yaml \
  || { echo "the shards Job must be Indexed with completions equal to --shard-count"; exit 1; }
grep -q 'phasecast merge ' deploy/kubernetes/merge-job.yaml || { echo "the merge Job must run phasecast merge"; exit 1; }

echo "airflow: deploy/airflow/phasecast_nightly.py compiles and runs phasecast run"
python3 -m py_compile deploy/airflow/phasecast_nightly.py
grep -q 'BashOperator' deploy/airflow/phasecast_nightly.py && grep -q 'phasecast run ' deploy/airflow/phasecast_nightly.py

echo "systemd: the units verify"
if command -v systemd-analyze >/dev/null 2>&1; then
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
  printf '#!/bin/sh\nexit 0\n' > "$scratch/phasecast" && chmod +x "$scratch/phasecast"
  for unit in deploy/systemd/*; do
    sed "s#/usr/local/bin/phasecast#$scratch/phasecast#; /^Documentation=/d" "$unit" > "$scratch/$(basename "$unit")"
  done
  (cd "$scratch" && SYSTEMD_LOG_LEVEL=err systemd-analyze verify --man=no phasecast-nightly.service phasecast-nightly.timer)
else
  echo "  systemd-analyze not installed: not verified"
fi

echo "docker: deploy/docker/Dockerfile"
if docker info >/dev/null 2>&1; then
  docker build -q -f deploy/docker/Dockerfile -t phasecast-check . && docker run --rm phasecast-check --version
else
  echo "  no container engine here: linted only"
  "$venv/bin/python" - <<'PY'
import sys
from dockerfile_parse import DockerfileParser
parser = DockerfileParser(path="deploy/docker/Dockerfile")
instructions = parser.structure
froms = [i["value"] for i in instructions if i["instruction"] == "FROM"]
problems = []
if len(froms) < 2 or " AS build" not in froms[0]:
    problems.append("expected a multi-stage build: FROM swift… AS build, then a runtime stage")
if not froms[-1].startswith("debian:"):
    problems.append("the runtime stage should be slim Debian")
entry = [i["value"] for i in instructions if i["instruction"] == "ENTRYPOINT"]
if entry != ['["phasecast"]']:
    problems.append(f"ENTRYPOINT should be [\"phasecast\"], is {entry}")
runs = " ".join(i["value"] for i in instructions if i["instruction"] == "RUN")
for package in ("libsqlite3-dev", "zlib1g-dev", "libsqlite3-0", "zlib1g"):
    if package not in runs:
        problems.append(f"{package} is not installed")
if any(i["instruction"] == "USER" and i["value"] == "root" for i in instructions) or not any(
        i["instruction"] == "USER" for i in instructions):
    problems.append("the runtime stage should run as an unprivileged user")
for problem in problems:
    print("  Dockerfile:", problem)
sys.exit(1 if problems else 0)
PY
fi

echo "cron: deploy/cron/phasecast"
line=$(grep -E '^[0-9*]' deploy/cron/phasecast)
set -f; set -- $line; set +f
[ "$#" -ge 7 ] && [ "$6" = "phasecast" ] || { echo "  a cron.d line is minute hour day month weekday USER command"; exit 1; }
if grep -q '^CRON_TZ' deploy/cron/phasecast; then echo "  Debian's cron ignores CRON_TZ"; exit 1; fi
echo "deploy examples: ok"
