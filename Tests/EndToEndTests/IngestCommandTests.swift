import Foundation
import Ingest
import Store
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct IngestCommandTests {
    @Test func loadsAFixtureAndSkipsItTheSecondTime() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("p.db")
        let first = try Phasecast.run(["ingest", "--db", db, Fixtures.path("azure2023_code.csv.gz")])
        #expect(first.status == 0)
        #expect(
            first.stderr.contains("loaded   \(Fixtures.path("azure2023_code.csv.gz")) (azure, 8819 rows, 0 rejected"))
        let second = try Phasecast.run(["ingest", "--db", db, Fixtures.path("azure2023_code.csv.gz")])
        #expect(second.status == 0)
        #expect(second.stderr.contains("skipped  \(Fixtures.path("azure2023_code.csv.gz")): already loaded"))
        let rows = try Connection(path: db).scalar("SELECT count(*) FROM v_requests")?.integer
        #expect(rows == 8819)
    }

    @Test func jsonSummaryDescribesEveryFile() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("p.db")
        let bad = dir.write("bad.csv.gz", bytes: [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3])
        let result = try Phasecast.run([
            "ingest", "--db", db, "--json", "--quiet", Fixtures.path("azure2023_code.csv.gz"), bad,
        ])
        #expect(result.status == 65)
        let report = try JSONDecoder().decode(IngestReport.self, from: Data(result.stdout.utf8))
        #expect(report.files.map(\.status) == [.loaded, .failed])
        #expect(report.files[0].rows == 8819)
        #expect(report.files[1].message?.contains("bad.csv.gz") == true)
        #expect(report.exitCode == 65)
        #expect(result.stderr.isEmpty)
    }

    @Test func aSampleRateScalesEveryCountExactlyAndCanChangeWithoutReadingAgain() throws {
        let dir = TemporaryDirectory()
        let fixture = Fixtures.path("azure2023_code.csv.gz")
        let plain = dir.file("plain.db")
        let sampled = dir.file("sampled.db")
        #expect(try Phasecast.run(["ingest", "--db", plain, "--quiet", fixture]).status == 0)
        #expect(try Phasecast.run(["ingest", "--db", sampled, "--quiet", "--sample-rate", "25", fixture]).status == 0)
        let totals = """
            SELECT SUM(requests) || ' ' || SUM(prompt_tokens) || ' ' || SUM(output_tokens) || ' ' ||
                printf('%.6f', SUM(decode_gpu_hours)) FROM v_daily_phase WHERE model = 'all'
            """
        func numbers(_ db: String) throws -> [Double] {
            let text = try Connection(path: db).scalar(totals)?.text ?? ""
            return text.split(separator: " ").compactMap { Double($0) }
        }
        let base = try numbers(plain)
        let scaled = try numbers(sampled)
        #expect(base.count == 4 && base[0] == 8819)
        #expect(zip(base, scaled).dropLast().allSatisfy { $0 * 25 == $1 })  // integers, exactly
        #expect(abs(scaled[3] - 25 * base[3]) <= 25e-6 * 2)
        // The raw rows stay as logged; the rollup view stands for the whole traffic.
        let connection = try Connection(path: sampled)
        #expect(try connection.scalar("SELECT COUNT(*) FROM v_requests")?.integer == 8819)
        #expect(try connection.scalar("SELECT SUM(requests) FROM v_request_minutes")?.integer == 8819 * 25)
        #expect(try connection.scalar("SELECT sample_rate FROM v_source_files")?.integer == 25)
        // Back to 1 in 1: the file is not read again, its days are rolled up anew.
        let changed = try Phasecast.run(["ingest", "--db", sampled, "--sample-rate", "1", fixture])
        #expect(changed.status == 0)
        #expect(changed.stderr.contains("sample rate 25 → 1: its days are rolled up again"))
        #expect(try numbers(sampled) == base)
        // Without --sample-rate a loaded file keeps its rate.
        #expect(try Phasecast.run(["ingest", "--db", plain, "--quiet", "--sample-rate", "4", fixture]).status == 0)
        #expect(try Phasecast.run(["ingest", "--db", plain, "--quiet", fixture]).status == 0)
        #expect(try numbers(plain)[0] == 8819 * 4)
    }

    static let usageCases: [([String], Int32)] = [
        (["ingest", "--format", "nope", "x"], 64),
        (["ingest", "--format", "csv", "x"], 64),
        (["ingest", "--max-reject-rate", "2", "x"], 64),
        (["ingest", "--start", "yesterday", "x"], 64),
        (["ingest", "--sample-rate", "0", "x"], 64),
        (["ingest", "--bogus-flag", "x"], 64),
        (["ingest", "/no/such/file.csv"], 66),
    ]

    @Test(arguments: usageCases)
    func usageErrorsAndMissingInputsHaveTheirExitCodes(arguments: [String], expected: Int32) throws {
        let dir = TemporaryDirectory()
        let result = try Phasecast.run(arguments + ["--db", dir.file("p.db")])
        #expect(result.status == expected, "\(arguments): \(result.stderr)")
        #expect(!result.stderr.isEmpty)
    }

    @Test func standardInputIsReadAndNamedByItsContent() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("p.db")
        let text = Array(try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("azure2023_code.csv.gz"))))
        let result = try Phasecast.run(["ingest", "--db", db, "-"], input: text)
        #expect(result.status == 0, "\(result.stderr)")
        let again = try Phasecast.run(["ingest", "--db", db, "-"], input: text)
        #expect(again.stderr.contains("skipped  stdin:xxh64:"))
        let connection = try Connection(path: db)
        #expect(try connection.scalar("SELECT count(*) FROM requests")?.integer == 8819)
        #expect(try connection.scalar("SELECT path FROM source_files")?.text?.hasPrefix("stdin:xxh64:") == true)
    }

    @Test func aSecondWriterIsTurnedAwayWith75() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("p.db")
        let lock = try RunLock(databasePath: db, waitSeconds: 0)
        let refused = try Phasecast.run(["ingest", "--db", db, Fixtures.path("azure2023_code.csv.gz")])
        #expect(refused.status == 75)
        #expect(refused.stderr.contains("another phasecast run (pid \(getpid())) is writing to \(db)"))
        let waited = try Phasecast.run(["ingest", "--db", db, "--wait", "0.3", Fixtures.path("azure2023_code.csv.gz")])
        #expect(waited.status == 75)
        withExtendedLifetime(lock) {}
    }

    /// The lock is the database file's, not its path's spelling: a symlink or a path through
    /// another folder name reaches the same lock.
    @Test func aSecondWriterThroughASymlinkOrAnotherSpellingIsTurnedAwayToo() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("p.db")
        FileManager.default.createFile(atPath: db, contents: nil)
        try FileManager.default.createSymbolicLink(atPath: dir.file("alias.db"), withDestinationPath: db)
        try FileManager.default.createSymbolicLink(atPath: dir.file("folder"), withDestinationPath: dir.path)
        let lock = try RunLock(databasePath: db, waitSeconds: 0)
        for spelling in [dir.file("alias.db"), dir.file("folder/p.db"), dir.path + "/./p.db"] {
            let refused = try Phasecast.run(["ingest", "--db", spelling, Fixtures.path("azure2023_code.csv.gz")])
            #expect(refused.status == 75, "\(spelling): \(refused.stderr)")
        }
        withExtendedLifetime(lock) {}
    }

    /// Write-ahead logging: an analyst's open read transaction (sqlite3 left in BEGIN) does not
    /// hold up the nightly ingest, and the reader keeps its consistent view meanwhile.
    @Test func anOpenReadTransactionDoesNotHoldUpAnIngest() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("p.db")
        let first = try Phasecast.run(["ingest", "--db", db, "--no-transform", Fixtures.path("azure2023_code.csv.gz")])
        #expect(first.status == 0, "\(first.stderr)")
        let reader = try Connection(path: db, readOnly: true)
        try reader.execute("BEGIN")
        #expect(try reader.scalar("SELECT COUNT(*) FROM requests")?.integer == 8819)
        let started = Date()
        let second = try Phasecast.run(["ingest", "--db", db, "--no-transform", Fixtures.path("azure2023_conv.csv.gz")])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(Date().timeIntervalSince(started) < 20, "the writer waited for the reader")
        #expect(try reader.scalar("SELECT COUNT(*) FROM requests")?.integer == 8819, "the reader's view moved")
        try reader.execute("COMMIT")
        #expect(try reader.scalar("SELECT COUNT(*) FROM requests")?.integer == 8819 + 19366)
        #expect(try reader.scalar("PRAGMA journal_mode")?.text == "wal")
    }

    @Test func aRunKilledMidFileLeavesNoneOfItsRowsAndTheRerunLoadsItAll() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("p.db")
        // Large enough that loading takes a while: about 1.5 M rows, plain text.
        let path = dir.file("big.csv")
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        handle.write(Data("TIMESTAMP,ContextTokens,GeneratedTokens\n".utf8))
        var block = ""
        for i in 0..<1_500_000 {
            let second = i / 20
            block +=
                "2024-05-10 \(String(format: "%02d:%02d:%02d", second / 3600 % 24, second / 60 % 60, second % 60)).\(i % 10)000000,\(100 + i % 5000),\(1 + i % 700)\n"
            if block.utf8.count > 1 << 20 {
                handle.write(Data(block.utf8))
                block = ""
            }
        }
        handle.write(Data(block.utf8))
        try handle.close()
        let small = dir.write(
            "small.jsonl", #"{"created":1762000000,"model":"m","usage":{"prompt_tokens":5,"completion_tokens":6}}"#)

        let (process, _, errors) = try Phasecast.start(["ingest", "--db", db, small, path])
        // Wait until the small file is committed (its line is logged after the commit), then
        // until the big file is being written: its uncommitted pages grow the write-ahead log.
        // Waiting on the log and the file, not on time, keeps this right on a busy machine.
        let deadline = Date().addingTimeInterval(120)
        var logged = ""
        while !logged.contains("small.jsonl") && Date() < deadline {
            let chunk = errors.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            logged += String(decoding: chunk, as: UTF8.self)
        }
        #expect(logged.contains("small.jsonl"), "\(logged)")
        func walBytes() -> Int {
            ((try? FileManager.default.attributesOfItem(atPath: db + "-wal"))?[.size] as? Int) ?? 0
        }
        let committed = walBytes()
        while walBytes() < committed + (4 << 20) && process.isRunning && Date() < deadline { usleep(2000) }
        #expect(process.isRunning, "the load ended before it could be interrupted")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)

        let connection = try Connection(path: db)
        // The small file committed before; nothing of the big one did.
        #expect(try connection.scalar("SELECT count(*) FROM requests")?.integer == 1)
        #expect(try connection.scalar("SELECT count(*) FROM request_minutes")?.integer == 1)
        #expect(try connection.scalar("SELECT count(*) FROM source_files WHERE path = ?", [.text(path)])?.integer == 0)

        let rerun = try Phasecast.run(["ingest", "--db", db, small, path])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(try connection.scalar("SELECT count(*) FROM requests")?.integer == 1_500_001)
        #expect(try connection.scalar("SELECT sum(requests) FROM request_minutes")?.integer == 1_500_001)
    }
}

