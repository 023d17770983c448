-- int_model_days: daily sums per model and for all models (model_id 0), with the busiest minute
-- and the busiest hour of each day.
-- grain: one row per (day, model_id)
-- materialized: incremental
-- depends_on: int_model_hours
-- test days equal the sum of their hours: SELECT d.day, d.model_id, d.requests, h.requests AS hours_requests FROM int_model_days d JOIN (SELECT day, model_id, SUM(requests) AS requests, SUM(prefill_tokens) AS prefill_tokens, SUM(output_tokens) AS output_tokens FROM int_model_hours WHERE day BETWEEN :from_day AND :to_day GROUP BY day, model_id) h ON h.day = d.day AND h.model_id = d.model_id WHERE d.requests <> h.requests OR d.prefill_tokens <> h.prefill_tokens OR d.output_tokens <> h.output_tokens LIMIT 5
-- test days hold every request and token of the minute rollups of their range: SELECT d.requests, r.requests AS minute_requests, d.prefill_tokens, r.prefill_tokens AS minute_prefill_tokens, d.output_tokens, r.output_tokens AS minute_output_tokens FROM (SELECT COALESCE(SUM(requests), 0) AS requests, COALESCE(SUM(prefill_tokens), 0) AS prefill_tokens, COALESCE(SUM(output_tokens), 0) AS output_tokens FROM int_model_days WHERE model_id = 0 AND day BETWEEN :from_day AND :to_day) d, (SELECT COALESCE(SUM(requests), 0) AS requests, COALESCE(SUM(prefill_tokens), 0) AS prefill_tokens, COALESCE(SUM(output_tokens), 0) AS output_tokens FROM stg_request_minutes WHERE minute >= :from_minute AND minute < :to_minute) r WHERE d.requests <> r.requests OR d.prefill_tokens <> r.prefill_tokens OR d.output_tokens <> r.output_tokens
SELECT
    day,
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
    MAX(peak_minute_prefill) AS peak_minute_prefill,
    MAX(peak_minute_output) AS peak_minute_output,
    MAX(prefill_tokens) AS peak_hour_prefill,
    MAX(output_tokens) AS peak_hour_output,
    SUM(active_minutes) AS active_minutes
FROM int_model_hours
WHERE day BETWEEN :from_day AND :to_day
GROUP BY day, model_id
