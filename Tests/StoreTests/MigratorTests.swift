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
}
