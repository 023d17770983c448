#!/usr/bin/env python3
"""Reads every documented view of a phasecast database through DuckDB's SQLite scanner and
through sqlite3, and checks they agree row for row and that DuckDB types the columns (not
everything VARCHAR). Exit 0 when they do; prints one line per view.

Usage: duckdb_views.py DATABASE [EXTENSION]  — EXTENSION: the sqlite_scanner extension file
(default: the one the duckdb-extension-sqlite_scanner package installs beside duckdb).
"""
import glob
import os
import sqlite3
import sys

import duckdb

VIEWS = ["v_daily_phase", "v_hourly_phase", "v_hourly_gpu_hours", "v_forecasts", "v_forecasts_latest",
         "v_forecast_errors", "v_requests", "v_request_minutes", "v_source_files", "v_rejects"]


def extension_path():
    import duckdb_extension_sqlite_scanner
    folder = os.path.dirname(duckdb_extension_sqlite_scanner.__file__)
    found = glob.glob(os.path.join(folder, "**", "sqlite_scanner.duckdb_extension"), recursive=True)
    if not found:
        sys.exit("no sqlite_scanner.duckdb_extension in " + folder)
    return found[0]


def normalized(value):
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float):
        return float(f"{value:.9g}")
    return value


def main():
    database = sys.argv[1]
    extension = sys.argv[2] if len(sys.argv) > 2 else extension_path()
    duck = duckdb.connect()
    duck.execute(f"LOAD '{extension}'")
    duck.execute(f"ATTACH '{database}' AS fleet (TYPE sqlite, READ_ONLY)")
    lite = sqlite3.connect(database)
    failures = 0
    for view in VIEWS:
        try:
            theirs = [tuple(map(normalized, row)) for row in duck.execute(f"SELECT * FROM fleet.{view}").fetchall()]
            types = sorted({str(column[1]) for column in duck.description})
        except Exception as error:  # a view DuckDB cannot read is the failure this checks for
            print(f"FAIL {view}: DuckDB: {str(error).splitlines()[0]}")
            failures += 1
            continue
        ours = [tuple(map(normalized, row)) for row in lite.execute(f"SELECT * FROM {view}").fetchall()]
        if sorted(map(repr, ours)) != sorted(map(repr, theirs)):
            print(f"FAIL {view}: {len(ours)} rows in sqlite3, {len(theirs)} in DuckDB, or different values")
            failures += 1
        elif types == ["VARCHAR"]:
            print(f"FAIL {view}: DuckDB types every column as VARCHAR")
            failures += 1
        else:
            print(f"ok   {view}: {len(ours)} rows, DuckDB types {', '.join(types)}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
