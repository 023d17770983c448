-- What each run's report showed, kept so that `phasecast report` can render it again (Markdown,
-- HTML, CSV, SVG) without recomputing: the report is a pure function of this snapshot. One row
-- per `phasecast run` that reached the report stage. The JSON is gzipped (a year of demo nights
-- would be ~200 MB plain); `phasecast report --json` prints it.
CREATE TABLE report_snapshots (
    run_id     INTEGER PRIMARY KEY REFERENCES pipeline_runs (run_id),
    pipeline   TEXT NOT NULL,
    as_of_day  INTEGER NOT NULL,  -- the forecast's cutoff (days since the epoch)
    format     INTEGER NOT NULL,  -- version of the snapshot's JSON layout
    input      BLOB NOT NULL      -- the report's input as gzip-compressed JSON
) STRICT;
