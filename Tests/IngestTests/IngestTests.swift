import Foundation
import Ingest
import LogFormats
import PhasecastCore
import Store
import Synchronization
import TestSupport
import Testing

@Suite struct IngestTests {
    @Test func theAzureCodeTraceLoadsExactly() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("p.db")
        let report = try ingest(db, [Fixtures.path("azure2023_code.csv.gz")])
        #expect(report.exitCode == 0)
        #expect(report.files.map(\.status) == [.loaded])
        let (raw, rollups) = try totals(db)
        #expect(raw == [8819, 18_059_974, 0, 245_896])
        #expect(rollups == raw)
        let connection = try Connection(path: db)
        let view = try connection.rows(
            "SELECT count(*), sum(prefill_tokens), min(ts_utc), max(ts_utc) FROM v_requests")[0]
        #expect(view == [8819, 18_059_974, "2023-11-16T18:17:03.979960Z", "2023-11-16T19:14:19.928016Z"])
        let file = try connection.records("SELECT * FROM v_source_files")[0]
        #expect(file["status"] == "loaded" && file["rows"] == 8819 && file["format"] == "azure")
        #expect(file["first_ts_utc"] == "2023-11-16T18:17:03Z")
    }

    @Test func theMooncakeTraceDerivesCachedTokensFromBlockReuse() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("p.db")
        let options = ParseOptions(start: 1_717_200_000_000_000)
        let report = try ingest(db, [Fixtures.path("mooncake_conversation.jsonl.gz")], parse: options)
        #expect(report.files.first?.format == "mooncake")
        let (raw, rollups) = try totals(db)
        #expect(raw == [12_031, 144_793_823, 53_069_685, 4_122_048])
        #expect(rollups == raw)
    }

    @Test func theUnsortedRAGPulseCutLoadsInFullWithItsSpan() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("p.db")
        let start = Int64(1_757_476_800) * 1_000_000  // 2025-09-10T04:00:00Z
        try ingest(db, [Fixtures.path("ragpulse_two_runs.jsonl")], parse: ParseOptions(start: start))
        let connection = try Connection(path: db)
        let row = try connection.rows(
            "SELECT count(*), sum(prompt_tokens), sum(output_tokens), min(ts_us), max(ts_us) FROM requests")[0]
        #expect(row == [300, 859_703, 76_062, .integer(start), .integer(start + 16_070_000_000)])
    }

    /// Minute rollups against a GROUP BY over the raw rows, cell by cell, histograms included.
    func expectRollupsMatchRawRows(_ database: String) throws {
        let connection = try Connection(path: database)
        let fromRaw = try connection.rows(
            """
            SELECT file_id, ts_us / 60000000 AS minute, model_id, count(*), sum(status), sum(prompt_tokens),
                sum(cached_tokens), sum(prompt_tokens - cached_tokens),
                sum((prompt_tokens - cached_tokens) * (prompt_tokens - cached_tokens)),
                sum((prompt_tokens - cached_tokens) * cached_tokens), sum(output_tokens),
                sum(output_tokens * prompt_tokens), sum(output_tokens * output_tokens)
            FROM requests GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            """)
        let rolled = try connection.rows(
            """
            SELECT file_id, minute, model_id, requests, failed, prompt_tokens, cached_tokens, prefill_tokens,
                prefill_sq, prefill_cached, output_tokens, output_prompt, output_sq
            FROM request_minutes ORDER BY 1, 2, 3
            """)
        #expect(fromRaw.count == rolled.count)
        #expect(fromRaw == rolled)
        // Histograms: rebuilt from the raw rows of each cell.
        var expected: [String: (LengthHistogram, LengthHistogram)] = [:]
        for row in try connection.rows(
            "SELECT file_id, ts_us / 60000000, model_id, prompt_tokens, output_tokens FROM requests")
        {
            let key = "\(row[0]) \(row[1]) \(row[2])"
            var pair = expected[key] ?? (LengthHistogram(), LengthHistogram())
            pair.0.add(row[3].integer!)
            pair.1.add(row[4].integer!)
            expected[key] = pair
        }
        for row in try connection.rows(
            "SELECT file_id, minute, model_id, prompt_hist, output_hist FROM request_minutes")
        {
            let key = "\(row[0]) \(row[1]) \(row[2])"
            #expect(row[3].blob.flatMap(LengthHistogram.init(packed:)) == expected[key]?.0)
            #expect(row[4].blob.flatMap(LengthHistogram.init(packed:)) == expected[key]?.1)
        }
    }

    @Test func minuteRollupsEqualAGroupByOverRawRows() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("p.db")
        dir.writeGzip("openai.jsonl.gz", members: [openAILines(count: 3000).joined(separator: "\n") + "\n"])
        try ingest(db, [dir.file("openai.jsonl.gz"), Fixtures.path("azure2023_conv.csv.gz")])
        try expectRollupsMatchRawRows(db)
    }

    @Test func unsortedInputOverManyMinutesMergesRollupCellsThatComeBack() throws {
        // 3 models × 3000 minutes is more cells than are held at once, written in shuffled order.
        var lines = openAILines(count: 18_000, spacingSeconds: 30, seed: 7)
        var random = Sequence64(seed: 99)
        for i in stride(from: lines.count - 1, to: 0, by: -1) { lines.swapAt(i, random.next(below: i + 1)) }
        let dir = TemporaryDirectory()
        let db = dir.file("p.db")
        dir.write("shuffled.jsonl", lines.joined(separator: "\n"))
        try ingest(db, [dir.file("shuffled.jsonl")])
        try expectRollupsMatchRawRows(db)
        let cells = try Connection(path: db).scalar("SELECT count(*) FROM request_minutes")?.integer ?? 0
        #expect(cells > 4096)
    }

    @Test func ingestingTheSameFilesAgainChangesNothing() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("p.db")
        // Azure's times are absolute and RAGPulse's are offsets from --start: one run each.
        let azure = [Fixtures.path("azure2023_code.csv.gz")]
        let ragpulse = [Fixtures.path("ragpulse_two_runs.jsonl")]
        let options = ParseOptions(start: 1_757_476_800_000_000)
        try ingest(db, azure)
        try ingest(db, ragpulse, parse: options)
        let before = try snapshot(db)
        let again = [try ingest(db, azure), try ingest(db, ragpulse, parse: options)]
        #expect(again.flatMap { $0.files.map(\.status) } == [.skipped, .skipped])
        #expect(again.map(\.exitCode) == [0, 0])
        let forced = [try ingest(db, azure, rehash: true), try ingest(db, ragpulse, parse: options, rehash: true)]
        #expect(forced.flatMap { $0.files.map(\.status) } == [.skipped, .skipped])
        #expect(try snapshot(db) == before)
    }

    @Test func changedContentAtTheSamePathReplacesItsRows() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("p.db")
        let path = dir.write("day.jsonl", openAILines(count: 500, seed: 1).joined(separator: "\n"))
        try ingest(db, [path])
        let fresh = dir.file("fresh.db")
        let newContent = openAILines(count: 300, seed: 2).joined(separator: "\n")
        dir.write("day.jsonl", newContent)
        let report = try ingest(db, [path])
        #expect(report.files.map(\.status) == [.replaced])
        // The database now holds what a fresh load of the new content gives.
        try ingest(fresh, [path])
        #expect(try totals(db).raw == totals(fresh).raw)
        #expect(try totals(db).rollups == totals(fresh).rollups)
        #expect(try Connection(path: db).scalar("SELECT count(*) FROM source_files")?.integer == 1)
        try expectRollupsMatchRawRows(db)
    }

    @Test func aRenamedFileKeepsItsRowsAndIsNotLoadedTwice() throws {
        let dir = TemporaryDirectory()
        let logs = dir.file("logs")
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        let db = dir.file("p.db")
        dir.write("logs/app.jsonl", openAILines(count: 200, seed: 1).joined(separator: "\n"))
        try ingest(db, [logs])
        // Rotation: app.jsonl becomes app.jsonl.1.log; a new app.jsonl starts.
        try FileManager.default.moveItem(atPath: dir.file("logs/app.jsonl"), toPath: dir.file("logs/app.1.jsonl"))
        dir.write("logs/app.jsonl", openAILines(count: 100, seed: 2).joined(separator: "\n"))
        let report = try ingest(db, [logs])
        #expect(report.files.map(\.status) == [.skipped, .loaded])
        #expect(try totals(db).raw[0] == 300)
        let paths = try Connection(path: db).rows("SELECT path FROM source_files ORDER BY path").compactMap {
            $0[0].text
        }
        #expect(paths == [dir.file("logs/app.1.jsonl"), dir.file("logs/app.jsonl")])
    }

    @Test func theSameContentGzippedOrNotLoadsOnce() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("p.db")
        let text = openAILines(count: 50).joined(separator: "\n") + "\n"
        let plain = dir.write("a.jsonl", text)
        let packed = dir.writeGzip("a.jsonl.gz", members: [text])
        let report = try ingest(db, [plain, packed])
        #expect(report.files.map(\.status) == [.loaded, .skipped])
        #expect(try totals(db).raw[0] == 50)
    }

    /// One line with a billion output tokens would turn a day's decode GPU-hours from hundredths
    /// into millions: above the plausibility ceiling a request is a reject with its reason.
    @Test func tokenCountsAboveThePlausibilityCeilingAreRejectsNotFigures() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("p.db")
        var lines = openAILines(count: 199)
        lines.insert(
            #"{"created":1762000100,"model":"m","usage":{"prompt_tokens":12,"completion_tokens":1000000000}}"#, at: 50)
        let file = dir.write("huge.jsonl", lines.joined(separator: "\n"))
        let report = try ingest(db, [file])
        #expect(report.files.map(\.status) == [.loaded])
        let connection = try Connection(path: db)
        #expect(try connection.scalar("SELECT count(*) FROM requests")?.integer == 199)
        #expect(try connection.scalar("SELECT MAX(output_tokens) FROM requests")?.integer ?? 0 < 10_000)
        let reject = try connection.rows("SELECT line, reason FROM v_rejects")
        #expect(reject.count == 1 && reject.first?[0] == 51)
        #expect(
            reject.first?[1].text == "1000000000 output tokens are over the plausibility limit of 10000000 per request")
        // A lower ceiling, as a pipeline or --max-tokens-per-request sets it.
        var parse = ParseOptions()
        parse.maxTokensPerRequest = 5_000
        let strict = try ingest(dir.file("q.db"), [file], parse: parse, maxRejectRate: 1)
        #expect(strict.files.first?.rejected ?? 0 > 1)
    }

    /// Squares of the longest requests the ceiling allows, in one minute of three files: each
    /// file's checked sums fit, their sum does not, and `v_request_minutes` stopped with
    /// "integer overflow" for every query over that minute.
    @Test func squaresSummedOverFilesOfOneMinuteNeverStopAQuery() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("p.db")
        let longest = ByteParsing.maxTokenCount
        let line =
            #"{"created":1762000100,"model":"m","usage":{"prompt_tokens":\#(longest),"completion_tokens":\#(longest)}}"#
        var parse = ParseOptions()
        parse.maxTokensPerRequest = longest
        let files = ["a", "b", "c"].enumerated().map {
            dir.write("\($1).jsonl", line + String(repeating: "\n", count: $0))
        }
        let report = try ingest(db, files, parse: parse)
        #expect(report.files.map(\.status) == [.loaded, .loaded, .loaded])
        let connection = try Connection(path: db)
        let row = try connection.queryOne(
            "SELECT requests, prompt_tokens, prefill_sq, output_sq FROM v_request_minutes")
        #expect(try row.int("requests") == 3)
        #expect(try row.int("prompt_tokens") == 3 * longest)
        let square = Double(longest) * Double(longest)
        #expect(try row.double("prefill_sq") == 3 * square)
        #expect(try row.double("output_sq") == 3 * square)
    }

    /// Bytes that yield no request (only blank lines, a CSV header alone, every line skipped)
    /// are loaded with a warning that says so, never as a silent success.
    @Test func bytesThatYieldNoRequestLoadWithAWarning() throws {
        let dir = TemporaryDirectory()
        let blank = dir.write("blank.jsonl", String(repeating: " \n", count: 1000))
        let header = dir.write("header.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n")
        let report = try ingest(dir.file("p.db"), [blank, header])
        #expect(report.files.map(\.status) == [.loaded, .loaded])
        for file in report.files {
            #expect(file.warnings.contains { $0.hasPrefix("no request in ") }, "\(file.path): \(file.warnings)")
        }
        let warnings = try Connection(path: dir.file("p.db")).rows("SELECT warnings FROM source_files ORDER BY path")
        #expect(warnings.allSatisfy { $0[0].text?.contains("no request in ") == true })
        // An empty file has no bytes to explain.
        let empty = try ingest(dir.file("q.db"), [dir.write("empty.jsonl", "")])
        #expect(empty.files.first?.warnings == [])
    }

    /// Two writers at once that do not share a run lock (the lock is per process, so two
    /// ingests in one process stand for a writer that bypasses it): each plans before the other
    /// has loaded anything, so the plan is checked again inside each file's write transaction.
    /// Before that, the second writer took a loaded file for new, failed on its path, and
    /// flagged the good file "outdated".
    @Test func twoWritersAtOnceLoadEachFileOnceAndFlagNothing() throws {
        let dir = TemporaryDirectory()
        let files = (0..<6).map { day in
            dir.write(
                "day-\(day).jsonl",
                openAILines(count: 300, start: 1_762_000_000 + Int64(day) * 86_400, seed: UInt64(day) + 1)
                    .joined(separator: "\n"))
        }
        // The race is a matter of timing: several rounds, each on a new database.
        for round in 0..<4 {
            let db = dir.file("round-\(round).db")
            _ = try ingest(db, [])  // the schema, so that both writers start on the same one
            let results = Mutex<[IngestReport]>([])
            DispatchQueue.concurrentPerform(iterations: 2) { _ in
                if let report = try? ingest(db, files) { results.withLock { $0.append(report) } }
            }
            let reports = results.withLock { $0 }
            #expect(reports.count == 2)
            let outcomes = reports.flatMap(\.files)
            #expect(outcomes.filter { $0.status == .loaded }.count == 6, "\(outcomes.map(\.message))")
            #expect(!outcomes.contains { $0.status == .failed }, "\(outcomes.compactMap(\.message))")
            let connection = try Connection(path: db)
            #expect(try connection.scalar("SELECT count(*) FROM source_files WHERE status = 'loaded'")?.integer == 6)
            #expect(try connection.scalar("SELECT count(*) FROM requests")?.integer == 1800)
        }
    }

    /// Blank lines before the first log line (more than a read chunk of them) do not make the
    /// file look empty: it loaded as 0 rows, exit 0, and was never retried.
    @Test func manyBlankLinesBeforeTheFirstLogLineLoseNothing() throws {
        let dir = TemporaryDirectory()
        let lines = openAILines(count: 100)
        let file = dir.write("late.jsonl", String(repeating: "\n", count: 3 << 20) + lines.joined(separator: "\n"))
        let report = try ingest(dir.file("p.db"), [file])
        #expect(report.files.map(\.status) == [.loaded])
        #expect(report.files.first?.rows == 100)
        let connection = try Connection(path: dir.file("p.db"))
        #expect(try connection.scalar("SELECT MIN(line) FROM requests")?.integer == Int64(3 << 20) + 1)
        // Blank beyond the longest line read, with more to come: a failure that says so, not "0 rows".
        let blank = dir.write("blank.jsonl", String(repeating: "\n", count: 33 << 20) + lines[0])
        let refused = try ingest(dir.file("q.db"), [blank])
        #expect(refused.files.map(\.status) == [.failed])
        #expect(refused.files.first?.message?.contains("no log line in the first") == true)
    }

    /// A log directory reached through a link loaded nothing and exited 0; an input that is a
    /// FIFO hung the run while it held the lock.
    @Test func aLinkedLogDirectoryLoadsAndAFIFOFailsAlone() throws {
        let dir = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.file("real"), withIntermediateDirectories: true)
        dir.write("real/a.jsonl", openAILines(count: 30).joined(separator: "\n"))
        try FileManager.default.createSymbolicLink(atPath: dir.file("logs"), withDestinationPath: dir.file("real"))
        let fifo = dir.file("stream.jsonl")
        #expect(mkfifo(fifo, 0o600) == 0)
        let report = try ingest(dir.file("p.db"), [dir.file("logs"), fifo])
        #expect(report.files.map(\.status) == [.failed, .loaded], "\(report.files)")
        #expect(report.files.first { $0.status == .loaded }?.rows == 30)
        #expect(report.files.first { $0.status == .failed }?.message?.contains("not a regular file") == true)
        #expect(report.exitStatus != .ok)
    }

    /// A re-copy cut short fails and leaves the path `outdated`; once the original content is
    /// back, the path is current again (it stayed `outdated` forever).
    @Test func aFileRestoredAfterAFailedReloadIsCurrentAgain() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("p.db")
        let text = openAILines(count: 300).joined(separator: "\n") + "\n"
        let path = dir.writeGzip("a.jsonl.gz", members: [text])
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(try ingest(db, [path]).files.map(\.status) == [.loaded])
        try original.prefix(original.count / 2).write(to: URL(fileURLWithPath: path))
        #expect(try ingest(db, [path]).files.map(\.status) == [.failed])
        let connection = try Connection(path: db)
        #expect(try connection.scalar("SELECT status FROM v_source_files")?.text == "outdated")
        try original.write(to: URL(fileURLWithPath: path))
        let restored = try ingest(db, [path])
        #expect(restored.files.map(\.status) == [.skipped] && restored.exitStatus == .ok)
        #expect(restored.files.first?.message?.hasPrefix("its loaded content is back") == true)
        #expect(try connection.scalar("SELECT status FROM v_source_files")?.text == "loaded")
        #expect(try connection.scalar("SELECT error FROM source_files") == .null)
        #expect(try connection.scalar("SELECT COUNT(*) FROM requests")?.integer == 300)
    }

    @Test func aFileOverTheRejectRateFailsAloneAndLeavesNothing() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("p.db")
        var lines = openAILines(count: 98)
        lines.insert("this is not json", at: 10)
        lines.insert(
            #"{"created":1762000000,"model":"m","usage":{"prompt_tokens":"many","completion_tokens":1}}"#, at: 20)
        let bad = dir.write("bad.jsonl", lines.joined(separator: "\n"))
        let good = dir.write("good.jsonl", openAILines(count: 40, seed: 5).joined(separator: "\n"))
        let report = try ingest(db, [bad, good])
        #expect(report.files.map(\.status) == [.failed, .loaded])
        #expect(report.exitStatus == .dataError)
        let message = report.files[0].message ?? ""
        #expect(message.contains("2 of 100 lines rejected (2.0% > 1% allowed by --max-reject-rate)"))
        #expect(message.contains("first: line 11: not a JSON object"))
        let connection = try Connection(path: db)
        #expect(try connection.scalar("SELECT count(*) FROM requests")?.integer == 40)
        #expect(try connection.scalar("SELECT count(*) FROM rejects")?.integer == 0)
        #expect(
            try connection.scalar("SELECT status FROM v_source_files WHERE path = ?", [.text(bad)])?.text == "failed")
        // With a higher threshold it loads, rejects kept and explained.
        let retry = try ingest(db, [bad], maxRejectRate: 0.05)
        #expect(retry.files.map(\.status) == [.loaded])
        let rejects = try connection.rows("SELECT line, reason, excerpt FROM v_rejects ORDER BY line")
        #expect(rejects.map { $0[0] } == [11, 21])
        #expect(rejects[0][2] == "this is not json")
        #expect(rejects[1][1] == #"prompt tokens "many" is not a whole number"#)
    }

    @Test func withoutRawRowsEveryTotalStaysExact() throws {
        let dir = TemporaryDirectory()
        let withRaw = dir.file("raw.db")
        let without = dir.file("noraw.db")
        let input = Fixtures.path("azure2023_conv.csv.gz")
        try ingest(withRaw, [input])
        try ingest(without, [input], keepRaw: false)
        #expect(try totals(without).raw == [0, 0, 0, 0])
        #expect(try totals(without).rollups == totals(withRaw).rollups)
        #expect(try totals(without).rollups == [19_366, 22_361_870, 0, 4_088_665])
        let summed = try Connection(path: without).rows("SELECT rows, raw_rows FROM source_files")[0]
        #expect(summed == [19_366, 0])
    }

    @Test func retentionPrunesOldRawRowsButNotRollups() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("p.db")
        // Ten days, one request a minute.
        let path = dir.write("ten-days.jsonl", openAILines(count: 14_400, spacingSeconds: 60).joined(separator: "\n"))
        try ingest(db, [path])
        let before = try totals(db)
        let report = try ingest(db, [path], rawRetentionDays: 3)
        #expect(report.rawRowsPruned > 9000 && report.rawRowsPruned < 10_100)
        let after = try totals(db)
        #expect(after.rollups == before.rollups)
        #expect(after.raw[0] == 14_400 - report.rawRowsPruned)
        let connection = try Connection(path: db)
        #expect(try connection.scalar("SELECT raw_rows FROM source_files")?.integer == after.raw[0])
        let span = try connection.rows("SELECT (max(ts_us) - min(ts_us)) / 3600000000 FROM requests")[0][0].integer ?? 0
        #expect(span <= 72)
    }

    @Test func byteOrderMarksCarriageReturnsAndQuotedLineBreaksAreRead() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("p.db")
        let azure = dir.write(
            "crlf.csv",
            "\u{FEFF}TIMESTAMP,ContextTokens,GeneratedTokens\r\n2023-11-16 18:15:46.1,10,1\r\n2023-11-16 18:15:47.2,20,2\r\n"
        )
        let litellm = dir.write(
            "spend.csv",
            "request_id,startTime,model,prompt_tokens,completion_tokens,messages\n"
                + "r1,2025-11-03T14:05:27Z,\"gpt, 4o\",100,10,\"line one\nline two, with a comma\"\n"
                + "r2,2025-11-03T14:05:28Z,gpt-4o,200,20,plain\n")
        let report = try ingest(db, [azure, litellm])
        #expect(report.files.map(\.rows) == [2, 2])
        #expect(report.files.map(\.rejected) == [0, 0])
        let connection = try Connection(path: db)
        #expect(
            try connection.rows(
                "SELECT model, line FROM v_requests WHERE source_path = ? ORDER BY line", [.text(litellm)])
                == [["gpt, 4o", 2], ["gpt-4o", 4]])
    }

    @Test func aTenMegabyteLineIsReadAndAnOverlongLineIsRejected() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("p.db")
        let big = String(repeating: "x", count: 10 << 20)
        var lines = openAILines(count: 200)
        lines[5] =
            #"{"created":1762000000,"model":"m","choices":[{"message":{"content":"\#(big)"}}],"usage":{"prompt_tokens":5,"completion_tokens":6}}"#
        let path = dir.write("big.jsonl", lines.joined(separator: "\n"))
        let report = try ingest(db, [path])
        #expect(report.files.map(\.rows) == [200])
        let huge = String(repeating: "y", count: 33 << 20)
        lines[5] = #"{"note":"\#(huge)"}"#
        dir.write("big.jsonl", lines.joined(separator: "\n"))
        let second = try ingest(db, [path])
        #expect(second.files.map(\.status) == [.replaced])
        #expect(second.files.map(\.rejected) == [1])
        let reason = try Connection(path: db).scalar("SELECT reason FROM rejects")?.text
        #expect(reason == "line is longer than 32 MiB")
    }

    @Test func anEmptyFileLoadsWithNoRows() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("p.db")
        let report = try ingest(db, [dir.write("empty.jsonl", ""), dir.writeGzip("empty.csv.gz", members: [""])])
        #expect(report.files.map(\.status) == [.loaded, .skipped])  // same (empty) content
        #expect(report.exitCode == 0)
    }

    @Test func everyMemberOfAMultiMemberGzipIsLoaded() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("p.db")
        let code = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("azure2023_code.csv.gz")))
        let twice = dir.write("twice.csv.gz", bytes: Array(code) + Array(code))
        let report = try ingest(db, [twice])
        #expect(report.files.map(\.rows) == [2 * 8819])
        #expect(report.files.map(\.rejected) == [0])
    }

    @Test func aTruncatedOrCorruptGzipFailsAloneAndNamesTheOffset() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("p.db")
        let code = Array(try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("azure2023_code.csv.gz"))))
        let truncated = dir.write("truncated.csv.gz", bytes: Array(code.prefix(40_000)))
        var flipped = code
        for i in 30_000..<30_050 { flipped[i] ^= 0xA5 }
        let corrupt = dir.write("corrupt.csv.gz", bytes: flipped)
        let good = dir.write("good.jsonl", openAILines(count: 10).joined(separator: "\n"))
        let report = try ingest(db, [truncated, corrupt, good])
        #expect(report.files.map(\.status) == [.failed, .failed, .loaded])
        #expect(
            report.files[0].message
                == "\(truncated): truncated gzip stream: the data ends at byte 40000 inside a compressed member")
        #expect(report.files[1].message?.hasPrefix("\(corrupt): corrupt gzip stream at byte ") == true)
        #expect(report.exitStatus == .dataError)
        #expect(try totals(db).raw[0] == 10)
        #expect(try totals(db).rollups[0] == 10)
    }

    @Test func setupProblemsFailTheFileWithTheirExitStatus() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("p.db")
        let burst = dir.write(
            "burst.csv",
            "Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type\n5,ChatGPT,1,1,2,API log\n")
        let unknown = dir.write("mystery.log", "hello\nworld\n")
        let report = try ingest(db, [burst, unknown])
        #expect(report.files.map(\.status) == [.failed, .failed])
        #expect(report.files[0].message?.contains("pass --start") == true)
        #expect(report.files[0].exitCode == ExitStatus.usage.rawValue)
        #expect(report.files[1].message?.contains("not a log") == true)
        #expect(report.exitStatus == .usage)
    }

    @Test func aForcedFormatReadsFilesDetectionWouldNot() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("p.db")
        let line =
            #"{"timestamp":"2025-11-03T14:05:31Z","input":{"inputTokenCount":7},"output":{"outputTokenCount":3}}"#
        let path = dir.write("invocations.jsonl", line + "\n")
        #expect(try ingest(db, [path]).files.map(\.status) == [.failed])
        #expect(try ingest(db, [path], format: .bedrock).files.map(\.status) == [.loaded])
    }
}
