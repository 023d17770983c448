-- stg_request_minutes: the minute rollups of every file, with the hour and day each minute falls in
-- in the rollups' time zone ({{utc_offset_minutes}} minutes from UTC).
-- grain: one row per (file, UTC minute, model), as ingest wrote them
-- materialized: view
-- depends_on:
-- test no negative counts: SELECT file_id, minute, model_id FROM stg_request_minutes WHERE requests < 0 OR prefill_tokens < 0 OR output_tokens < 0 OR cached_tokens > prompt_tokens LIMIT 5
SELECT
    rm.file_id,
    rm.minute,
    rm.model_id,
    (rm.minute + {{utc_offset_minutes}}) / 60 AS hour,
    (rm.minute + {{utc_offset_minutes}}) / 1440 AS day,
    rm.requests,
    rm.failed,
    rm.prompt_tokens,
    rm.cached_tokens,
    rm.prefill_tokens,
    rm.prefill_sq,
    rm.prefill_cached,
    rm.output_tokens,
    rm.output_prompt + rm.output_sq / 2.0 AS output_context,
    rm.prompt_hist,
    rm.output_hist
FROM request_minutes rm
