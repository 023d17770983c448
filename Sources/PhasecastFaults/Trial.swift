import Foundation
import PhasecastCore
import Store

/// One database and report folder of the fault suite, and the runs made on it.
struct Trial {
    let folder: String
    let logs: String

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

    /// Runs the pipeline to its end, or kills it with SIGKILL after `killAfter` seconds; returns
    /// the exit status (128 + 9 when killed).
    func run(_ binary: String, killAfter: Double? = nil) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["run", folder + "/faults.toml", "--quiet"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        if let killAfter {
            let deadline = Date().addingTimeInterval(killAfter)
            while process.isRunning && Date() < deadline { usleep(2_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        return process.terminationReason == .uncaughtSignal
            ? 128 + process.terminationStatus : process.terminationStatus
    }

    /// `PRAGMA integrity_check` of the database.
    func integrity() throws -> String {
        try Connection(path: folder + "/fleet.db").queryOne("PRAGMA integrity_check").text("integrity_check")
    }

    /// The tables a run's outcome consists of, and the report's files.
    struct Snapshot: Equatable {
        var tables: [String: [String]]
        var report: [String: Data]

        func differences(from other: Snapshot) -> String {
            tables.keys.filter { tables[$0] != other.tables[$0] }.sorted().joined(separator: ", ")
        }
    }

    /// Tables that hold data (not run logs), each as sorted rows without the columns that record
    /// when or by which run a row was written; and the report's files by name.
    func snapshot() throws -> Snapshot {
        let connection = try Connection(path: folder + "/fleet.db")
        let tables = try connection.query(
            """
            SELECT name FROM sqlite_master WHERE type = 'table'
                AND name NOT IN ('ingest_runs', 'transform_runs', 'pipeline_runs', 'sqlite_sequence')
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
