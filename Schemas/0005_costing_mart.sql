-- 0005_costing_mart: the public costed views read their GPU-hours from the costing mart
-- (Pipelines/models/marts/mart_phase_gpu_hours.sql, created by every transform), so that the
-- cost formula is written once. Names, columns and values are as before; each view gains an
-- integer key of its period (days or hours since the epoch in the rollups' time zone) for joins.

DROP VIEW v_hourly_phase;
CREATE VIEW v_hourly_phase AS
WITH tz AS (
    SELECT COALESCE((SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'utc_offset_minutes'), 0) AS minutes
), costed AS (
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
    strftime('%Y-%m-%dT%H:00', unioned.hour * 3600, 'unixepoch')
        || CASE WHEN tz.minutes = 0 THEN 'Z'
           ELSE printf('%+03d:%02d', tz.minutes / 60, abs(tz.minutes) % 60) END AS hour,
    (unioned.hour * 3600 - tz.minutes * 60) * 1000000 AS hour_start_us,
    unioned.model, unioned.coverage, unioned.requests, unioned.failed, unioned.prompt_tokens, unioned.cached_tokens,
    unioned.prefill_tokens, unioned.output_tokens, unioned.token_ratio, unioned.raw_token_ratio,
    unioned.prompt_p50, unioned.prompt_p90, unioned.prompt_p99, unioned.output_p50, unioned.output_p90, unioned.output_p99,
    unioned.peak_minute_prefill_tps, unioned.peak_minute_output_tps,
    unioned.prefill_gpu_hours, unioned.decode_gpu_hours,
    unioned.prefill_gpu_hours / NULLIF(unioned.decode_gpu_hours, 0) AS gpu_time_ratio,
    unioned.profile,
    unioned.hour AS hour_key,
    unioned.day AS day_key
FROM unioned, tz;

DROP VIEW v_daily_phase;
CREATE VIEW v_daily_phase AS
WITH tz AS (
    SELECT COALESCE((SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'utc_offset_minutes'), 0) AS minutes
), costed AS (
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
    date(unioned.day * 86400, 'unixepoch') AS day,
    (unioned.day * 86400 - tz.minutes * 60) * 1000000 AS day_start_us,
    unioned.model, unioned.coverage, unioned.requests, unioned.failed, unioned.prompt_tokens, unioned.cached_tokens,
    unioned.prefill_tokens, unioned.output_tokens, unioned.token_ratio, unioned.raw_token_ratio,
    unioned.prompt_p50, unioned.prompt_p90, unioned.prompt_p99, unioned.output_p50, unioned.output_p90, unioned.output_p99,
    unioned.peak_minute_prefill_tps, unioned.peak_minute_output_tps, unioned.peak_hour_prefill_tps, unioned.peak_hour_output_tps,
    unioned.prefill_gpu_hours, unioned.decode_gpu_hours,
    unioned.prefill_gpu_hours / NULLIF(unioned.decode_gpu_hours, 0) AS gpu_time_ratio,
    unioned.profile,
    unioned.day AS day_key
FROM unioned, tz;

-- Busy GPU-hours per hour, model (0: all) and phase, keyed by integers for joins.
DROP VIEW v_hourly_gpu_hours;
CREATE VIEW v_hourly_gpu_hours AS
WITH costed AS (
    SELECT period AS hour, day, model_id, prefill_gpu_hours, decode_gpu_hours
    FROM mart_phase_gpu_hours WHERE grain = 'hour'
)
SELECT hour, day, model_id, prefill_gpu_hours, decode_gpu_hours FROM costed
UNION ALL
SELECT hour, day, 0, SUM(prefill_gpu_hours), SUM(decode_gpu_hours) FROM costed GROUP BY hour, day;
