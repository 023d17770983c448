import Extract
import Foundation
import Store
import TestSupport
import Testing

@testable import Stages

/// A stored report that cannot be read says which run, in which format, and why; it never crashes
/// and never renders something else.
@Suite struct ReportSnapshotTests {
    func database(_ dir: TemporaryDirectory) throws -> Connection {
        let connection = try Connection(path: dir.file("r.db"))
        try Migrator.migrate(connection)
        try connection.run(
            "INSERT INTO pipeline_runs (run_id, pipeline, started_at) VALUES (1, 'nightly', '2026-12-07T02:30:00Z')")
        return connection
    }

    func store(_ connection: Connection, format: Int64, input: [UInt8]) throws {
        try connection.run(
            "INSERT INTO report_snapshots (run_id, pipeline, as_of_day, format, input) VALUES (1, 'nightly', 20793, ?, ?)",
            [.integer(format), .blob(input)])
    }

    func problem(_ connection: Connection) -> ReportSnapshot.Problem? {
        do {
            _ = try ReportSnapshot.load(from: connection)
            return nil
        } catch let problem as ReportSnapshot.Problem {
            return problem
        } catch {
            Issue.record("unexpected error: \(error)")
            return nil
        }
    }

    @Test func aSnapshotOfAnotherShapeOrNotGzipIsUnreadableNamingTheRun() throws {
        let dir = TemporaryDirectory()
        let connection = try database(dir)
        try store(connection, format: 1, input: GzipData.compress(Array(#"{"pipeline":"nightly"}"#.utf8)))
        guard case .unreadable(let run, let format, let reason) = problem(connection) else {
            Issue.record("a snapshot missing fields was read")
            return
        }
        #expect(run == 1 && format == 1 && reason.contains("no asOfDay"), "\(reason)")
        try connection.run("UPDATE report_snapshots SET input = ?", [.blob(Array("plain text".utf8))])
        #expect(problem(connection)?.description.contains("not gzip-compressed JSON") == true)
        try connection.run("UPDATE report_snapshots SET format = 99")
        #expect(problem(connection)?.description.contains("snapshot format 99") == true)
        #expect(problem(connection)?.exitStatus == .dataError)
    }

    @Test func noSnapshotIsNoInput() throws {
        let dir = TemporaryDirectory()
        let connection = try database(dir)
        #expect(problem(connection) == .noReports(pipeline: nil))
        #expect(try ReportSnapshot.list(in: connection).isEmpty)
    }
}
