-- 0004_plans: what `phasecast run` keeps: which pipeline made each forecast (one forecast per
-- pipeline and cutoff day, so re-running a night replaces nothing and adds nothing), the scale
-- to score forecasts against what happened, the capacity plans, and a log of pipeline runs.

ALTER TABLE forecast_runs ADD COLUMN pipeline TEXT NOT NULL DEFAULT '';
-- Digest of what the forecast was made from (the series, horizon, events, forecaster version):
-- the same digest for the same pipeline and cutoff means the stored run is reused.
ALTER TABLE forecast_runs ADD COLUMN input_digest TEXT NOT NULL DEFAULT '';
-- Mean absolute weekly difference of the series' history: the denominator of its MASE.
ALTER TABLE forecast_series ADD COLUMN mase_scale REAL;

CREATE INDEX forecast_runs_by_pipeline ON forecast_runs (pipeline, cutoff_day);

-- The newest forecast: the run with the latest cutoff (backfilled runs have earlier ones), the
-- last made of those.
DROP VIEW v_forecasts_latest;
CREATE VIEW v_forecasts_latest AS
SELECT * FROM v_forecasts
WHERE run_id = (SELECT run_id FROM forecast_runs ORDER BY cutoff_day DESC, run_id DESC LIMIT 1);

-- Busy GPU-hours per hour, model (0: all) and phase, keyed by integers for joins: `hour` and
-- `day` count hours and days since the epoch in the rollups' time zone.
CREATE VIEW v_hourly_gpu_hours AS
WITH costed AS (
    SELECT h.hour, h.day, h.model_id,
        (h.prefill_tokens * c.prefill_s_per_token
            + (h.prefill_cached + h.prefill_sq / 2.0) * c.prefill_s_per_attention_pair) / 3600.0 AS prefill_gpu_hours,
        (h.output_tokens * c.decode_s_per_token + h.output_context * c.decode_s_per_context_token) / 3600.0
            AS decode_gpu_hours
    FROM mart_hourly_phase h
    JOIN model_costs c ON c.model_id = h.model_id
    WHERE h.model_id <> 0
)
SELECT hour, day, model_id, prefill_gpu_hours, decode_gpu_hours FROM costed
UNION ALL
SELECT hour, day, 0, SUM(prefill_gpu_hours), SUM(decode_gpu_hours) FROM costed GROUP BY hour, day;

-- Every stored forecast of a day that has since been observed whole, beside what happened.
CREATE VIEW v_forecast_errors AS
WITH whole_days AS (
    SELECT day, model_id, prefill_tokens, output_tokens FROM mart_daily_phase WHERE coverage >= 0.98
), daily_gpu_hours AS (
    SELECT day, model_id, SUM(prefill_gpu_hours) AS prefill, SUM(decode_gpu_hours) AS decode
    FROM v_hourly_gpu_hours GROUP BY day, model_id
), actual AS (
    SELECT day, model_id, 'gpu_hours' AS series, 'prefill' AS phase, g.prefill AS value
    FROM whole_days JOIN daily_gpu_hours g USING (day, model_id)
    UNION ALL
    SELECT day, model_id, 'gpu_hours', 'decode', g.decode FROM whole_days JOIN daily_gpu_hours g USING (day, model_id)
    UNION ALL
    SELECT day, model_id, 'tokens', 'prefill', prefill_tokens FROM whole_days
    UNION ALL
    SELECT day, model_id, 'tokens', 'decode', output_tokens FROM whole_days
)
SELECT
    f.run_id,
    r.pipeline,
    f.series,
    f.phase,
    CASE f.model_id WHEN 0 THEN 'all' ELSE m.name END AS model,
    date(r.cutoff_day * 86400, 'unixepoch') AS cutoff,
    date(f.day * 86400, 'unixepoch') AS ds,
    f.day - r.cutoff_day AS horizon_days,
    f.yhat,
    a.value AS actual,
    ABS(a.value - f.yhat) AS abs_error,
    ABS(a.value - f.yhat) / NULLIF(s.mase_scale, 0) AS scaled_error,
    (a.value BETWEEN f.lo80 AND f.hi80) AS inside80,
    (a.value BETWEEN f.lo95 AND f.hi95) AS inside95,
    s.method AS forecasting_model
FROM forecasts f
JOIN forecast_runs r ON r.run_id = f.run_id
JOIN forecast_series s ON s.run_id = f.run_id AND s.series = f.series AND s.phase = f.phase AND s.model_id = f.model_id
JOIN actual a ON a.day = f.day AND a.model_id = f.model_id AND a.series = f.series AND a.phase = f.phase
LEFT JOIN models m ON m.model_id = f.model_id;

-- GPUs a pipeline's plan calls for, as of the last day of data it saw: one row per scenario
-- ('baseline' first), horizon, quantile, phase and GPU type. Re-running a night writes the same
-- rows again.
CREATE TABLE capacity_plans (
    pipeline          TEXT NOT NULL,
    as_of_day         INTEGER NOT NULL,  -- the forecast's cutoff (days since the epoch)
    forecast_run_id   INTEGER NOT NULL,
    scenario          TEXT NOT NULL,
    horizon           TEXT NOT NULL,     -- 7d, 30d, 90d, quarter, next-quarter, or 'today'
    horizon_end_day   INTEGER NOT NULL,
    quantile          INTEGER NOT NULL,  -- 50, 90, 95
    phase             TEXT NOT NULL CHECK (phase IN ('prefill', 'decode', 'aggregated')),
    gpu               TEXT NOT NULL,
    workers           INTEGER NOT NULL,  -- with spares
    gpus              INTEGER NOT NULL,  -- on whole nodes
    nodes             INTEGER NOT NULL,
    dollars_per_month REAL NOT NULL,
    PRIMARY KEY (pipeline, as_of_day, scenario, horizon, quantile, phase, gpu)
) STRICT, WITHOUT ROWID;

-- One row per `phasecast run`: a log, so that every invocation is on record (re-running a
-- night adds a row here and changes nothing else).
CREATE TABLE pipeline_runs (
    run_id       INTEGER PRIMARY KEY,
    pipeline     TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    finished_at  TEXT,
    as_of_day    INTEGER,
    exit_code    INTEGER,
    stages       TEXT NOT NULL DEFAULT '',  -- one line per stage: name, seconds, exit code, note
    report       TEXT                       -- the report's folder
) STRICT;
