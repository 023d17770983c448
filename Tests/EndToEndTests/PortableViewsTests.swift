import Foundation
import Store
import TestSupport
import Testing

/// Schemas/metadata.json (Datasette's metadata, made from Schemas/README.md) describes every
/// column of every documented view of a database at the newest schema.
@Suite struct PortableViewsTests {
    @Test func everyColumnOfEveryDocumentedViewIsDescribed() throws {
        let schemas = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Schemas")
        let data = try Data(contentsOf: schemas.appendingPathComponent("metadata.json"))
        let metadata = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let databases = try #require(metadata["databases"] as? [String: Any])
        let fleet = try #require(databases["fleet"] as? [String: Any])
        let tables = try #require(fleet["tables"] as? [String: [String: Any]])

        // The marts the views read exist once a transform has run.
        let dir = TemporaryDirectory()
        let path = dir.file("fleet.db")
        let ingest = try Phasecast.run(["ingest", "--db", path, "-q", Fixtures.path("azure2023_code.csv.gz")])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let connection = try Connection(path: path)
        let views = try connection.query(
            "SELECT name FROM sqlite_master WHERE type = 'view' AND name LIKE 'v\\_%' ESCAPE '\\' AND name <> 'v_utc_offset'"
        ).map { try $0.text("name") }
        #expect(views.count >= 10)
        for view in views {
            let described = try #require(
                tables[view]?["columns"] as? [String: String], "\(view) is not in metadata.json")
            let columns = try connection.query("SELECT name FROM pragma_table_info(?)", [.text(view)]).map {
                try $0.text("name")
            }
            #expect(!columns.isEmpty)
            for column in columns {
                #expect(
                    described[column]?.isEmpty == false, "\(view).\(column) has no description in Schemas/README.md")
            }
        }
    }

    /// A Python with DuckDB and its SQLite scanner: PHASECAST_DUCKDB_PYTHON, or the environment
    /// `make test` sets up under .build (nil when neither is there: PyPI out of reach).
    static var duckdbPython: String? {
        if let given = ProcessInfo.processInfo.environment["PHASECAST_DUCKDB_PYTHON"] { return given }
        let built = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/duckdb-venv/bin/python").path
        return FileManager.default.isExecutableFile(atPath: built) ? built : nil
    }

    @Test(
        .enabled(
            if: duckdbPython != nil,
            "no Python with duckdb and duckdb-extension-sqlite_scanner; make test installs them"))
    func duckDBReadsEveryViewAsSQLiteDoesWithTypedColumns() throws {
        // A fleet with forecasts scored against what followed (v_forecast_errors has rows) and a
        // UTC offset (the hour keys carry it).
        let dir = TemporaryDirectory()
        let pipeline = dir.write(
            "views.toml",
            """
            [pipeline]
            name = "views"
            database = "\(dir.path)/fleet.db"
            reports = "\(dir.path)/reports"
            [synth]
            out = "\(dir.path)/synth"
            days = 35
            seed = 6
            end = "2026-03-31"
            scale = 0.02
            [ingest]
            paths = ["\(dir.path)/synth/logs"]
            [transform]
            utc_offset = "+05:30"
            [forecast]
            horizon = "14d"
            backfill = 1
            backfill_step = "14d"
            [plan]
            horizons = ["7d"]
            backtest_cutoffs = 0
            """)
        let run = try Phasecast.run(["run", pipeline, "--quiet"])
        #expect(run.status == 0 || run.status == 65, "\(run.stderr)")
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "duckdb_views.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Self.duckdbPython))
        process.arguments = [script.path, dir.path + "/fleet.db"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(said)")
        #expect(said.contains("ok   v_forecast_errors: ") && !said.contains("v_forecast_errors: 0 rows"), "\(said)")
        #expect(said.contains("ok   v_hourly_phase"), "\(said)")
    }
}
