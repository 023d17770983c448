-- Sampled logs: a file may hold 1 in N of the requests served (`--sample-rate N`, `[ingest]
-- sample_rate`). Its rows stay as logged; the transform multiplies its minute rollups by N, so
-- counts, tokens and GPU-hours downstream stand for the whole traffic. Changing a loaded file's
-- rate re-rolls up its days without reading it again.
ALTER TABLE source_files ADD COLUMN sample_rate INTEGER NOT NULL DEFAULT 1 CHECK (sample_rate >= 1);

-- The minute rollups, scaled to the whole traffic by each file's sample rate.
DROP VIEW v_request_minutes;
CREATE VIEW v_request_minutes AS
SELECT
    strftime('%Y-%m-%dT%H:%M:00Z', rm.minute * 60, 'unixepoch') AS minute,
    rm.minute * 60000000                  AS minute_us,
    m.name                                AS model,
    SUM(rm.requests * f.sample_rate)       AS requests,
    SUM(rm.failed * f.sample_rate)         AS failed,
    SUM(rm.prompt_tokens * f.sample_rate)  AS prompt_tokens,
    SUM(rm.cached_tokens * f.sample_rate)  AS cached_tokens,
    SUM(rm.prefill_tokens * f.sample_rate) AS prefill_tokens,
    SUM(rm.prefill_sq * f.sample_rate)     AS prefill_sq,
    SUM(rm.prefill_cached * f.sample_rate) AS prefill_cached,
    SUM(rm.output_tokens * f.sample_rate)  AS output_tokens,
    SUM(rm.output_prompt * f.sample_rate) + SUM(rm.output_sq * f.sample_rate) / 2.0 AS output_context,
    SUM(rm.output_prompt * f.sample_rate)  AS output_prompt,
    SUM(rm.output_sq * f.sample_rate)      AS output_sq
FROM request_minutes rm
JOIN models m ON m.model_id = rm.model_id
JOIN source_files f ON f.file_id = rm.file_id
GROUP BY rm.minute, rm.model_id;

DROP VIEW v_source_files;
CREATE VIEW v_source_files AS
SELECT
    path, fingerprint, format, rows, rejected, bytes, loaded_at, status, error,
    skipped, raw_rows, uncompressed_bytes, compressed,
    strftime('%Y-%m-%dT%H:%M:%SZ', first_ts_us / 1000000, 'unixepoch') AS first_ts_utc,
    strftime('%Y-%m-%dT%H:%M:%SZ', last_ts_us / 1000000, 'unixepoch')  AS last_ts_utc,
    load_seconds, file_id, sample_rate
FROM source_files;
