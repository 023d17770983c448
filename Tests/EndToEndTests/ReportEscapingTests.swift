import Foundation
import TestSupport
import Testing

/// Model names are whatever the logs say. A log naming its model like an HTML tag, a table
/// delimiter or a spreadsheet formula must come out of the report as text.
@Suite struct ReportEscapingTests {
    @Test func hostileModelNamesAreTextInTheReportAndItsCSV() throws {
        let dir = TemporaryDirectory()
        let names = [#"<img src=x onerror=alert(1)>|x"#, #"=HYPERLINK(\"http://example.invalid\")"#]
        var lines: [String] = []
        let start = 1_767_225_600  // 2026-01-01T00:00:00Z
        for hour in 0..<(16 * 24) {
            for (index, name) in names.enumerated() {
                let created = start + hour * 3600 + 60 * index
                lines.append(
                    #"{"id":"c\#(hour)-\#(index)","object":"chat.completion","created":\#(created),"model":"\#(name)","usage":{"prompt_tokens":\#(800 + hour % 7),"completion_tokens":\#(150 + hour % 5)}}"#
                )
            }
        }
        try FileManager.default.createDirectory(atPath: dir.file("logs"), withIntermediateDirectories: true)
        _ = dir.write("logs/fleet.jsonl", lines.joined(separator: "\n") + "\n")
        let pipeline = dir.write(
            "hostile.toml",
            """
            [pipeline]
            name = "hostile"
            database = "\(dir.path)/fleet.db"
            reports = "\(dir.path)/reports"

            [ingest]
            paths = ["\(dir.path)/logs"]

            [forecast]
            horizon = "14d"

            [plan]
            horizons = ["7d"]
            """)
        let result = try Phasecast.run(["run", pipeline])
        #expect(result.status == 0, "\(result.stderr)")
        let folder = try #require(
            result.stdout.split(separator: "\n").first.map { String($0.dropLast("/capacity.md".count)) })
        let report = try String(contentsOfFile: folder + "/capacity.md", encoding: .utf8)
        #expect(!report.contains("<img"), "raw HTML from a model name")
        #expect(report.contains("&lt;img src=x onerror=alert(1)&gt;\\|x"))
        // Every table keeps its columns: a row has as many unescaped '|' as its header.
        var columns: Int?
        for line in report.split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("|") else {
                columns = nil
                continue
            }
            var count = 0
            var previous: Character = " "
            for c in line {
                if c == "|" && previous != "\\" { count += 1 }
                previous = c
            }
            if let columns { #expect(count == columns, "a row breaks its table: \(line)") } else { columns = count }
        }
        let html = try String(contentsOfFile: folder + "/capacity.html", encoding: .utf8)
        #expect(!html.contains("<img"), "raw HTML from a model name in the HTML report")
        #expect(html.contains("<td>&lt;img src=x onerror=alert(1)&gt;|x</td>"))
        let csv = try String(contentsOfFile: folder + "/plan.csv", encoding: .utf8)
        #expect(!csv.split(separator: "\n").contains { $0.contains(",=HYPERLINK") || $0.hasPrefix("=") })
        #expect(csv.contains("\"'=HYPERLINK(\"\"http://example.invalid\"\")\""), "\(csv.prefix(600))")
    }
}
