-- Files acknowledged as bad (`phasecast quarantine add PATH --reason …`): ingest passes them
-- over without reading them, a night that meets them does not fail for them, and the report
-- lists them under data quality with the reason. `phasecast quarantine remove PATH` takes a
-- file back: the next ingest reads it again.
CREATE TABLE quarantined_files (
    path     TEXT PRIMARY KEY,  -- absolute path, as ingest resolves the inputs it finds
    reason   TEXT NOT NULL,
    added_at TEXT NOT NULL      -- ISO 8601 UTC
) STRICT;
