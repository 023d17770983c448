-- mart_phase_gpu_hours: busy GPU-hours per phase of each model's hours and days under its
-- deployment profile: the one place the cost formula is written. Prefill is linear in the
-- computed prompt tokens plus attention over (prefill·cached + prefill²/2) token pairs; decode
-- is linear in the output tokens plus their KV reads (output × context). The coefficients come
-- from model_costs (the cost stage), so a new profile re-costs the history without rebuilding
-- the rollups. The public views v_hourly_phase, v_daily_phase and v_hourly_gpu_hours read it.
-- grain: one row per (grain, period, model_id) for every costed model; grain 'hour' (period = hours since the epoch) or 'day' (period = days since the epoch)
-- materialized: view
-- depends_on: mart_hourly_phase, mart_daily_phase
-- test hours add up to their days: SELECT h.day, h.model_id FROM (SELECT day, model_id, SUM(prefill_gpu_hours) AS prefill, SUM(decode_gpu_hours) AS decode FROM mart_phase_gpu_hours WHERE grain = 'hour' AND day BETWEEN :from_day AND :to_day GROUP BY day, model_id) h JOIN mart_phase_gpu_hours d ON d.grain = 'day' AND d.period = h.day AND d.model_id = h.model_id WHERE abs(h.prefill - d.prefill_gpu_hours) > 1e-9 * (1 + abs(d.prefill_gpu_hours)) OR abs(h.decode - d.decode_gpu_hours) > 1e-9 * (1 + abs(d.decode_gpu_hours)) LIMIT 5
-- test GPU-hours are not negative: SELECT grain, period, model_id FROM mart_phase_gpu_hours WHERE day BETWEEN :from_day AND :to_day AND (prefill_gpu_hours < 0 OR decode_gpu_hours < 0) LIMIT 5
SELECT
    s.grain,
    s.period,
    s.day,
    s.model_id,
    c.profile,
    (s.prefill_tokens * c.prefill_s_per_token
        + (s.prefill_cached + s.prefill_sq / 2.0) * c.prefill_s_per_attention_pair) / 3600.0 AS prefill_gpu_hours,
    (s.output_tokens * c.decode_s_per_token + s.output_context * c.decode_s_per_context_token) / 3600.0
        AS decode_gpu_hours
FROM (
    SELECT 'hour' AS grain, hour AS period, day, model_id, prefill_tokens, prefill_cached, prefill_sq, output_tokens,
        output_context
    FROM mart_hourly_phase WHERE model_id <> 0
    UNION ALL
    SELECT 'day', day, day, model_id, prefill_tokens, prefill_cached, prefill_sq, output_tokens, output_context
    FROM mart_daily_phase WHERE model_id <> 0
) s
JOIN model_costs c ON c.model_id = s.model_id
