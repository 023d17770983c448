-- 0001_ingest: what `phasecast ingest` writes. One file is the unit of truth: its requests,
-- minute rollups, rejects and its source_files row commit together or not at all.
-- Times are UTC microseconds since the Unix epoch (ts_us) or minutes since it (minute).

-- Model names, interned; requests and rollups refer to them by model_id.
CREATE TABLE models (
    model_id INTEGER PRIMARY KEY,
    name     TEXT NOT NULL UNIQUE
) STRICT;

-- One row per input path: what of it is in the database.
--   status 'loaded'   : its rows are those of the content with this fingerprint;
--          'failed'   : nothing of it is in the database; error says why;
--          'outdated' : the rows are from earlier content (this fingerprint); newer content at
--                       the same path failed to load, and error says why.
CREATE TABLE source_files (
    file_id            INTEGER PRIMARY KEY,
    path               TEXT NOT NULL UNIQUE,
    fingerprint        TEXT NOT NULL,   -- 'xxh64:' + hex of the content (decompressed bytes)
    raw_fingerprint    TEXT NOT NULL,   -- the same of the bytes on disk (compressed for gzip)
    format             TEXT,            -- log format the file was read as
    status             TEXT NOT NULL CHECK (status IN ('loaded', 'failed', 'outdated')),
    error              TEXT,
    bytes              INTEGER NOT NULL, -- bytes read from disk (compressed size for gzip)
    mtime_ns           INTEGER,          -- modification time when loaded; with bytes, lets an
                                         -- unchanged file be skipped without reading it
    uncompressed_bytes INTEGER NOT NULL,
    compressed         INTEGER NOT NULL CHECK (compressed IN (0, 1)),
    rows               INTEGER NOT NULL, -- requests loaded (all counted in request_minutes)
    rejected           INTEGER NOT NULL, -- lines in rejects
    skipped            INTEGER NOT NULL, -- well-formed lines with nothing to count
    raw_rows           INTEGER NOT NULL, -- requests of this file still kept in requests
    first_ts_us        INTEGER,
    last_ts_us         INTEGER,
    first_rowid        INTEGER,          -- rowid range of this file's rows in requests
    last_rowid         INTEGER,
    loaded_at          TEXT NOT NULL,    -- ISO 8601 UTC
    load_seconds       REAL NOT NULL,
    run_id             INTEGER
) STRICT;

CREATE INDEX source_files_fingerprint ON source_files (fingerprint);
CREATE INDEX source_files_raw_fingerprint ON source_files (raw_fingerprint);

-- Raw requests, kept for ad-hoc SQL unless --no-raw; pruned by --raw-retention-days.
-- No secondary index, for load speed: a file's rows are found by its rowid range.
CREATE TABLE requests (
    file_id       INTEGER NOT NULL,
    line          INTEGER NOT NULL,
    ts_us         INTEGER NOT NULL,
    model_id      INTEGER NOT NULL,
    prompt_tokens INTEGER NOT NULL,  -- including cached_tokens
    cached_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    status        INTEGER NOT NULL   -- 0 ok, 1 failed
) STRICT;

-- Per file, per UTC minute, per model: the sufficient statistics of every request loaded,
-- whether or not its raw row is kept. prefill = prompt - cached.
CREATE TABLE request_minutes (
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
    prompt_hist    TEXT NOT NULL,     -- JSON {"lower bound": count} of prompt lengths
    output_hist    TEXT NOT NULL,     -- the same for output lengths
    PRIMARY KEY (file_id, minute, model_id)
) STRICT, WITHOUT ROWID;

-- Lines that could not be read, with why.
CREATE TABLE rejects (
    file_id INTEGER NOT NULL,
    line    INTEGER NOT NULL,
    reason  TEXT NOT NULL,
    excerpt TEXT NOT NULL,  -- at most 200 bytes of the line
    PRIMARY KEY (file_id, line)
) STRICT, WITHOUT ROWID;

-- One row per `phasecast ingest` run.
CREATE TABLE ingest_runs (
    run_id        INTEGER PRIMARY KEY,
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    arguments     TEXT NOT NULL,
    files_loaded  INTEGER NOT NULL DEFAULT 0,
    files_skipped INTEGER NOT NULL DEFAULT 0,
    files_failed  INTEGER NOT NULL DEFAULT 0,
    rows          INTEGER NOT NULL DEFAULT 0,
    rejected      INTEGER NOT NULL DEFAULT 0,
    exit_code     INTEGER
) STRICT;

-- Public views: the stable SQL surface, documented in Schemas/README.md.

CREATE VIEW v_requests AS
SELECT
    strftime('%Y-%m-%dT%H:%M:%S', r.ts_us / 1000000, 'unixepoch')
        || printf('.%06dZ', r.ts_us % 1000000)   AS ts_utc,
    r.ts_us                                       AS ts_us,
    m.name                                        AS model,
    r.prompt_tokens                               AS prompt_tokens,
    r.cached_tokens                               AS cached_tokens,
    r.prompt_tokens - r.cached_tokens             AS prefill_tokens,
    r.output_tokens                               AS output_tokens,
    CASE r.status WHEN 0 THEN 'ok' ELSE 'failed' END AS status,
    f.path                                        AS source_path,
    r.line                                        AS line
FROM requests r
JOIN models m ON m.model_id = r.model_id
JOIN source_files f ON f.file_id = r.file_id;

CREATE VIEW v_request_minutes AS
SELECT
    strftime('%Y-%m-%dT%H:%M:00Z', rm.minute * 60, 'unixepoch') AS minute,
    rm.minute * 60000000                  AS minute_us,
    m.name                                AS model,
    SUM(rm.requests)                      AS requests,
    SUM(rm.failed)                        AS failed,
    SUM(rm.prompt_tokens)                 AS prompt_tokens,
    SUM(rm.cached_tokens)                 AS cached_tokens,
    SUM(rm.prefill_tokens)                AS prefill_tokens,
    SUM(rm.prefill_sq)                    AS prefill_sq,
    SUM(rm.prefill_cached)                AS prefill_cached,
    SUM(rm.output_tokens)                 AS output_tokens,
    SUM(rm.output_prompt) + SUM(rm.output_sq) / 2.0 AS output_context,
    SUM(rm.output_prompt)                 AS output_prompt,
    SUM(rm.output_sq)                     AS output_sq
FROM request_minutes rm
JOIN models m ON m.model_id = rm.model_id
GROUP BY rm.minute, rm.model_id;

CREATE VIEW v_source_files AS
SELECT
    path, fingerprint, format, rows, rejected, bytes, loaded_at, status, error,
    skipped, raw_rows, uncompressed_bytes, compressed,
    strftime('%Y-%m-%dT%H:%M:%SZ', first_ts_us / 1000000, 'unixepoch') AS first_ts_utc,
    strftime('%Y-%m-%dT%H:%M:%SZ', last_ts_us / 1000000, 'unixepoch')  AS last_ts_utc,
    load_seconds, file_id
FROM source_files;

CREATE VIEW v_rejects AS
SELECT f.path AS source_path, j.line, j.reason, j.excerpt
FROM rejects j
JOIN source_files f ON f.file_id = j.file_id;
