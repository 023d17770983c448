-- mart_daily_phase: the daily prefill:decode picture per model and for all models (model_id 0):
-- token sums, the prefill:decode token ratio, length percentiles from the histograms, and peak
-- rates. Every day of the observed span has a row for every model, with zeros where it had no
-- traffic. GPU-hours are added by the view v_daily_phase from model_costs.
-- grain: one row per (day, model_id) over the observed span
-- materialized: incremental
-- depends_on: int_model_days, int_day_spine
-- test every span day has an all-models row: SELECT s.day FROM int_day_spine s LEFT JOIN mart_daily_phase d ON d.day = s.day AND d.model_id = 0 WHERE d.day IS NULL LIMIT 5
-- test totals match the days (whose own test ties them to the minute rollups): SELECT m.prefill_tokens, d.prefill_tokens AS day_prefill_tokens FROM (SELECT COALESCE(SUM(prefill_tokens), 0) AS prefill_tokens, COALESCE(SUM(output_tokens), 0) AS output_tokens FROM mart_daily_phase WHERE model_id = 0 AND day BETWEEN :from_day AND :to_day) m, (SELECT COALESCE(SUM(prefill_tokens), 0) AS prefill_tokens, COALESCE(SUM(output_tokens), 0) AS output_tokens FROM int_model_days WHERE model_id = 0 AND day BETWEEN :from_day AND :to_day) d WHERE m.prefill_tokens <> d.prefill_tokens OR m.output_tokens <> d.output_tokens
-- test percentiles are ordered: SELECT day, model_id FROM mart_daily_phase WHERE day BETWEEN :from_day AND :to_day AND (prompt_p50 > prompt_p90 OR prompt_p90 > prompt_p99 OR output_p50 > output_p90 OR output_p90 > output_p99) LIMIT 5
WITH grid AS (
    SELECT s.day, s.coverage, m.model_id
    FROM int_day_spine s, (SELECT model_id FROM models UNION SELECT 0) m
    WHERE s.day BETWEEN :from_day AND :to_day
)
SELECT
    g.day,
    g.model_id,
    g.coverage,
    COALESCE(d.requests, 0) AS requests,
    COALESCE(d.failed, 0) AS failed,
    COALESCE(d.prompt_tokens, 0) AS prompt_tokens,
    COALESCE(d.cached_tokens, 0) AS cached_tokens,
    COALESCE(d.prefill_tokens, 0) AS prefill_tokens,
    COALESCE(d.output_tokens, 0) AS output_tokens,
    COALESCE(d.prefill_sq, 0) AS prefill_sq,
    COALESCE(d.prefill_cached, 0) AS prefill_cached,
    COALESCE(d.output_context, 0) AS output_context,
    CAST(d.prefill_tokens AS REAL) / NULLIF(d.output_tokens, 0) AS token_ratio,
    CAST(d.prompt_tokens AS REAL) / NULLIF(d.output_tokens, 0) AS raw_token_ratio,
    phasecast_hist_quantile(d.prompt_hist, 0.5) AS prompt_p50,
    phasecast_hist_quantile(d.prompt_hist, 0.9) AS prompt_p90,
    phasecast_hist_quantile(d.prompt_hist, 0.99) AS prompt_p99,
    phasecast_hist_quantile(d.output_hist, 0.5) AS output_p50,
    phasecast_hist_quantile(d.output_hist, 0.9) AS output_p90,
    phasecast_hist_quantile(d.output_hist, 0.99) AS output_p99,
    COALESCE(d.peak_minute_prefill, 0) / 60.0 AS peak_minute_prefill_tps,
    COALESCE(d.peak_minute_output, 0) / 60.0 AS peak_minute_output_tps,
    COALESCE(d.peak_hour_prefill, 0) / 3600.0 AS peak_hour_prefill_tps,
    COALESCE(d.peak_hour_output, 0) / 3600.0 AS peak_hour_output_tps
FROM grid g
LEFT JOIN int_model_days d ON d.day = g.day AND d.model_id = g.model_id
