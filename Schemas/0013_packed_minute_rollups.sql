-- 0013_packed_minute_rollups: the minute rollups, smaller and in the order the transform reads.
--
-- * prompt_hist and output_hist become packed BLOBs (a version byte, then per bucket with a
--   count: the bucket's index as one byte and the count as a LEB128 varint; see Schemas/README)
--   instead of JSON text: a few bytes a minute where the JSON took about 65.
-- * The key leads with the minute, (minute, model_id, file_id), so that the transform reads a
--   range of minutes in key order without sorting, and the separate index on minute goes. A
--   file's rollups are found by its minute span (source_files.first_ts_us .. last_ts_us).
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