/// What `phasecast run` reads from `[ingest]` and `[[ingest.sources]]`, and what both commands refuse.
@Suite struct IngestSourcesCommandTests {
    @Test func runLoadsEverySourceWithItsOwnFormatAndMapping() throws {
        let dir = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.file("dynamo"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir.file("mapped"), withIntermediateDirectories: true)
        var dynamo: [String] = []
        var mapped: [String] = []
        var expectedPrompt: Int64 = 0
        for index in 0..<60 {
            let ms = 1_762_178_727_000 + Int64(index) * 60_000
            dynamo.append(
                #"{"schema":"dynamo.request.trace.v1","event_type":"request_end","request":{"request_id":"d\#(index)","model":"qwen3-32b","input_tokens":\#(1000 + index),"output_tokens":50,"cached_tokens":0,"request_received_ms":\#(ms)}}"#
            )
            mapped.append(#"{"at":\#(index * 60),"req":{"in":\#(10 + index),"out":3}}"#)
            expectedPrompt += Int64(1000 + index) + Int64(10 + index)
        }
        _ = dir.write("dynamo/trace.jsonl", dynamo.joined(separator: "\n"))
        _ = dir.write("mapped/relative.jsonl", mapped.joined(separator: "\n"))
        let db = dir.file("p.db")
        let pipeline = dir.write(
            "p.toml",
            """
            [pipeline]
            database = "\(db)"
            reports = "\(dir.file("reports"))"

            [ingest]
            paths = ["\(dir.file("dynamo"))"]
            no_raw = true

            [[ingest.sources]]
            paths = ["\(dir.file("mapped"))"]
            map = "ts=at,prompt=req.in,output=req.out"
            ts_format = "s"
            start = "2025-11-03T00:00:00Z"
            model = "mapped-model"
            """)
        let result = try Phasecast.run(["run", pipeline])
        #expect((result.stdout + result.stderr).contains("2 loaded (120 rows)"), "\(result.stdout)")
        let connection = try Connection(path: db)
        let formats = try connection.query("SELECT format, raw_rows FROM v_source_files ORDER BY path").map {
            "\(try $0.text("format")) \(try $0.int("raw_rows"))"
        }
        #expect(formats == ["dynamo 0", "csv 0"])
        #expect(try connection.scalar("SELECT SUM(prompt_tokens) FROM v_request_minutes")?.integer == expectedPrompt)
        let models = try connection.query("SELECT name FROM models ORDER BY name").map { try $0.text("name") }
        #expect(models == ["mapped-model", "qwen3-32b"])
        let first = try connection.scalar("SELECT MIN(minute) FROM v_request_minutes WHERE model = 'mapped-model'")
        #expect(first?.text == "2025-11-03T00:00:00Z")
    }

    @Test func startForAFormatWithAbsoluteTimesIsAUsageError() throws {
        let dir = TemporaryDirectory()
        let result = try Phasecast.run([
            "ingest", "--db", dir.file("p.db"), "--format", "dynamo", "--start", "2025-01-01", dir.file("x.jsonl"),
        ])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--start would be ignored"))
        let pipeline = dir.write(
            "p.toml",
            "[ingest]\npaths = [\"logs\"]\nformat = \"gemini\"\n[[ingest.sources]]\npaths = [\"b\"]\nformat = \"azure\"\nstart = \"2025-01-01\"\n"
        )
        let check = try Phasecast.run(["run", "--check", pipeline])
        #expect(check.status == 78)
        #expect(check.stderr.contains("ingest.sources[1].start"), "\(check.stderr)")
    }
}
