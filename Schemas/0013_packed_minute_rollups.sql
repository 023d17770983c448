-- 0013_packed_minute_rollups: the minute rollups, smaller and in the order the transform reads.
--
-- * prompt_hist and output_hist become packed BLOBs (a version byte, then per bucket with a
--   count: the bucket's index as one byte and the count as a LEB128 varint; see Schemas/README)
--   instead of JSON text: a few bytes a minute where the JSON took about 65.
-- * The key leads with the minute, (minute, model_id, file_id), so that the transform reads a
--   range of minutes in key order without sorting, and the separate index on minute goes. A
--   file's rollups are found by its minute span (source_files.first_ts_us .. last_ts_us), which
--   ingest records from the requests it rolls up; the span of any file whose rollups reach
--   outside it (none should) is widened to them here, so that no rollup is ever missed.
--
-- The rows are copied with the histograms converted by phasecast_hist_pack, which every
-- connection phasecast opens has. Views over request_minutes (v_request_minutes, the transform's
-- stg_request_minutes) read it by name and stay as they are: the rename below runs in legacy
-- mode so that SQLite does not re-check them while the table is briefly absent.
CREATE TABLE request_minutes_packed (
    file_id        INTEGER NOT NULL,
    minute         INTEGER NOT NULL,  -- floor(ts_us / 60e6)
    model_id       INTEGER NOT NULL,
    requests       INTEGER NOT NULL,
    failed         INTEGER NOT NULL,
    prompt_tokens  INTEGER NOT NULL,
    cached_tokens  INTEGER NOT NULL,
    prefill_tokens INTEGER NOT NULL,
    prefill_sq     INTEGER NOT NULL,  -- Σ prefill²
    prefill_cached INTEGER NOT NULL,  -- Σ prefill·cached
    output_tokens  INTEGER NOT NULL,
    output_prompt  INTEGER NOT NULL,  -- Σ output·prompt
    output_sq      INTEGER NOT NULL,  -- Σ output²
    prompt_hist    BLOB NOT NULL,     -- packed histogram of prompt lengths
    output_hist    BLOB NOT NULL,     -- the same for output lengths
    PRIMARY KEY (minute, model_id, file_id)
) STRICT, WITHOUT ROWID;

INSERT INTO request_minutes_packed
SELECT file_id, minute, model_id, requests, failed, prompt_tokens, cached_tokens, prefill_tokens, prefill_sq,
    prefill_cached, output_tokens, output_prompt, output_sq,
    phasecast_hist_pack(prompt_hist), phasecast_hist_pack(output_hist)
FROM request_minutes
ORDER BY minute, model_id, file_id;

DROP TABLE request_minutes;
PRAGMA legacy_alter_table = ON;
ALTER TABLE request_minutes_packed RENAME TO request_minutes;
PRAGMA legacy_alter_table = OFF;

UPDATE source_files
SET first_ts_us = MIN(COALESCE(first_ts_us, s.first_minute * 60000000), s.first_minute * 60000000),
    last_ts_us = MAX(COALESCE(last_ts_us, s.last_minute * 60000000 + 59999999), s.last_minute * 60000000)
FROM (SELECT file_id, MIN(minute) AS first_minute, MAX(minute) AS last_minute FROM request_minutes GROUP BY file_id) s
WHERE s.file_id = source_files.file_id
    AND (first_ts_us IS NULL OR last_ts_us IS NULL
        OR first_ts_us >= (s.first_minute + 1) * 60000000 OR last_ts_us < s.last_minute * 60000000);
