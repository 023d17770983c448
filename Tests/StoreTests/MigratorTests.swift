import PhasecastCore
import TestSupport
import Testing

@testable import Store

@Suite struct MigratorTests {
    @Test func bundledMigrationsBuildTheSchemaOnce() throws {
        let dir = TemporaryDirectory()
        let db = try Connection(path: dir.file("p.db"))
        let applied = try Migrator.migrate(db)
        #expect(applied == Migration.bundled.map(\.version))
        #expect(try db.userVersion == Migration.bundled.last!.version)
        #expect(try Migrator.migrate(db).isEmpty)
        let views = try db.rows("SELECT name FROM sqlite_master WHERE type = 'view' ORDER BY name").compactMap {
            $0[0].text
        }
        for view in ["v_rejects", "v_request_minutes", "v_requests", "v_source_files"] { #expect(views.contains(view)) }
        #expect(try db.scalar("PRAGMA page_size")?.integer == Int64(Migrator.newDatabasePageSize))
    }

    @Test func tablesAreStrict() throws {
        let dir = TemporaryDirectory()
        let db = try Connection(path: dir.file("p.db"))
        try Migrator.migrate(db)
        #expect(throws: SQLiteError.self) {
            try db.run("INSERT INTO rejects (file_id, line, reason, excerpt) VALUES (?, 1, 'r', 'e')", ["one"])
        }
    }

    @Test func anOlderDatabaseMigratesInPlaceWithItsData() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("old.db")
        let first = Migration(version: 1, name: "0001_a", sql: "CREATE TABLE t (x INTEGER NOT NULL) STRICT;")
        let second = Migration(
            version: 2, name: "0002_b", sql: "ALTER TABLE t ADD COLUMN y INTEGER NOT NULL DEFAULT 7;")
        do {
            let db = try Connection(path: path)
            try Migrator.migrate(db, migrations: [first])
            try db.run("INSERT INTO t (x) VALUES (?), (?)", [1, 2])
        }
        let db = try Connection(path: path)
        #expect(try Migrator.migrate(db, migrations: [first, second]) == [2])
        #expect(try db.rows("SELECT x, y FROM t ORDER BY x") == [[1, 7], [2, 7]])
        #expect(try db.userVersion == 2)
    }

    @Test func aFailingMigrationLeavesTheDatabaseAsItWas() throws {
        let dir = TemporaryDirectory()
        let db = try Connection(path: dir.file("p.db"))
        let good = Migration(version: 1, name: "0001", sql: "CREATE TABLE t (x INTEGER) STRICT;")
        let bad = Migration(version: 2, name: "0002", sql: "CREATE TABLE u (y INTEGER) STRICT; SELECT nope FROM t;")
        #expect(throws: SQLiteError.self) { try Migrator.migrate(db, migrations: [good, bad]) }
        #expect(try db.userVersion == 1)
        #expect(try db.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'u'")?.integer == 0)
    }

    @Test func aNewerDatabaseIsRefused() throws {
        let dir = TemporaryDirectory()
        let db = try Connection(path: dir.file("p.db"))
        try db.execute("PRAGMA user_version = 999")
        #expect(throws: MigrationError.newerSchema(database: 999, known: Migration.bundled.last!.version)) {
            try Migrator.migrate(db)
        }
    }
}

@Suite struct ConnectionTests {
    @Test func errorsCarryTheStatement() throws {
        let db = try Connection(path: ":memory:")
        let error = #expect(throws: SQLiteError.self) { try db.execute("SELECT * FROM missing_table") }
        #expect(error?.description.contains("no such table: missing_table") == true)
        #expect(error?.description.contains("SELECT * FROM missing_table") == true)
    }

