-- Lines that are well-formed but not served requests (a queued record, a guardrail block, a
-- transcript's user line, a repeat of a request already read), counted per file and kind.
-- They never count towards the reject rate; source_files.skipped is their total.
CREATE TABLE source_file_skips (
    file_id INTEGER NOT NULL REFERENCES source_files (file_id),
    kind    TEXT NOT NULL,     -- failed, unfinished, cancelled, guardrail-blocked, not a request,
                               -- no body, filtered, duplicate
    lines   INTEGER NOT NULL CHECK (lines > 0),
    PRIMARY KEY (file_id, kind)
) STRICT, WITHOUT ROWID;

-- What looked wrong about a loaded file as a whole (one warning per line), NULL when nothing did.
ALTER TABLE source_files ADD COLUMN warnings TEXT;

-- 1 when the file holds usage totals over intervals (the OpenAI Usage API's buckets) rather than
-- requests: each total is spread evenly over its interval's minutes, as requests of equal size,
-- so day totals are exact, the intraday shape is flat and there are no raw rows.
ALTER TABLE source_files ADD COLUMN aggregated INTEGER NOT NULL DEFAULT 0 CHECK (aggregated IN (0, 1));

DROP VIEW v_source_files;
CREATE VIEW v_source_files AS
SELECT
    f.path, f.fingerprint, f.format, f.rows, f.rejected, f.bytes, f.loaded_at, f.status, f.error,
    f.skipped, f.raw_rows, f.uncompressed_bytes, f.compressed,
    strftime('%Y-%m-%dT%H:%M:%SZ', f.first_ts_us / 1000000, 'unixepoch') AS first_ts_utc,
    strftime('%Y-%m-%dT%H:%M:%SZ', f.last_ts_us / 1000000, 'unixepoch')  AS last_ts_utc,
    f.load_seconds, f.file_id, f.sample_rate,
    (SELECT group_concat(s.lines || ' ' || s.kind, ', ')
       FROM (SELECT lines, kind FROM source_file_skips WHERE file_id = f.file_id ORDER BY lines DESC, kind) s
    ) AS skipped_kinds,
    f.warnings, f.aggregated
FROM source_files f;
