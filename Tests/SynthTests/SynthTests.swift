import Extract
import Foundation
import PhasecastCore
import Synth
import TestSupport
import Testing

/// Reads a gzipped file whole, as text.
private func gunzip(_ path: String) throws -> String {
    String(decoding: try DecompressingReader(source: try ByteSource(path: path)).readAll(), as: UTF8.self)
}

/// Every file under `root`, by path relative to it, with its bytes.
private func tree(_ root: String) throws -> [String: Data] {
    var files: [String: Data] = [:]
    let enumerator = FileManager.default.enumerator(atPath: root)
    while let relative = enumerator?.nextObject() as? String {
        var isDirectory: ObjCBool = false
        let path = root + "/" + relative
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
            files[relative] = try Data(contentsOf: URL(fileURLWithPath: path))
        }
    }
    return files
}

@Suite struct SynthTests {
    let end = CalendarDay.parse("2026-03-31") ?? 0

    @Test func theSameSeedWritesTheSameBytesAndAnotherSeedOthers() throws {
        let first = TemporaryDirectory()
        let second = TemporaryDirectory()
        let third = TemporaryDirectory()
        let fleet = SyntheticFleet(days: 14, endDay: end, seed: 11, scale: 0.01)
        let summary = try SyntheticLogWriter(fleet: fleet, directory: first.path).write()
        _ = try SyntheticLogWriter(fleet: fleet, directory: second.path).write()
        _ = try SyntheticLogWriter(
            fleet: SyntheticFleet(days: 14, endDay: end, seed: 12, scale: 0.01), directory: third.path
        ).write()
        let a = try tree(first.path)
        #expect(summary.files > 0 && summary.reused == 0)
        #expect(a == (try tree(second.path)))
        #expect(a.keys.sorted() == (try tree(third.path)).keys.sorted())
        #expect(a != (try tree(third.path)))
        // Written again with the same parameters: every file is left alone.
        let again = try SyntheticLogWriter(fleet: fleet, directory: first.path).write()
        #expect(again.reused == again.files && again.files == summary.files)
    }

    @Test func theReasoningModelLaunchesPartWayAndEachFormatLogsItsOwnRecords() throws {
        let fleet = SyntheticFleet(days: 60, endDay: end, seed: 5, scale: 0.02)
        let reasoner = try #require(fleet.models.first { $0.name == "reasoner-120b" })
        let launchDay = fleet.firstDay + Int64(reasoner.launch * Double(fleet.days))
        #expect(fleet.requests(reasoner, day: launchDay - 1) == 0)
        #expect(fleet.requests(reasoner, day: fleet.endDay) > 0)
        let dir = TemporaryDirectory()
        _ = try SyntheticLogWriter(fleet: fleet, directory: dir.path).write()
        let date = CalendarDay.format(fleet.endDay)
        let expectations: [(file: String, marker: String)] = [
            ("chat-70b.jsonl.gz", #""object":"chat.completion""#),
            ("reasoner-120b.jsonl.gz", #""object":"response""#),
            ("meta.llama3-1-8b-instruct-v1_0.jsonl.gz", #""schemaType":"ModelInvocationLog""#),
            ("code-32b.jsonl.gz", #""type":"message""#),
        ]
        for (file, marker) in expectations {
            let text = try gunzip("\(dir.path)/logs/\(date)/\(file)")
            let lines = text.split(separator: "\n")
            #expect(!lines.isEmpty, "\(file) is empty")
            #expect(lines.allSatisfy { $0.contains(marker) }, "\(file) holds lines of another format")
        }
        let holidays = try String(contentsOfFile: dir.file("holidays.csv"), encoding: .utf8)
        #expect(holidays.hasPrefix("date,name\n") && holidays.split(separator: "\n").count == 4)
    }

    @Test func theBenchGeneratorWritesTheSameRequestsInBothFormats() throws {
        let dir = TemporaryDirectory()
        try BenchLogGenerator(rows: 500).write(csvPath: dir.file("b.csv.gz"), jsonlPath: dir.file("b.jsonl.gz"))
        let csv = try gunzip(dir.file("b.csv.gz")).split(separator: "\n")
        let jsonl = try gunzip(dir.file("b.jsonl.gz")).split(separator: "\n")
        #expect(csv.first == "TIMESTAMP,ContextTokens,GeneratedTokens")
        #expect(csv.count == 501 && jsonl.count == 500)
        // Row 10 in both: the same prompt and output lengths.
        let cells = csv[10].split(separator: ",")
        #expect(jsonl[9].contains("\"prompt_tokens\":\(cells[1]),\"completion_tokens\":\(cells[2]),"))
    }
}
