import Foundation
import Store
import TestSupport
import Testing

/// Sharded ingest on Kubernetes' model: N processes load disjoint files into their own
/// databases at once, and `phasecast merge` joins them. The merged database must be what one
/// process loading every file makes.
@Suite struct ShardMergeTests {
    /// Every table but the run logs, as sorted text rows, with file ids replaced by paths and
    /// model ids by names (the ids are assigned in load order, which differs by design), and the
    /// registry's per-run columns and every `…_at` time of writing left out.
    func contents(_ path: String) throws -> [String: [String]] {
        let connection = try Connection(path: path, readOnly: true)
        let logs: Set = ["ingest_runs", "transform_runs", "pipeline_runs", "report_snapshots"]
        let perRun: Set = ["file_id", "run_id", "loaded_at", "load_seconds", "first_rowid", "last_rowid"]
        var tables: [String: [String]] = [:]
        for table in try connection.rows("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .compactMap({ $0[0].text }) where !logs.contains(table) && !table.hasPrefix("sqlite_")
        {
            let columns = try connection.rows("SELECT name FROM pragma_table_info(?)", [.text(table)]).compactMap {
                $0[0].text
            }
            let selected = columns.compactMap { column -> String? in
                if table == "source_files" && perRun.contains(column) { return nil }
                if column.hasSuffix("_at") { return nil }  // when a row was written
                if table == "models" && column == "model_id" { return nil }
                switch column {
                case "file_id": return "(SELECT path FROM source_files f WHERE f.file_id = t.file_id)"
                case "model_id":
                    return
                        "CASE t.model_id WHEN 0 THEN 'all' ELSE (SELECT name FROM models m WHERE m.model_id = t.model_id) END"
                default: return "t.\"\(column)\""
                }
            }
            tables[table] = try connection.rows("SELECT \(selected.joined(separator: ", ")) FROM \"\(table)\" t").map {
                $0.map(\.description).joined(separator: "|")
            }.sorted()
        }
        return tables
    }

    /// Two weeks of a small synthetic fleet (with its one planted truncated file); the logs' folder.
    func synthesizedFleetLogs(in dir: TemporaryDirectory) throws -> String {
        let synth = try Phasecast.run([
            "synth", "--out", dir.file("fleet"), "--days", "14", "--end", "2026-03-31", "--seed", "5", "--scale",
            "0.05",
        ])
        #expect(synth.status == 0, "\(synth.stderr)")
        return dir.file("fleet/logs")
    }

    /// A file quarantined in the fleet's database stays out of it on the sharded path too: shards
    /// given `--quarantine-from` pass it over (and finish with 0), and merging a shard made before
    /// the quarantine passes it over instead of failing the night again.
    @Test func aFileQuarantinedInTheFleetIsPassedOverByShardsAndByTheMerge() throws {
        let dir = TemporaryDirectory()
        let logs = try synthesizedFleetLogs(in: dir)
        let fleet = dir.file("fleet.db")
        // A shard of everything, loaded before the quarantine: it registers the planted truncated file as failed.
        let early = dir.file("early-shard.db")
        let first = try Phasecast.run([
            "ingest", "--quiet", "--db", early, "--shard-count", "1", "--shard-index", "0", logs,
        ])
        #expect(first.status == 65, "\(first.stderr)")
        let bad = try #require(
            try Connection(path: early, readOnly: true).scalar("SELECT path FROM source_files WHERE status = 'failed'")?
                .text)
        // The first night's merge makes the fleet's database and registers the file as failed; then
        // the file is acknowledged as bad there.
        let firstMerge = try Phasecast.run(["merge", "--quiet", early, "--into", fleet])
        #expect(firstMerge.status == 65, "\(firstMerge.stderr)")
        let add = try Phasecast.run(["quarantine", "add", bad, "--reason", "truncated upstream", "--db", fleet])
        #expect(add.status == 0, "\(add.stderr)")

        for index in 0..<2 {
            let shard = try Phasecast.run([
                "ingest", "--quiet", "--db", dir.file("shard-\(index).db"), "--shard-count", "2", "--shard-index",
                String(index), "--quarantine-from", fleet, logs,
            ])
            #expect(shard.status == 0, "\(shard.stderr)")
            let held = try Connection(path: dir.file("shard-\(index).db"), readOnly: true).scalar(
                "SELECT COUNT(*) FROM source_files WHERE path = ?", [.text(bad)])
            #expect(held?.integer == 0, "shard \(index) registered the quarantined file")
        }
        let merge = try Phasecast.run(["merge", early, "--into", fleet])
        #expect(merge.status == 0, "\(merge.stderr)")
        #expect(merge.stderr.contains("quarantined: \(bad): truncated upstream"), "\(merge.stderr)")
        let connection = try Connection(path: fleet, readOnly: true)
        #expect(try connection.scalar("SELECT status FROM source_files WHERE path = ?", [.text(bad)])?.text == "failed")
        #expect(try connection.scalar("SELECT COUNT(*) FROM source_files WHERE status = 'loaded'")?.integer ?? 0 > 0)

        // A fleet database that does not exist yet (the first night) quarantines nothing, and is not made.
        let missing = dir.file("not-yet.db")
        let firstNight = try Phasecast.run([
            "ingest", "--quiet", "--db", dir.file("night-1.db"), "--shard-count", "2", "--shard-index", "0",
            "--quarantine-from", missing, logs,
        ])
        #expect(firstNight.status == 0 || firstNight.status == 65, "\(firstNight.stderr)")
        #expect(!FileManager.default.fileExists(atPath: missing))
    }

