import Foundation
import Ingest
import LogFormats
import PhasecastCore
import Store
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Whole files of real record kinds through the ingest: what is skipped, merged, passed over
/// or refused, and what the registry says of it.
@Suite struct RealLogIngestTests {
    /// Responses records, one in three logged while queued (usage null), the rest completed.
    private func responsesLines(count: Int) -> (lines: [String], prompt: Int64, cached: Int64, queued: Int) {
        var random = Sequence64(seed: 11)
        var lines: [String] = []
        var prompt: Int64 = 0
        var cached: Int64 = 0
        var queued = 0
        for index in 0..<count {
            let created = 1_762_178_000 + index * 5
            if index % 3 == 0 {
                lines.append(
                    #"{"id":"r\#(index)","object":"response","created_at":\#(created),"status":"queued","usage":null}"#)
                queued += 1
                continue
            }
            let input = 100 + random.next(below: 5000)
            let hit = random.next(below: input)
            lines.append(
                #"{"id":"r\#(index)","object":"response","created_at":\#(created),"status":"completed","model":"gpt-4.1","output":[{"type":"message","content":[]}],"usage":{"input_tokens":\#(input),"input_tokens_details":{"cached_tokens":\#(hit)},"output_tokens":20}}"#
            )
            prompt += Int64(input)
            cached += Int64(hit)
        }
        return (lines, prompt, cached, queued)
    }

    @Test func recordsThatAreNotRequestsNeverCountAsRejects() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("p.db")
        let made = responsesLines(count: 300)
        let file = dir.write("responses.jsonl", made.lines.joined(separator: "\n") + "\n")
        // A third of the lines are queued records: far above the 1 % reject threshold, and no rejects.
        let report = try ingest(db, [file])
        #expect(report.files.map(\.status) == [.loaded])
        #expect(report.files[0].format == "openai")
        #expect(report.files[0].rejected == 0)
        #expect(report.files[0].skippedKinds == [SkipCount(kind: "unfinished", lines: Int64(made.queued))])
        let connection = try Connection(path: db)
        let sums = try connection.queryOne(
            "SELECT SUM(prompt_tokens) AS p, SUM(cached_tokens) AS c, SUM(requests) AS n FROM v_request_minutes")
        #expect(try sums.int("p") == made.prompt && sums.int("c") == made.cached)
        #expect(try sums.int("n") == Int64(300 - made.queued))
        let row = try connection.queryOne("SELECT skipped, skipped_kinds FROM v_source_files")
        #expect(try row.int("skipped") == Int64(made.queued))
        #expect(try row.text("skipped_kinds") == "\(made.queued) unfinished")
    }

    @Test func aDirectoryReachedThroughALinkLoadsItsLogsAndPassesOverWhatIsNot() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("p.db")
        let logs = dir.file("real-logs")
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        let made = responsesLines(count: 30)
        _ = dir.write("real-logs/day1.jsonl", made.lines.joined(separator: "\n"))
        _ = dir.write("real-logs/README.txt", "Request logs of the EU cluster.\nRotated daily.\n")
        _ = dir.write("real-logs/manifest.tsv", "file\tbytes\nday1.jsonl\t1234\n")
        _ = dir.write("real-logs/NOTES.md", "# notes\n")
        _ = dir.write("real-logs/rotation.log", "rotated at midnight by logrotate\n")
        #expect(symlink(logs, dir.file("logs")) == 0)
        let report = try ingest(db, [dir.file("logs")])
        #expect(report.exitCode == 0)
        let byName = Dictionary(
            uniqueKeysWithValues: report.files.map { (URL(fileURLWithPath: $0.path).lastPathComponent, $0) })
        #expect(Set(byName.keys) == ["day1.jsonl", "README.txt", "manifest.tsv", "NOTES.md", "rotation.log"])
        // Passed over by content: prose, neither JSON nor comma-separated.
        #expect(byName["rotation.log"]?.status == .skipped)
        #expect(byName["day1.jsonl"]?.status == .loaded)
        #expect(byName["README.txt"]?.status == .skipped && byName["manifest.tsv"]?.status == .skipped)
        #expect(byName["README.txt"]?.message?.contains("not a log") == true)
        #expect(!byName.keys.contains("NOTES.md") || byName["NOTES.md"]?.status == .skipped)
        // Named on the command line, the same notes file is an error.
        let named = try ingest(db, [dir.file("real-logs/README.txt")])
        #expect(named.files.map(\.status) == [.failed] && named.exitCode == 65)
    }

    @Test func anAmbiguousFileFailsUntilItsFormatIsGiven() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("p.db")
        let line =
            #"{"custom_id":"c","timestamp":"2025-11-03T14:05:31Z","response":{"status_code":200},"result":{"type":"succeeded","message":{"usage":{"input_tokens":5,"output_tokens":1}}}}"#
        let file = dir.write("both.jsonl", line + "\n")
        let report = try ingest(db, [file])
        #expect(report.files.map(\.status) == [.failed])
        let message = report.files[0].message ?? ""
        #expect(message.contains("--format openai") && message.contains("--format anthropic"), "\(message)")
        let forced = try ingest(db, [file], format: .anthropic)
        #expect(forced.files.map(\.status) == [.loaded] && forced.files[0].rows == 1)
    }

    @Test func usageBucketsLoadAsMarkedAggregatesWithoutRawRows() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("p.db")
        let line =
            #"{"object":"bucket","start_time":1730419200,"end_time":1730505600,"results":[{"object":"organization.usage.completions.result","input_tokens":5000000,"output_tokens":400000,"num_model_requests":2000,"model":"gpt-4o-mini","input_cached_tokens":1000000}]}"#
        let report = try ingest(db, [dir.write("usage.jsonl", line + "\n")])
        #expect(report.files.map(\.status) == [.loaded] && report.files[0].format == "openai-usage")
        let connection = try Connection(path: db)
        let file = try connection.queryOne("SELECT aggregated, raw_rows, rows FROM v_source_files")
        #expect(try file.int("aggregated") == 1 && file.int("raw_rows") == 0 && file.int("rows") == 2000)
        let sums = try connection.queryOne(
            "SELECT SUM(requests) AS n, SUM(prompt_tokens) AS p, SUM(cached_tokens) AS c, SUM(output_tokens) AS o, COUNT(DISTINCT minute) AS m FROM v_request_minutes"
        )
        #expect(try sums.int("n") == 2000 && sums.int("p") == 5_000_000 && sums.int("c") == 1_000_000)
        #expect(try sums.int("o") == 400_000 && sums.int("m") == 1440)
    }

    @Test func aMappedFileWhoseCachedFieldNeverAppearsIsWarnedAbout() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("p.db")
        let lines = (0..<150).map { index in
            #"{"ts":\#(1_762_178_000 + index),"usage":{"in":\#(100 + index),"out":7,"prompt_tokens_details":{"cached_tokens":50}}}"#
        }
        var parse = ParseOptions()
        parse.jsonMap = try JSONRecordSpec(
            parsingMap: "ts=ts,prompt=usage.in,output=usage.out,cached=usage.cached", timeUnit: .seconds)
        let report = try ingest(
            db, [dir.write("mapped.jsonl", lines.joined(separator: "\n"))], format: .csv, parse: parse)
        #expect(report.files.map(\.status) == [.loaded])
        #expect(report.files[0].warnings.count == 1)
        #expect(report.files[0].warnings.first?.contains("usage.cached") == true)
        let stored = try Connection(path: db).scalar("SELECT warnings FROM v_source_files")?.text
        #expect(stored == report.files[0].warnings.first)
    }
}
