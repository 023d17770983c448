-- int_model_hours: hourly sums per model, and for all models together (model_id 0), with the
-- busiest minute of each hour and the merged length histograms.
-- grain: one row per (hour, model_id)
-- materialized: incremental
-- depends_on: stg_request_minutes
-- test all models equal the sum of the models: SELECT a.hour, a.requests, m.requests AS sum_of_models FROM int_model_hours a JOIN (SELECT hour, SUM(requests) AS requests, SUM(prompt_tokens) AS prompt_tokens, SUM(output_tokens) AS output_tokens FROM int_model_hours WHERE model_id <> 0 AND hour >= :from_hour AND hour < :to_hour GROUP BY hour) m ON m.hour = a.hour WHERE a.model_id = 0 AND (a.requests <> m.requests OR a.prompt_tokens <> m.prompt_tokens OR a.output_tokens <> m.output_tokens) LIMIT 5
-- test peaks fit in their hour: SELECT hour, model_id FROM int_model_hours WHERE hour >= :from_hour AND hour < :to_hour AND (peak_minute_prefill > prefill_tokens OR peak_minute_output > output_tokens OR active_minutes > 60) LIMIT 5
WITH minutes AS (
    SELECT
        minute, hour, day, model_id,
        SUM(requests) AS requests,
        SUM(failed) AS failed,
        SUM(prompt_tokens) AS prompt_tokens,
        SUM(cached_tokens) AS cached_tokens,
        SUM(prefill_tokens) AS prefill_tokens,
        TOTAL(prefill_sq) AS prefill_sq,
        TOTAL(prefill_cached) AS prefill_cached,
        SUM(output_tokens) AS output_tokens,
        TOTAL(output_context) AS output_context,
        phasecast_hist_sum(prompt_hist) AS prompt_hist,
        phasecast_hist_sum(output_hist) AS output_hist
    FROM stg_request_minutes
    WHERE minute >= :from_minute AND minute < :to_minute
    GROUP BY minute, model_id
),
all_minutes AS (
    SELECT
        minute, hour, day, 0 AS model_id,
        SUM(requests) AS requests, SUM(failed) AS failed, SUM(prompt_tokens) AS prompt_tokens,
        SUM(cached_tokens) AS cached_tokens, SUM(prefill_tokens) AS prefill_tokens,
        TOTAL(prefill_sq) AS prefill_sq, TOTAL(prefill_cached) AS prefill_cached,
        SUM(output_tokens) AS output_tokens, TOTAL(output_context) AS output_context,
        phasecast_hist_sum(prompt_hist) AS prompt_hist, phasecast_hist_sum(output_hist) AS output_hist
    FROM minutes
    GROUP BY minute
),
both AS (
    SELECT * FROM minutes
    UNION ALL
    SELECT * FROM all_minutes
)
SELECT
    hour,
    MIN(day) AS day,
    model_id,
    SUM(requests) AS requests,
    SUM(failed) AS failed,
    SUM(prompt_tokens) AS prompt_tokens,
    SUM(cached_tokens) AS cached_tokens,
    SUM(prefill_tokens) AS prefill_tokens,
    TOTAL(prefill_sq) AS prefill_sq,
    TOTAL(prefill_cached) AS prefill_cached,
    SUM(output_tokens) AS output_tokens,
    TOTAL(output_context) AS output_context,
    phasecast_hist_sum(prompt_hist) AS prompt_hist,
    phasecast_hist_sum(output_hist) AS output_hist,
    MAX(prefill_tokens) AS peak_minute_prefill,
    MAX(output_tokens) AS peak_minute_output,
    COUNT(*) AS active_minutes
FROM both
GROUP BY hour, model_id
