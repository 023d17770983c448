-- stg_request_minutes: the minute rollups of every file, with the hour and day each minute falls in
-- in the rollups' time zone ({{utc_offset_minutes}} minutes from UTC), scaled to the whole traffic
-- by the file's sample rate (1 in N logged: every count × N).
-- grain: one row per (file, UTC minute, model), as ingest wrote them
-- materialized: view
-- depends_on:
-- The sample rate (at least 1, by source_files' CHECK) keeps every sign and order, so the rollups are
-- tested as stored, without the join and the products.
-- test no negative counts: SELECT file_id, minute, model_id FROM request_minutes WHERE minute >= :from_minute AND minute < :to_minute AND (requests < 0 OR prefill_tokens < 0 OR output_tokens < 0 OR cached_tokens > prompt_tokens) LIMIT 5
SELECT
    rm.file_id,
    rm.minute,
    rm.model_id,
    (rm.minute + {{utc_offset_minutes}}) / 60 AS hour,
    (rm.minute + {{utc_offset_minutes}}) / 1440 AS day,
    rm.requests * f.sample_rate AS requests,
    rm.failed * f.sample_rate AS failed,
    rm.prompt_tokens * f.sample_rate AS prompt_tokens,
    rm.cached_tokens * f.sample_rate AS cached_tokens,
    rm.prefill_tokens * f.sample_rate AS prefill_tokens,
    rm.prefill_sq * f.sample_rate AS prefill_sq,
    rm.prefill_cached * f.sample_rate AS prefill_cached,
    rm.output_tokens * f.sample_rate AS output_tokens,
    (rm.output_prompt + rm.output_sq / 2.0) * f.sample_rate AS output_context,
    CASE f.sample_rate WHEN 1 THEN rm.prompt_hist ELSE phasecast_hist_scale(rm.prompt_hist, f.sample_rate) END
        AS prompt_hist,
    CASE f.sample_rate WHEN 1 THEN rm.output_hist ELSE phasecast_hist_scale(rm.output_hist, f.sample_rate) END
        AS output_hist
FROM request_minutes rm
JOIN source_files f ON f.file_id = rm.file_id
