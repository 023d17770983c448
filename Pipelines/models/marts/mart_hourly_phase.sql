-- mart_hourly_phase: the hourly prefill:decode picture per model and for all models (model_id 0),
-- over every hour of the observed span (zeros where there was no traffic), with the share of
-- each hour inside the span. GPU-hours are added by the view v_hourly_phase from model_costs.
-- grain: one row per (hour, model_id) over the observed span
-- materialized: incremental
-- depends_on: int_model_hours, int_day_spine, mart_daily_phase
-- test hours add up to their days: SELECT h.day, h.model_id FROM (SELECT day, model_id, SUM(requests) AS requests, SUM(output_tokens) AS output_tokens FROM mart_hourly_phase WHERE day BETWEEN :from_day AND :to_day GROUP BY day, model_id) h JOIN mart_daily_phase d ON d.day = h.day AND d.model_id = h.model_id WHERE h.requests <> d.requests OR h.output_tokens <> d.output_tokens LIMIT 5
-- test coverage is a share: SELECT hour, coverage FROM mart_hourly_phase WHERE day BETWEEN :from_day AND :to_day AND (coverage <= 0 OR coverage > 1) LIMIT 5
WITH RECURSIVE bounds AS (
    SELECT (SELECT MIN(minute) FROM request_minutes) + {{utc_offset_minutes}} AS first,
        (SELECT MAX(minute) FROM request_minutes) + {{utc_offset_minutes}} AS last
),
hour_of_day(h) AS (
    SELECT 0 UNION ALL SELECT h + 1 FROM hour_of_day WHERE h < 23
),
grid AS (
    SELECT s.day * 24 + o.h AS hour, s.day, m.model_id,
        (MIN((s.day * 24 + o.h + 1) * 60, b.last + 1) - MAX((s.day * 24 + o.h) * 60, b.first)) / 60.0 AS coverage
    FROM int_day_spine s, hour_of_day o, bounds b, (SELECT model_id FROM models UNION SELECT 0) m
    WHERE s.day BETWEEN :from_day AND :to_day
)
SELECT
    g.hour,
    g.day,
    g.model_id,
    g.coverage,
    COALESCE(h.requests, 0) AS requests,
    COALESCE(h.failed, 0) AS failed,
    COALESCE(h.prompt_tokens, 0) AS prompt_tokens,
    COALESCE(h.cached_tokens, 0) AS cached_tokens,
    COALESCE(h.prefill_tokens, 0) AS prefill_tokens,
    COALESCE(h.output_tokens, 0) AS output_tokens,
    COALESCE(h.prefill_sq, 0) AS prefill_sq,
    COALESCE(h.prefill_cached, 0) AS prefill_cached,
    COALESCE(h.output_context, 0) AS output_context,
    CAST(h.prefill_tokens AS REAL) / NULLIF(h.output_tokens, 0) AS token_ratio,
    CAST(h.prompt_tokens AS REAL) / NULLIF(h.output_tokens, 0) AS raw_token_ratio,
    phasecast_hist_quantile(h.prompt_hist, 0.5) AS prompt_p50,
    phasecast_hist_quantile(h.prompt_hist, 0.9) AS prompt_p90,
    phasecast_hist_quantile(h.prompt_hist, 0.99) AS prompt_p99,
    phasecast_hist_quantile(h.output_hist, 0.5) AS output_p50,
    phasecast_hist_quantile(h.output_hist, 0.9) AS output_p90,
    phasecast_hist_quantile(h.output_hist, 0.99) AS output_p99,
    COALESCE(h.peak_minute_prefill, 0) / 60.0 AS peak_minute_prefill_tps,
    COALESCE(h.peak_minute_output, 0) / 60.0 AS peak_minute_output_tps
FROM grid g
LEFT JOIN int_model_hours h ON h.hour = g.hour AND h.model_id = g.model_id
WHERE g.coverage > 0
