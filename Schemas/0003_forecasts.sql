-- 0003_forecasts: what `phasecast forecast --db` stores. Every run keeps its forecasts (a
-- ledger), so later runs can score them against what happened.

CREATE TABLE forecast_runs (
    run_id        INTEGER PRIMARY KEY,
    created_at    TEXT NOT NULL,     -- ISO 8601 UTC
    horizon_days  INTEGER NOT NULL,
    cutoff_day    INTEGER NOT NULL,  -- last whole day of history used (days since the epoch, rollup time zone)
    notes         TEXT NOT NULL      -- what the run decided and why, one note a line
) STRICT;

-- One row per series forecast in a run. series: gpu_hours (daily GPU-hours of a phase), tokens
-- (daily tokens: prefill tokens, or output tokens for decode), peak_hour_gpu_hours (the busiest
-- hour's GPU-hours of each day). model_id 0 is all models together.
CREATE TABLE forecast_series (
    run_id        INTEGER NOT NULL REFERENCES forecast_runs (run_id),
    series        TEXT NOT NULL CHECK (series IN ('gpu_hours', 'tokens', 'peak_hour_gpu_hours')),
    phase         TEXT NOT NULL CHECK (phase IN ('prefill', 'decode')),
    model_id      INTEGER NOT NULL,
    method        TEXT NOT NULL,     -- the forecasting method the backtest chose
    backtest_mase REAL,              -- its mean MASE in that backtest (NULL: too short to backtest)
    history_days  INTEGER NOT NULL,
    notes         TEXT NOT NULL,     -- what the forecaster decided for this series, one note a line
    PRIMARY KEY (run_id, series, phase, model_id)
) STRICT, WITHOUT ROWID;

-- One row per forecast day of one series.
CREATE TABLE forecasts (
    run_id        INTEGER NOT NULL,
    series        TEXT NOT NULL,
    phase         TEXT NOT NULL,
    model_id      INTEGER NOT NULL,
    day           INTEGER NOT NULL,
    yhat          REAL NOT NULL,
    lo80          REAL NOT NULL,
    hi80          REAL NOT NULL,
    lo95          REAL NOT NULL,
    hi95          REAL NOT NULL,
    PRIMARY KEY (run_id, series, phase, model_id, day),
    FOREIGN KEY (run_id, series, phase, model_id) REFERENCES forecast_series (run_id, series, phase, model_id)
) STRICT, WITHOUT ROWID;

-- Every stored forecast, readable: dates as ISO days, the model by name ('all' for the total).
CREATE VIEW v_forecasts AS
SELECT
    f.run_id,
    r.created_at,
    f.series,
    f.phase,
    CASE f.model_id WHEN 0 THEN 'all' ELSE m.name END AS model,
    date(r.cutoff_day * 86400, 'unixepoch') AS cutoff,
    date(f.day * 86400, 'unixepoch') AS ds,
    f.yhat, f.lo80, f.hi80, f.lo95, f.hi95,
    s.method AS forecasting_model,
    s.backtest_mase
FROM forecasts f
JOIN forecast_runs r ON r.run_id = f.run_id
JOIN forecast_series s ON s.run_id = f.run_id AND s.series = f.series AND s.phase = f.phase AND s.model_id = f.model_id
LEFT JOIN models m ON m.model_id = f.model_id;

-- The latest run's forecasts only.
CREATE VIEW v_forecasts_latest AS
SELECT * FROM v_forecasts WHERE run_id = (SELECT MAX(run_id) FROM forecast_runs);