    @Test func histogramFunctionsMergeSumAndGiveQuantiles() throws {
        let db = try Connection(path: ":memory:")
        #expect(
            try db.scalar(#"SELECT phasecast_hist_merge('{"3":1,"1024":2}', '{"3":4}')"#)?.text
                == #"{"3":5,"1024":2}"#)
        #expect(try db.scalar(#"SELECT phasecast_hist_merge(NULL, '{"3":4}')"#)?.text == #"{"3":4}"#)
        try db.execute(#"CREATE TABLE h (x TEXT); INSERT INTO h VALUES ('{"1":1}'), ('{"1":2,"8":1}'), (NULL);"#)
        #expect(try db.scalar("SELECT phasecast_hist_sum(x) FROM h")?.text == #"{"1":3,"8":1}"#)
        #expect(try db.scalar("SELECT phasecast_hist_quantile(phasecast_hist_sum(x), 0.5) FROM h")?.real == 1)
        #expect(throws: SQLiteError.self) { try db.scalar("SELECT phasecast_hist_merge('oops', NULL)") }
    }

    @Test func histogramFunctionsReadPackedBlobsAndKeepTheirEncoding() throws {
        let db = try Connection(path: ":memory:")
        let packed = try #require(try db.scalar(#"SELECT phasecast_hist_pack('{"3":1,"1024":2}')"#))
        #expect(packed.blob.flatMap(LengthHistogram.init(packed:))?.json == #"{"3":1,"1024":2}"#)
        #expect(try db.scalar("SELECT phasecast_hist_json(?)", [packed])?.text == #"{"3":1,"1024":2}"#)
        // merge answers in the encoding of its first non-NULL argument, whatever the second's.
        let merged = try db.scalar(#"SELECT phasecast_hist_merge(?, '{"3":4}')"#, [packed])
        #expect(merged?.blob.flatMap(LengthHistogram.init(packed:))?.json == #"{"3":5,"1024":2}"#)
        #expect(try db.scalar(#"SELECT phasecast_hist_merge('{"3":4}', ?)"#, [packed])?.text == #"{"3":5,"1024":2}"#)
        #expect(try db.scalar("SELECT phasecast_hist_merge(NULL, ?)", [packed])?.blob == packed.blob)
        let scaled = try db.scalar("SELECT phasecast_hist_scale(?, 10)", [packed])
        #expect(scaled?.blob.flatMap(LengthHistogram.init(packed:))?.json == #"{"3":10,"1024":20}"#)
        #expect(try db.scalar("SELECT phasecast_hist_quantile(?, 0.2)", [packed])?.real == 3)
        // sum reads a column of either encoding and answers JSON, for the hour and day tables.
        try db.execute(#"CREATE TABLE h (x ANY) STRICT; INSERT INTO h VALUES ('{"1":1}'), (NULL);"#)
        try db.run("INSERT INTO h VALUES (?)", [packed])
        #expect(try db.scalar("SELECT phasecast_hist_sum(x) FROM h")?.text == #"{"1":1,"3":1,"1024":2}"#)
        for bad: SQLValue in [.blob([]), .blob([2, 3, 1]), .blob([1, 3, 0x80])] {
            for function in ["phasecast_hist_json(?)", "phasecast_hist_pack(?)", "phasecast_hist_merge(?, NULL)"] {
                #expect(throws: SQLiteError.self, "\(function) of \(bad)") {
                    try db.scalar("SELECT " + function, [bad])
                }
            }
        }
    }

    /// 0013 repacks the minute rollups a 0012 database holds: the same sums, the histograms as
    /// packed BLOBs with the same counts, the views over the table still working, and the key
    /// now leading with the minute so that the transform's GROUP BY needs no sort.
    @Test func migration13PacksTheMinuteRollupsOfAnOlderDatabase() throws {
        let dir = TemporaryDirectory()
        let db = try Connection(path: dir.file("old.db"))
        let upTo12 = Migration.bundled.filter { $0.version <= 12 }
        try Migrator.migrate(db, migrations: upTo12)
        try db.execute(
            """
            INSERT INTO models (model_id, name) VALUES (1, 'a'), (2, 'b');
            INSERT INTO request_minutes VALUES
                (7, 29000000, 2, 3, 0, 300, 30, 270, 30000, 2700, 90, 9000, 2700, '{"100":3}', '{"16":1,"32":2}'),
                (7, 29000001, 1, 1, 1, 5000, 0, 5000, 25000000, 0, 10, 50000, 100, '{"4608":1}', '{"10":1}'),
                (8, 29000000, 2, 2, 0, 20, 0, 20, 200, 0, 4, 40, 8, '{"10":2}', '{"2":2}');
            """)
        // File 7's recorded span misses its second minute (it never should); file 8's is right.
        try db.execute(
            """
            INSERT INTO source_files (file_id, path, fingerprint, raw_fingerprint, status, bytes, uncompressed_bytes,
                compressed, rows, rejected, skipped, raw_rows, first_ts_us, last_ts_us, loaded_at, load_seconds)
            VALUES (7, 'a.log', 'x', 'x', 'loaded', 1, 1, 0, 4, 0, 0, 0, 1740000000000000, 1740000000000000, 'now', 0),
                (8, 'b.log', 'y', 'y', 'loaded', 1, 1, 0, 2, 0, 0, 0, 1740000001000000, 1740000002000000, 'now', 0);
            """)
        let before = try db.rows("SELECT * FROM v_request_minutes ORDER BY minute_us, model")
        #expect(before.count == 2)
        try Migrator.migrate(db)
        #expect(try db.userVersion >= 13)
        #expect(try db.rows("SELECT * FROM v_request_minutes ORDER BY minute_us, model") == before)
        let histograms = try db.rows(
            """
            SELECT typeof(prompt_hist), phasecast_hist_json(prompt_hist), phasecast_hist_json(output_hist)
            FROM request_minutes ORDER BY file_id, minute
            """)
        #expect(
            histograms == [
                ["blob", #"{"96":3}"#, #"{"16":1,"32":2}"#], ["blob", #"{"4608":1}"#, #"{"10":1}"#],
                ["blob", #"{"10":2}"#, #"{"2":2}"#],
            ])
        #expect(try db.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'request_minutes_minute'")?.integer == 0)
        #expect(
            try db.rows("SELECT file_id, first_ts_us, last_ts_us FROM source_files ORDER BY file_id") == [
                [7, 1_740_000_000_000_000, 1_740_000_060_000_000], [8, 1_740_000_001_000_000, 1_740_000_002_000_000],
            ])
        let plan = try db.rows(
            "EXPLAIN QUERY PLAN SELECT minute, model_id, SUM(requests) FROM request_minutes WHERE minute >= 0 GROUP BY minute, model_id"
        ).map { $0.map { $0.text ?? "" }.joined(separator: " ") }.joined(separator: "\n")
        #expect(!plan.contains("TEMP B-TREE"), "\(plan)")
    }
}