    @Test func shardsLoadedInParallelAndMergedEqualOneProcessLoadingEverything() throws {
        let dir = TemporaryDirectory()
        let logs = try synthesizedFleetLogs(in: dir)
        let shardCount = 3
        let results = ResultBox(count: shardCount)
        DispatchQueue.concurrentPerform(iterations: shardCount) { index in
            results.set(
                index,
                try? Phasecast.run([
                    "ingest", "--quiet", "--raw", "--db", dir.file("shard-\(index).db"), "--shard-count",
                    String(shardCount), "--shard-index", String(index), logs,
                ]))
        }
        // One file of the fleet is truncated on purpose: its shard exits 65, the others 0.
        let statuses = results.values.map { $0?.status ?? -1 }
        #expect(statuses.sorted() == [0, 0, 65], "\(results.values.map { $0?.stderr ?? "" })")
        let shards = (0..<shardCount).map { dir.file("shard-\($0).db") }
        // Disjoint: every file in exactly one shard.
        var perShard: [[String]] = []
        for shard in shards {
            perShard.append(
                try Connection(path: shard, readOnly: true).rows("SELECT path FROM source_files").compactMap {
                    $0[0].text
                })
        }
        #expect(perShard.allSatisfy { !$0.isEmpty }, "a shard got no file")
        #expect(Set(perShard.joined()).count == perShard.joined().count)
        #expect(
            try Connection(path: shards[0], readOnly: true).scalar("SELECT COUNT(*) FROM mart_daily_phase")?.integer
                == 0, "a shard does not transform")

        let merged = dir.file("fleet.db")
        let merge = try Phasecast.run(["merge"] + shards + ["--into", merged])
        #expect(merge.status == 65, "the truncated file failed in its shard: \(merge.stderr)")
        let single = dir.file("single.db")
        let ingest = try Phasecast.run(["ingest", "--quiet", "--db", single, logs])
        #expect(ingest.status == 65, "\(ingest.stderr)")

        let expected = try contents(single)
        let made = try contents(merged)
        #expect(Set(made.keys) == Set(expected.keys))
        for table in expected.keys.sorted() {
            #expect(made[table] == expected[table], "\(table) differs from a single process's")
        }
        #expect((expected["requests"]?.count ?? 0) > 1000 && (expected["mart_daily_phase"]?.count ?? 0) > 10)

        // A shard merged again changes nothing.
        let again = try Phasecast.run(["merge", shards[1], "--into", merged])
        #expect(again.stderr.contains("0 files merged"), "\(again.stderr)")
        #expect(try contents(merged) == made)
        // Shards whose files were loaded directly are recognised by content: nothing doubles.
        let intoSingle = try Phasecast.run(["merge"] + shards + ["--into", single])
        #expect(intoSingle.stderr.contains("0 files merged"), "\(intoSingle.stderr)")
        #expect(try contents(single) == expected)
    }

    @Test func shardOptionsAreChecked() throws {
        let dir = TemporaryDirectory()
        let log = dir.write("a.jsonl", "")
        let noIndex = try Phasecast.run(["ingest", "--db", dir.file("s.db"), "--shard-count", "2", log])
        #expect(noIndex.status == 64 && noIndex.stderr.contains("JOB_COMPLETION_INDEX"), "\(noIndex.stderr)")
        let outside = try Phasecast.run([
            "ingest", "--db", dir.file("s.db"), "--shard-count", "2", "--shard-index", "2", log,
        ])
        #expect(outside.status == 64 && outside.stderr.contains("outside 0…1"), "\(outside.stderr)")
        let missing = try Phasecast.run(["merge", dir.file("absent.db"), "--into", dir.file("fleet.db")])
        #expect(missing.status == 66 && missing.stderr.contains("no such shard database"), "\(missing.stderr)")
        let itself = try Phasecast.run(["merge", dir.file("fleet.db"), "--into", dir.file("fleet.db")])
        #expect(itself.status != 0)
    }
}

/// Results written by concurrent iterations, each to its own slot.
final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [ProcessResult?]

    init(count: Int) { values = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: ProcessResult?) {
        lock.lock()
        values[index] = value
        lock.unlock()
    }
}
