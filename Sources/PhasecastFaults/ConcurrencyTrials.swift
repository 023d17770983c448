import ChildProcess
import Foundation
import PhasecastCore
import Store
import Synchronization

/// Two writers at once on one database, one through the real path and one through a symlink
/// (the run lock is on the file's identity, so one waits for the other), while readers without
/// a busy timeout query it as `sqlite3` would: both writers must end as two ingests one after
/// the other do, the tables must be theirs, no file may be flagged, and a reader that keeps its
/// connection must never see "database is locked".
struct ConcurrencyTrials {
    let binary: String
    let root: String
    let logs: String
    let rounds: Int

    func run(_ tally: FaultTally) throws {
        tally.section(
            "two writers (path and symlink) and a reader at once",
            columns: [
                "round", "writers' exits", "flagged files", "data", "refused: reader keeping its connection",
                "refused: reader reconnecting per query",
            ])
        // Two ingests one after the other: what the two writers at once must come to.
        let reference = Trial(root: root, name: "reference-two-writers", logs: logs)
        var expectedStatuses: [Int32] = []
        for _ in 0..<2 {
            expectedStatuses.append(
                try ChildProcess.run(reference.arguments(binary, .ingest), outputPath: "/dev/null", captureErrors: true)
                    .status)
        }
        expectedStatuses.sort()
        let expected = try reference.snapshot()
        for round in 1...rounds {
            let trial = Trial(root: root, name: "writers-\(round)", logs: logs)
            let link = trial.folder + "/fleet-link.db"
            // The database exists before either writer starts, so that the link resolves.
            _ = try ChildProcess.run(
                [binary, "transform", "--db", trial.database], outputPath: "/dev/null", captureErrors: true)
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: trial.database)
            let exits = Mutex<[Int32]>([])
            let writersDone = Atomic<Int>(0)
            // Threads of their own: the reader must run while both writers do, whatever the cores.
            let group = DispatchGroup()
            for database in [trial.database, link] {
                group.enter()
                Thread.detachNewThread {
                    let arguments = trial.arguments(binary, .ingest, database: database)
                    let status = (try? ChildProcess.run(arguments, outputPath: "/dev/null", captureErrors: true))?
                        .status
                    exits.withLock { $0.append(status ?? -1) }
                    writersDone.add(1, ordering: .sequentiallyConsistent)
                    group.leave()
                }
            }
            let read = Self.read(trial.database) { writersDone.load(ordering: .sequentiallyConsistent) == 2 }
            group.wait()
            let statuses = exits.withLock { $0 }.sorted()
            let flagged = try Connection(path: trial.database).queryOne(
                "SELECT count(*) AS n FROM source_files WHERE status = 'outdated'"
            ).int("n")
            let actual = try trial.snapshot()
            let (lost, extra) = actual.rowDifferences(from: expected)
            // The held reader must never be refused; the reopening one is counted: it can meet the
            // moment a writer process opens or closes the database (SQLite's WAL recovery and
            // checkpoint-on-close take the lock briefly) and should set a busy timeout.
            let ok =
                statuses == expectedStatuses && flagged == 0 && actual.tables == expected.tables
                && read.held.locked == 0 && read.held.queries > 0
            if ok { try? FileManager.default.removeItem(atPath: trial.folder) }
            tally.record(
                "writers \(round)",
                [
                    "\(round)", statuses.map(String.init).joined(separator: ", "), "\(flagged)",
                    actual.tables == expected.tables ? "same" : "DIFFERENT (\(actual.differences(from: expected)))",
                    "\(read.held.locked) of \(read.held.queries)",
                    "\(read.reopened.locked) of \(read.reopened.queries)",
                ], ok: ok, note: read.held.errors.first ?? "", lost: lost, extra: extra,
                crashed: statuses.contains { $0 >= 128 })
        }
    }

    /// What a reader saw: queries made, and those refused because the database was locked or busy.
    struct Reads {
        var queries = 0
        var locked = 0
        var errors: [String] = []

        mutating func query(_ connection: Connection, _ sql: String) {
            queries += 1
            do {
                _ = try connection.query(sql)
            } catch {
                if error.description.contains("locked") || error.description.contains("busy") { locked += 1 }
                if errors.count < 3 { errors.append(error.description) }
            }
        }
    }

    /// Queries the database until `stop` says so, with no busy timeout, as two readers: one that
    /// keeps its connection (a `sqlite3` session, Datasette, a notebook) and one that opens a new
    /// connection for every query (`sqlite3 db "SELECT …"` from a script).
    static func read(_ database: String, until stop: () -> Bool) -> (held: Reads, reopened: Reads) {
        var held = Reads()
        var reopened = Reads()
        let statements = [
            "SELECT count(*), sum(prompt_tokens) FROM requests",
            "SELECT * FROM v_source_files",
            "SELECT model, sum(output_tokens) FROM v_request_minutes GROUP BY model",
        ]
        let session = try? Connection(path: database, readOnly: true)
        session?.setBusyTimeout(milliseconds: 0)
        while !stop() {
            for sql in statements {
                if let session { held.query(session, sql) }
                if let connection = try? Connection(path: database, readOnly: true) {
                    connection.setBusyTimeout(milliseconds: 0)
                    reopened.query(connection, sql)
                }
            }
            usleep(5_000)
        }
        return (held, reopened)
    }
}
