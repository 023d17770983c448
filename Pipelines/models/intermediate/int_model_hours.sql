-- int_model_hours: hourly sums per model, and for all models together (model_id 0), with the
-- busiest minute of each hour and the merged length histograms.
-- grain: one row per (hour, model_id)
-- materialized: incremental
-- depends_on: stg_request_minutes
-- test all models equal the sum of the models: SELECT a.hour, a.requests, m.requests AS sum_of_models FROM int_model_hours a JOIN (SELECT hour, SUM(requests) AS requests, SUM(prompt_tokens) AS prompt_tokens, SUM(output_tokens) AS output_tokens FROM int_model_hours WHERE model_id <> 0 AND hour >= :from_hour AND hour < :to_hour GROUP BY hour) m ON m.hour = a.hour WHERE a.model_id = 0 AND (a.requests <> m.requests OR a.prompt_tokens <> m.prompt_tokens OR a.output_tokens <> m.output_tokens) LIMIT 5
-- test peaks fit in their hour: SELECT hour, model_id FROM int_model_hours WHERE hour >= :from_hour AND hour < :to_hour AND (peak_minute_prefill > prefill_tokens OR peak_minute_output > output_tokens OR active_minutes > 60) LIMIT 5
-- Length histograms are summed straight to the hour (per model, then all models from those):
-- summing them per minute first would finalize one histogram per minute only to add it again.
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
        TOTAL(output_context) AS output_context
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
        SUM(output_tokens) AS output_tokens, TOTAL(output_context) AS output_context
    FROM minutes
    GROUP BY minute
),
both AS (
    SELECT * FROM minutes
    UNION ALL
    SELECT * FROM all_minutes
),
model_hists AS MATERIALIZED (
    SELECT hour, model_id,
        phasecast_hist_sum(prompt_hist) AS prompt_hist, phasecast_hist_sum(output_hist) AS output_hist
    FROM stg_request_minutes
    WHERE minute >= :from_minute AND minute < :to_minute
    GROUP BY hour, model_id
),
hists AS (
    SELECT hour, model_id, prompt_hist, output_hist FROM model_hists
    UNION ALL
    SELECT hour, 0, phasecast_hist_sum(prompt_hist), phasecast_hist_sum(output_hist) FROM model_hists GROUP BY hour
),
hours AS (
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
        MAX(prefill_tokens) AS peak_minute_prefill,
        MAX(output_tokens) AS peak_minute_output,
        COUNT(*) AS active_minutes
    FROM both
    GROUP BY hour, model_id
)
SELECT
    h.hour, h.day, h.model_id, h.requests, h.failed, h.prompt_tokens, h.cached_tokens, h.prefill_tokens,
    h.prefill_sq, h.prefill_cached, h.output_tokens, h.output_context,
    g.prompt_hist, g.output_hist,
    h.peak_minute_prefill, h.peak_minute_output, h.active_minutes
FROM hours h
JOIN hists g ON g.hour = h.hour AND g.model_id = h.model_id
