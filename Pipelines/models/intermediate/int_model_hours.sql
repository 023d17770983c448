-- int_model_hours: hourly sums per model, and for all models together (model_id 0), with the
-- busiest minute of each hour and the merged length histograms.
-- grain: one row per (hour, model_id)
-- materialized: incremental
-- depends_on: stg_request_minutes
-- test all models equal the sum of the models: SELECT a.hour, a.requests, m.requests AS sum_of_models FROM int_model_hours a JOIN (SELECT hour, SUM(requests) AS requests, SUM(prompt_tokens) AS prompt_tokens, SUM(output_tokens) AS output_tokens FROM int_model_hours WHERE model_id <> 0 AND hour >= :from_hour AND hour < :to_hour GROUP BY hour) m ON m.hour = a.hour WHERE a.model_id = 0 AND (a.requests <> m.requests OR a.prompt_tokens <> m.prompt_tokens OR a.output_tokens <> m.output_tokens) LIMIT 5
-- test peaks fit in their hour: SELECT hour, model_id FROM int_model_hours WHERE hour >= :from_hour AND hour < :to_hour AND (peak_minute_prefill > prefill_tokens OR peak_minute_output > output_tokens OR active_minutes > 60) LIMIT 5
-- One grouping of the minute rollups, per hour and model, gives the sums, the histograms and the
-- peaks (phasecast_minute_peak adds the rows of each minute before taking the largest). All
-- models' hours are summed from those; their peaks need all models' per-minute sums, which group
-- in the rollups' key order (minute first) without a sort.
WITH model_hours AS MATERIALIZED (
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
        phasecast_minute_peak(minute, prefill_tokens) AS peak_minute_prefill,
        phasecast_minute_peak(minute, output_tokens) AS peak_minute_output,
        phasecast_minute_count(minute) AS active_minutes
    FROM stg_request_minutes
    WHERE minute >= :from_minute AND minute < :to_minute
    GROUP BY hour, model_id
),
all_minutes AS (
    SELECT minute, hour, SUM(prefill_tokens) AS prefill_tokens, SUM(output_tokens) AS output_tokens
    FROM stg_request_minutes
    WHERE minute >= :from_minute AND minute < :to_minute
    GROUP BY minute
),
all_peaks AS (
    SELECT hour, MAX(prefill_tokens) AS peak_minute_prefill, MAX(output_tokens) AS peak_minute_output,
        COUNT(*) AS active_minutes
    FROM all_minutes
    GROUP BY hour
),
all_hours AS (
    SELECT
        hour, MIN(day) AS day,
        SUM(requests) AS requests, SUM(failed) AS failed, SUM(prompt_tokens) AS prompt_tokens,
        SUM(cached_tokens) AS cached_tokens, SUM(prefill_tokens) AS prefill_tokens,
        TOTAL(prefill_sq) AS prefill_sq, TOTAL(prefill_cached) AS prefill_cached,
        SUM(output_tokens) AS output_tokens, TOTAL(output_context) AS output_context,
        phasecast_hist_sum(prompt_hist) AS prompt_hist, phasecast_hist_sum(output_hist) AS output_hist
    FROM model_hours
    GROUP BY hour
)
SELECT
    hour, day, model_id, requests, failed, prompt_tokens, cached_tokens, prefill_tokens,
    prefill_sq, prefill_cached, output_tokens, output_context, prompt_hist, output_hist,
    peak_minute_prefill, peak_minute_output, active_minutes
FROM model_hours
UNION ALL
SELECT
    h.hour, h.day, 0, h.requests, h.failed, h.prompt_tokens, h.cached_tokens, h.prefill_tokens,
    h.prefill_sq, h.prefill_cached, h.output_tokens, h.output_context, h.prompt_hist, h.output_hist,
    p.peak_minute_prefill, p.peak_minute_output, p.active_minutes
FROM all_hours h
JOIN all_peaks p ON p.hour = h.hour
