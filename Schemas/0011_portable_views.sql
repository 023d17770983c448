-- The documented views in SQL that SQLite, Datasette and DuckDB's SQLite scanner all read
-- alike, with typed columns in DuckDB. DuckDB binds a SQLite view itself (its parser, its
-- functions, its semantics), so the views avoid what the two engines do differently or only
-- one has: no date(), strftime() or printf() (dates and clock text come from two small lookup
-- tables), no TOTAL() (a SUM of DOUBLE values instead, which cannot overflow either; REAL is
-- 32 bits in DuckDB), no `||` on numbers without a CAST, no NULLIF, and no bare integer
-- division (DuckDB's `/` divides exactly): whole quotients are written (a - a % b) / b and
-- cast to an integer.

-- Days since the epoch and their dates, 2010 to 2060 (a day outside has no date text; its
-- *_key column still has the day).
CREATE TABLE calendar_days (
    day  INTEGER PRIMARY KEY,
    date TEXT NOT NULL
) STRICT;
WITH RECURSIVE d(day) AS (SELECT 14610 UNION ALL SELECT day + 1 FROM d WHERE day < 33237)
INSERT INTO calendar_days SELECT day, date(day * 86400, 'unixepoch') FROM d;

-- 0 to 59 as two digits, for hours, minutes and seconds.
CREATE TABLE clock_digits (
    n    INTEGER PRIMARY KEY,
    text TEXT NOT NULL
) STRICT;
WITH RECURSIVE c(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM c WHERE n < 59)
INSERT INTO clock_digits SELECT n, substr('0' || n, -2) FROM c;

-- The day's UTC offset as "Z" or "+05:30", from settings.
CREATE VIEW v_utc_offset AS
WITH tz AS (
    SELECT COALESCE((SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'utc_offset_minutes'), 0) AS minutes
)
SELECT
    tz.minutes,
    CASE WHEN tz.minutes = 0 THEN 'Z'
        ELSE (CASE WHEN tz.minutes < 0 THEN '-' ELSE '+' END) || h.text || ':' || m.text END AS suffix
FROM tz
LEFT JOIN clock_digits h ON h.n = CAST((abs(tz.minutes) - abs(tz.minutes) % 60) / 60 AS INTEGER)
LEFT JOIN clock_digits m ON m.n = abs(tz.minutes) % 60;

DROP VIEW v_daily_phase;
CREATE VIEW v_daily_phase AS
WITH costed AS (
    SELECT d.*, g.prefill_gpu_hours, g.decode_gpu_hours, g.profile
    FROM mart_daily_phase d
    LEFT JOIN mart_phase_gpu_hours g ON g.grain = 'day' AND g.period = d.day AND g.model_id = d.model_id
    WHERE d.model_id <> 0
), totals AS (
    SELECT day, SUM(prefill_gpu_hours) AS prefill_gpu_hours, SUM(decode_gpu_hours) AS decode_gpu_hours
    FROM costed GROUP BY day
), unioned AS (
    SELECT costed.*, m.name AS model FROM costed JOIN models m ON m.model_id = costed.model_id
    UNION ALL
    SELECT d.*, t.prefill_gpu_hours, t.decode_gpu_hours, NULL AS profile, 'all' AS model
    FROM mart_daily_phase d LEFT JOIN totals t ON t.day = d.day
    WHERE d.model_id = 0
)
SELECT
    c.date AS day,
    (unioned.day * 86400 - tz.minutes * 60) * 1000000 AS day_start_us,
    unioned.model, unioned.coverage, unioned.requests, unioned.failed, unioned.prompt_tokens, unioned.cached_tokens,
    unioned.prefill_tokens, unioned.output_tokens, unioned.token_ratio, unioned.raw_token_ratio,
    unioned.prompt_p50, unioned.prompt_p90, unioned.prompt_p99, unioned.output_p50, unioned.output_p90, unioned.output_p99,
    unioned.peak_minute_prefill_tps, unioned.peak_minute_output_tps, unioned.peak_hour_prefill_tps, unioned.peak_hour_output_tps,
    unioned.prefill_gpu_hours, unioned.decode_gpu_hours,
    CASE WHEN unioned.decode_gpu_hours = 0 THEN NULL ELSE unioned.prefill_gpu_hours / unioned.decode_gpu_hours END
        AS gpu_time_ratio,
    unioned.profile,
    unioned.day AS day_key
FROM unioned
CROSS JOIN v_utc_offset tz
LEFT JOIN calendar_days c ON c.day = unioned.day;

DROP VIEW v_hourly_phase;
CREATE VIEW v_hourly_phase AS
WITH costed AS (
    SELECT h.*, g.prefill_gpu_hours, g.decode_gpu_hours, g.profile
    FROM mart_hourly_phase h
    LEFT JOIN mart_phase_gpu_hours g ON g.grain = 'hour' AND g.period = h.hour AND g.model_id = h.model_id
    WHERE h.model_id <> 0
), totals AS (
    SELECT hour, SUM(prefill_gpu_hours) AS prefill_gpu_hours, SUM(decode_gpu_hours) AS decode_gpu_hours
    FROM costed GROUP BY hour
), unioned AS (
    SELECT costed.*, m.name AS model FROM costed JOIN models m ON m.model_id = costed.model_id
    UNION ALL
    SELECT h.*, t.prefill_gpu_hours, t.decode_gpu_hours, NULL AS profile, 'all' AS model
    FROM mart_hourly_phase h LEFT JOIN totals t ON t.hour = h.hour
    WHERE h.model_id = 0
)
SELECT
    c.date || 'T' || hh.text || ':00' || tz.suffix AS hour,
    (unioned.hour * 3600 - tz.minutes * 60) * 1000000 AS hour_start_us,
    unioned.model, unioned.coverage, unioned.requests, unioned.failed, unioned.prompt_tokens, unioned.cached_tokens,
    unioned.prefill_tokens, unioned.output_tokens, unioned.token_ratio, unioned.raw_token_ratio,
    unioned.prompt_p50, unioned.prompt_p90, unioned.prompt_p99, unioned.output_p50, unioned.output_p90, unioned.output_p99,
    unioned.peak_minute_prefill_tps, unioned.peak_minute_output_tps,
    unioned.prefill_gpu_hours, unioned.decode_gpu_hours,
    CASE WHEN unioned.decode_gpu_hours = 0 THEN NULL ELSE unioned.prefill_gpu_hours / unioned.decode_gpu_hours END
        AS gpu_time_ratio,
    unioned.profile,
    unioned.hour AS hour_key,
    unioned.day AS day_key
FROM unioned
CROSS JOIN v_utc_offset tz
LEFT JOIN calendar_days c ON c.day = CAST((unioned.hour - unioned.hour % 24) / 24 AS INTEGER)
LEFT JOIN clock_digits hh ON hh.n = unioned.hour % 24;

DROP VIEW v_hourly_gpu_hours;
CREATE VIEW v_hourly_gpu_hours AS
WITH costed AS (
    SELECT period AS hour, day, model_id, prefill_gpu_hours, decode_gpu_hours
    FROM mart_phase_gpu_hours WHERE grain = 'hour'
)
SELECT hour, day, model_id, prefill_gpu_hours, decode_gpu_hours FROM costed
UNION ALL
SELECT hour, day, 0 AS model_id, SUM(prefill_gpu_hours) AS prefill_gpu_hours, SUM(decode_gpu_hours) AS decode_gpu_hours
FROM costed GROUP BY hour, day;

DROP VIEW v_forecasts_latest;
DROP VIEW v_forecasts;
CREATE VIEW v_forecasts AS
SELECT
    f.run_id,
    r.created_at,
    f.series,
    f.phase,
    CASE f.model_id WHEN 0 THEN 'all' ELSE m.name END AS model,
    cc.date AS cutoff,
    cd.date AS ds,
    f.yhat, f.lo80, f.hi80, f.lo95, f.hi95,
    s.method AS forecasting_model,
    s.backtest_mase
FROM forecasts f
JOIN forecast_runs r ON r.run_id = f.run_id
JOIN forecast_series s ON s.run_id = f.run_id AND s.series = f.series AND s.phase = f.phase AND s.model_id = f.model_id
LEFT JOIN models m ON m.model_id = f.model_id
LEFT JOIN calendar_days cc ON cc.day = r.cutoff_day
LEFT JOIN calendar_days cd ON cd.day = f.day;

CREATE VIEW v_forecasts_latest AS
SELECT * FROM v_forecasts
WHERE run_id = (SELECT run_id FROM forecast_runs ORDER BY cutoff_day DESC, run_id DESC LIMIT 1);

DROP VIEW v_forecast_errors;
CREATE VIEW v_forecast_errors AS
WITH whole_days AS (
    SELECT day, model_id, prefill_tokens, output_tokens FROM mart_daily_phase WHERE coverage >= 0.98
), daily_gpu_hours AS (
    SELECT day, model_id, SUM(prefill_gpu_hours) AS prefill, SUM(decode_gpu_hours) AS decode
    FROM v_hourly_gpu_hours GROUP BY day, model_id
), actual AS (
    SELECT w.day, w.model_id, 'gpu_hours' AS series, 'prefill' AS phase, CAST(g.prefill AS DOUBLE) AS value
    FROM whole_days w JOIN daily_gpu_hours g ON g.day = w.day AND g.model_id = w.model_id
    UNION ALL
    SELECT w.day, w.model_id, 'gpu_hours', 'decode', CAST(g.decode AS DOUBLE)
    FROM whole_days w JOIN daily_gpu_hours g ON g.day = w.day AND g.model_id = w.model_id
    UNION ALL
    SELECT day, model_id, 'tokens', 'prefill', CAST(prefill_tokens AS DOUBLE) FROM whole_days
    UNION ALL
    SELECT day, model_id, 'tokens', 'decode', CAST(output_tokens AS DOUBLE) FROM whole_days
)
SELECT
    f.run_id,
    r.pipeline,
    f.series,
    f.phase,
    CASE f.model_id WHEN 0 THEN 'all' ELSE m.name END AS model,
    cc.date AS cutoff,
    cd.date AS ds,
    f.day - r.cutoff_day AS horizon_days,
    f.yhat,
    a.value AS actual,
    abs(a.value - f.yhat) AS abs_error,
    CASE WHEN s.mase_scale = 0 THEN NULL ELSE abs(a.value - f.yhat) / s.mase_scale END AS scaled_error,
    CASE WHEN a.value BETWEEN f.lo80 AND f.hi80 THEN 1 ELSE 0 END AS inside80,
    CASE WHEN a.value BETWEEN f.lo95 AND f.hi95 THEN 1 ELSE 0 END AS inside95,
    s.method AS forecasting_model
FROM forecasts f
JOIN forecast_runs r ON r.run_id = f.run_id
JOIN forecast_series s ON s.run_id = f.run_id AND s.series = f.series AND s.phase = f.phase AND s.model_id = f.model_id
JOIN actual a ON a.day = f.day AND a.model_id = f.model_id AND a.series = f.series AND a.phase = f.phase
LEFT JOIN models m ON m.model_id = f.model_id
LEFT JOIN calendar_days cc ON cc.day = r.cutoff_day
LEFT JOIN calendar_days cd ON cd.day = f.day;

DROP VIEW v_requests;
CREATE VIEW v_requests AS
SELECT
    c.date || 'T' || hh.text || ':' || mm.text || ':' || ss.text || '.'
        || substr(CAST(1000000 + r.ts_us % 1000000 AS TEXT), 2) || 'Z' AS ts_utc,
    r.ts_us                                       AS ts_us,
    m.name                                        AS model,
    r.prompt_tokens                               AS prompt_tokens,
    r.cached_tokens                               AS cached_tokens,
    r.prompt_tokens - r.cached_tokens             AS prefill_tokens,
    r.output_tokens                               AS output_tokens,
    CASE r.status WHEN 0 THEN 'ok' ELSE 'failed' END AS status,
    f.path                                        AS source_path,
    r.line                                        AS line
FROM requests r
JOIN models m ON m.model_id = r.model_id
JOIN source_files f ON f.file_id = r.file_id
LEFT JOIN calendar_days c ON c.day = CAST((r.ts_us - r.ts_us % 86400000000) / 86400000000 AS INTEGER)
LEFT JOIN clock_digits hh ON hh.n = CAST((r.ts_us % 86400000000 - r.ts_us % 3600000000) / 3600000000 AS INTEGER)
LEFT JOIN clock_digits mm ON mm.n = CAST((r.ts_us % 3600000000 - r.ts_us % 60000000) / 60000000 AS INTEGER)
LEFT JOIN clock_digits ss ON ss.n = CAST((r.ts_us % 60000000 - r.ts_us % 1000000) / 1000000 AS INTEGER);

DROP VIEW v_request_minutes;
CREATE VIEW v_request_minutes AS
WITH minutes AS (
    SELECT
        rm.minute,
        rm.model_id,
        SUM(rm.requests * f.sample_rate)        AS requests,
        SUM(rm.failed * f.sample_rate)          AS failed,
        SUM(rm.prompt_tokens * f.sample_rate)   AS prompt_tokens,
        SUM(rm.cached_tokens * f.sample_rate)   AS cached_tokens,
        SUM(rm.prefill_tokens * f.sample_rate)  AS prefill_tokens,
        COALESCE(SUM(CAST(rm.prefill_sq AS DOUBLE) * f.sample_rate), 0.0)     AS prefill_sq,
        COALESCE(SUM(CAST(rm.prefill_cached AS DOUBLE) * f.sample_rate), 0.0) AS prefill_cached,
        SUM(rm.output_tokens * f.sample_rate)   AS output_tokens,
        COALESCE(SUM(CAST(rm.output_prompt AS DOUBLE) * f.sample_rate), 0.0) AS output_prompt,
        COALESCE(SUM(CAST(rm.output_sq AS DOUBLE) * f.sample_rate), 0.0)     AS output_sq
    FROM request_minutes rm
    JOIN source_files f ON f.file_id = rm.file_id
    GROUP BY rm.minute, rm.model_id
)
SELECT
    c.date || 'T' || hh.text || ':' || mm.text || ':00Z' AS minute,
    x.minute * 60000000                    AS minute_us,
    m.name                                 AS model,
    x.requests, x.failed, x.prompt_tokens, x.cached_tokens, x.prefill_tokens, x.prefill_sq, x.prefill_cached,
    x.output_tokens,
    x.output_prompt + x.output_sq / 2.0    AS output_context,
    x.output_prompt, x.output_sq
FROM minutes x
JOIN models m ON m.model_id = x.model_id
LEFT JOIN calendar_days c ON c.day = CAST((x.minute - x.minute % 1440) / 1440 AS INTEGER)
LEFT JOIN clock_digits hh ON hh.n = CAST((x.minute % 1440 - x.minute % 60) / 60 AS INTEGER)
LEFT JOIN clock_digits mm ON mm.n = x.minute % 60;

DROP VIEW v_source_files;
CREATE VIEW v_source_files AS
SELECT
    f.path, f.fingerprint, f.format, f.rows, f.rejected, f.bytes, f.loaded_at, f.status, f.error,
    f.skipped, f.raw_rows, f.uncompressed_bytes, f.compressed,
    c1.date || 'T' || h1.text || ':' || m1.text || ':' || s1.text || 'Z' AS first_ts_utc,
    c2.date || 'T' || h2.text || ':' || m2.text || ':' || s2.text || 'Z' AS last_ts_utc,
    f.load_seconds, f.file_id, f.sample_rate,
    (SELECT group_concat(CAST(k.lines AS TEXT) || ' ' || k.kind, ', ')
       FROM (SELECT lines, kind FROM source_file_skips WHERE file_id = f.file_id ORDER BY lines DESC, kind) k
    ) AS skipped_kinds,
    f.warnings, f.aggregated
FROM source_files f
LEFT JOIN calendar_days c1 ON c1.day = CAST((f.first_ts_us - f.first_ts_us % 86400000000) / 86400000000 AS INTEGER)
LEFT JOIN clock_digits h1 ON h1.n = CAST((f.first_ts_us % 86400000000 - f.first_ts_us % 3600000000) / 3600000000 AS INTEGER)
LEFT JOIN clock_digits m1 ON m1.n = CAST((f.first_ts_us % 3600000000 - f.first_ts_us % 60000000) / 60000000 AS INTEGER)
LEFT JOIN clock_digits s1 ON s1.n = CAST((f.first_ts_us % 60000000 - f.first_ts_us % 1000000) / 1000000 AS INTEGER)
LEFT JOIN calendar_days c2 ON c2.day = CAST((f.last_ts_us - f.last_ts_us % 86400000000) / 86400000000 AS INTEGER)
LEFT JOIN clock_digits h2 ON h2.n = CAST((f.last_ts_us % 86400000000 - f.last_ts_us % 3600000000) / 3600000000 AS INTEGER)
LEFT JOIN clock_digits m2 ON m2.n = CAST((f.last_ts_us % 3600000000 - f.last_ts_us % 60000000) / 60000000 AS INTEGER)
LEFT JOIN clock_digits s2 ON s2.n = CAST((f.last_ts_us % 60000000 - f.last_ts_us % 1000000) / 1000000 AS INTEGER);
