import ChildProcess
import Foundation
import PhasecastCore
import Store

/// A stage of phasecast that the kill trials interrupt.
enum Stage: String, CaseIterable {
    /// `phasecast ingest` of the log folder (its transform included).
    case ingest
    /// `phasecast transform` of a database whose logs were loaded with `--no-transform`.
    case transform
    /// `phasecast run` of a pipeline: ingest, transform, forecast, plan, report.
    case run
}

/// One database and report folder of the fault suite, and the runs made on it.
struct Trial {
    let folder: String
    let logs: String
    var database: String { folder + "/fleet.db" }

    init(root: String, name: String, logs: String) {
        folder = root + "/" + name
        self.logs = logs
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let pipeline = """
            [pipeline]
            name = "faults"
            database = "\(folder)/fleet.db"
            reports = "\(folder)/reports"

            [ingest]
            paths = ["\(logs)/logs"]

            [forecast]
            horizon = "30d"
            events = "\(logs)/holidays.csv"
            backfill = 1

            [plan]
            horizons = ["7d", "30d"]
            """
        try? pipeline.write(toFile: folder + "/faults.toml", atomically: true, encoding: .utf8)
    }

    /// The command line of a stage on this trial's database.
    func arguments(_ binary: String, _ stage: Stage, database: String? = nil) -> [String] {
        switch stage {
        case .ingest: [binary, "ingest", "--quiet", "--wait", "300", "--db", database ?? self.database, logs + "/logs"]
        case .transform: [binary, "transform", "--db", database ?? self.database]
        case .run: [binary, "run", folder + "/faults.toml", "--quiet"]
        }
    }

    /// Runs a stage to its end, or kills it with SIGKILL after `killAfter` seconds.
    func run(_ binary: String, _ stage: Stage, killAfter: Double? = nil) throws -> ChildProcess.Measurement {
        try ChildProcess.run(
            arguments(binary, stage), outputPath: "/dev/null", captureErrors: true, killAfter: killAfter)
    }

    /// Starts from a copy of another trial's database (its write-ahead log included).
    func copyDatabase(from other: Trial) throws {
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: other.database + suffix) {
            try? FileManager.default.removeItem(atPath: database + suffix)
            try FileManager.default.copyItem(atPath: other.database + suffix, toPath: database + suffix)
        }
    }

    /// `PRAGMA integrity_check` of the database.
    func integrity() throws -> String {
        try Connection(path: database).queryOne("PRAGMA integrity_check").text("integrity_check")
    }

    /// The tables a run's outcome consists of, and the report's files.
    struct Snapshot: Equatable {
        var tables: [String: [String]]
        var report: [String: Data]

        func differences(from other: Snapshot) -> String {
            Set(tables.keys).union(other.tables.keys).filter { tables[$0] != other.tables[$0] }.sorted()
                .joined(separator: ", ")
        }

        /// Rows of `expected` missing here (lost) and rows here beyond `expected` (doubled or
        /// spurious), counted as multisets over every table.
        func rowDifferences(from expected: Snapshot) -> (lost: Int, extra: Int) {
            var lost = 0
            var extra = 0
            for table in Set(tables.keys).union(expected.tables.keys) {
                var counts: [String: Int] = [:]
                for row in expected.tables[table] ?? [] { counts[row, default: 0] += 1 }
                for row in tables[table] ?? [] { counts[row, default: 0] -= 1 }
                for count in counts.values {
                    if count > 0 { lost += count } else { extra -= count }
                }
            }
            return (lost, extra)
        }
    }

    /// Tables that hold data (not run logs, nor the per-run report snapshots), each as sorted rows without the columns that record
    /// when or by which run a row was written; and the report's files by name.
    func snapshot() throws -> Snapshot {
        let connection = try Connection(path: database)
        let tables = try connection.query(
            """
            SELECT name FROM sqlite_master WHERE type = 'table'
                AND name NOT IN ('ingest_runs', 'transform_runs', 'pipeline_runs', 'report_snapshots', 'sqlite_sequence')
            """
        ).map { try $0.text("name") }
        var rows: [String: [String]] = [:]
        for table in tables {
            let columns = try connection.query("SELECT name FROM pragma_table_info(?)", [.text(table)]).map {
                try $0.text("name")
            }.filter { !$0.hasSuffix("_at") && $0 != "run_id" && $0 != "load_seconds" && $0 != "forecast_run_id" }
            let list = columns.map { "\"\($0)\"" }.joined(separator: ", ")
            rows[table] = try connection.query("SELECT \(list) FROM \"\(table)\"").map {
                $0.values.map(\.description).joined(separator: "|")
            }.sorted()
        }
        var report: [String: Data] = [:]
        let reports = folder + "/reports/faults"
        for day in (try? FileManager.default.contentsOfDirectory(atPath: reports)) ?? [] {
            for file in (try? FileManager.default.contentsOfDirectory(atPath: reports + "/" + day)) ?? [] {
                report[day + "/" + file] = FileManager.default.contents(atPath: reports + "/" + day + "/" + file)
            }
        }
        return Snapshot(tables: rows, report: report)
    }
}
