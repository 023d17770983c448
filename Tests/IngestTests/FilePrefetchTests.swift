import Extract
import Foundation
import PhasecastCore
import Store
import TestSupport
import Testing

@testable import Ingest

/// The next file's reading and parsing start while the current one is written: whatever is
/// started ahead, each file loads (or fails) on its own turn, exactly as when loaded alone.
@Suite struct FilePrefetchTests {
    @Test func filesStartedAheadLoadOnTheirTurnAndAFileThatCannotBeOpenedFailsAlone() throws {
        let dir = TemporaryDirectory()
        let paths = (0..<3).map { index in
            dir.writeGzip(
                "night-\(index).jsonl.gz",
                members: [
                    openAILines(count: 500, start: 1_762_000_000 + Int64(index) * 86_400, seed: UInt64(index + 1))
                        .joined(separator: "\n") + "\n"
                ])
        }
        let missing = dir.file("vanished.jsonl.gz")
        let options = IngestOptions(databasePath: dir.file("p.db"), inputs: [], keepRaw: true)
        let connection = try Connection(path: options.databasePath)
        try Migrator.migrate(connection)
        try connection.run("INSERT INTO ingest_runs (started_at, arguments) VALUES ('now', 'test')")
        let loader = try FileLoader(
            connection: connection, options: options, runID: connection.lastInsertRowID, progressLine: nil)
        func plan(_ path: String) -> FileLoader.Plan {
            FileLoader.Plan(input: InputFile(path: path, kind: .file), registryPath: path)
        }
        // In order, each with the next started ahead, the missing one among them.
        #expect(loader.load(plan(paths[0]), next: plan(missing)).status == .loaded)
        let failed = loader.load(plan(missing), next: plan(paths[1]))
        #expect(failed.status == .failed)
        #expect(failed.message?.contains("vanished.jsonl.gz") == true, "\(failed.message ?? "")")
        #expect(loader.load(plan(paths[1]), next: plan(paths[0])).status == .loaded)
        // Out of order: the file started ahead (paths[0], already in) is set aside, and the one
        // asked for loads from the start.
        #expect(loader.load(plan(paths[2])).status == .loaded)
        loader.discardPrepared()

        let alone = dir.file("alone.db")
        try ingest(alone, paths)
        #expect(try totals(options.databasePath).rollups == totals(alone).rollups)
        #expect(try totals(options.databasePath).raw == totals(alone).raw)
        #expect(try connection.scalar("SELECT count(*) FROM source_files WHERE status = 'loaded'")?.integer == 3)
    }
}
