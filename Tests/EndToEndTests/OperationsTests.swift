import Foundation
import Store
import TestSupport
import Testing

/// A small pipeline over synthetic logs ending 31 Mar 2026 (one of them planted truncated), with
/// `ingest` lines added to its `[ingest]` table.
private func pipeline(_ dir: TemporaryDirectory, ingest: String = "", paths: String? = nil) -> String {
    dir.write(
        "ops.toml",
        """
        [pipeline]
        name = "ops"
        database = "\(dir.path)/fleet.db"
        reports = "\(dir.path)/reports"

        [synth]
        out = "\(dir.path)/synth"
        days = 21
        seed = 5
        end = "2026-03-31"
        scale = 0.02

        [ingest]
        paths = [\(paths ?? "\"\(dir.path)/synth/logs\"")]
        \(ingest)

        [forecast]
        horizon = "14d"

        [plan]
        horizons = ["7d"]
        backtest_cutoffs = 0
        """)
}

/// Checks Prometheus's text exposition format line by line (what node_exporter's textfile
/// collector accepts): HELP and TYPE before a family's samples, valid names, quoted label
/// values, numeric values. Returns the samples as `name{labels}` → value.
private func parsePrometheus(_ text: String) throws -> [String: Double] {
    var samples: [String: Double] = [:]
    var typed = Set<String>()
    let name = #/[a-zA-Z_:][a-zA-Z0-9_:]*/#
    let label = #/[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*"/#
    #expect(text.hasSuffix("\n"), "the text must end in a newline")
    for line in text.split(separator: "\n") {
        if line.hasPrefix("# HELP ") { continue }
        if line.hasPrefix("# TYPE ") {
            let parts = line.split(separator: " ")
            #expect(parts.count == 4 && ["gauge", "counter", "untyped"].contains(String(parts[3])), "\(line)")
            typed.insert(String(parts[2]))
            continue
        }
        let space = try #require(line.lastIndex(of: " "), "no value: \(line)")
        let series = line[..<space]
        let value = try #require(Double(line[line.index(after: space)...]), "not a number: \(line)")
        let metric = series.prefix { $0 != "{" }
        #expect(try name.wholeMatch(in: metric) != nil, "bad name: \(line)")
        #expect(typed.contains(String(metric)), "no TYPE before \(metric)")
        if series.contains("{") {
            #expect(series.hasSuffix("}"), "\(line)")
            let inner = series.dropFirst(metric.count + 1).dropLast()
            // Split on commas outside quotes.
            var labels: [String] = []
            var current = ""
            var quoted = false
            var escaped = false
            for character in inner {
                if escaped {
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    quoted.toggle()
                } else if character == "," && !quoted {
                    labels.append(current)
                    current = ""
                    continue
                }
                current.append(character)
            }
            labels.append(current)
            for item in labels { #expect(try label.wholeMatch(in: item) != nil, "bad label \(item) in \(line)") }
        }
        samples[String(series)] = value
    }
    return samples
}

@Suite(.serialized) struct OperationsTests {
    @Test func aStaleDatabaseExits69AndTheReportAndMetricsSaySo() throws {
        let dir = TemporaryDirectory()
        let file = pipeline(dir, ingest: "max_data_age = \"36h\"")
        let metrics = dir.path + "/metrics/phasecast.prom"
        try FileManager.default.createDirectory(atPath: dir.path + "/metrics", withIntermediateDirectories: true)
        let result = try Phasecast.run(["run", file, "--metrics-file", metrics])
        // Logs that end on 31 Mar 2026 are months old: 69 outranks the truncated file's 65.
        #expect(result.status == 69, "\(result.stderr)")
        #expect(result.stderr.contains("freshness: the newest request, 2026-03-31"), "\(result.stderr)")
        #expect(result.stderr.contains("| freshness | "), "\(result.stderr)")
        let report = try String(contentsOfFile: dir.path + "/reports/ops/2026-03-31/capacity.md", encoding: .utf8)
        #expect(report.contains("- **Freshness: the newest request, 2026-03-31"), "\(report)")
        #expect(report.contains("(max\\_data\\_age 36 h)") || report.contains("(max_data_age 36 h)"))
        #expect(report.contains("- Newest request: 2026-03-31 "))

        let text = try String(contentsOfFile: metrics, encoding: .utf8)
        let samples = try parsePrometheus(text)
        #expect(samples["phasecast_run_exit_code{pipeline=\"ops\"}"] == 69)
        #expect(samples["phasecast_stage_exit_code{pipeline=\"ops\",stage=\"freshness\"}"] == 69)
        #expect(samples["phasecast_data_stale{pipeline=\"ops\"}"] == 1)
        #expect((samples["phasecast_data_age_seconds{pipeline=\"ops\"}"] ?? 0) > 36 * 3600)
        #expect((samples["phasecast_ingest_rows{pipeline=\"ops\"}"] ?? 0) > 0)
        #expect((samples["phasecast_ingest_files{pipeline=\"ops\",status=\"failed\"}"] ?? 0) >= 1)
        let prefill = try #require(
            samples["phasecast_planned_gpus{pipeline=\"ops\",horizon=\"7d\",demand_quantile=\"P90\",phase=\"prefill\"}"]
        )
        #expect(prefill >= 1)
        // No success yet: the metric is absent rather than zero.
        #expect(samples["phasecast_last_success_timestamp_seconds{pipeline=\"ops\"}"] == nil)
        // No temporary file is left beside it.
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/metrics")
        #expect(left == ["phasecast.prom"], "\(left)")
        // promtool, where installed, agrees.
        if let promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first(where: {
            FileManager.default.isExecutableFile(atPath: $0)
        }) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: promtool)
            process.arguments = ["check", "metrics"]
            let input = Pipe()
            let output = Pipe()
            process.standardInput = input
            process.standardOutput = output
            process.standardError = output
            try process.run()
            input.fileHandleForWriting.write(Data(text.utf8))
            try input.fileHandleForWriting.close()
            let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "promtool: \(said)")
        }
    }

    @Test func anEmptyDirectoryUnderExpectNewFilesExits69AndNamesIt() throws {
        let dir = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.path + "/mnt/logs", withIntermediateDirectories: true)
        // The logs were written, but the pipeline reads a folder where none arrived (a failed mount).
        let file = pipeline(dir, ingest: "expect_new_files = true", paths: "\"\(dir.path)/mnt/logs\"")
        let result = try Phasecast.run(["run", file])
        #expect(result.status == 69, "\(result.stderr)")
        #expect(result.stderr.contains("warning: no log file under \(dir.path)/mnt/logs"), "\(result.stderr)")
        #expect(result.stderr.contains("no new log file was loaded this run (expect_new_files)"), "\(result.stderr)")
        // Without the check, the same run is a warning only (the forecast then has nothing to work from: 65).
        let unchecked = pipeline(dir, paths: "\"\(dir.path)/mnt/logs\"")
        let plain = try Phasecast.run(["run", unchecked])
        #expect(plain.status != 69 && plain.stderr.contains("warning: no log file under"), "\(plain.stderr)")
    }

    @Test func aQuarantinedFileNoLongerFailsTheNightAndTheReportListsIt() throws {
        let dir = TemporaryDirectory()
        let file = pipeline(dir)
        let first = try Phasecast.run(["run", file])
        #expect(first.status == 65, "\(first.stderr)")
        let connection = try Connection(path: dir.path + "/fleet.db")
        // The synthetic logs plant a truncated file and one with too many malformed lines.
        let failed = try connection.query("SELECT path FROM source_files WHERE status = 'failed' ORDER BY path").map {
            try $0.text("path")
        }
        #expect(!failed.isEmpty)
        let db = ["--db", dir.path + "/fleet.db"]
        for path in failed {
            let add = try Phasecast.run(["quarantine", "add", path, "--reason", "truncated upstream"] + db)
            #expect(add.status == 0, "\(add.stderr)")
        }
        let bad = failed[0]
        let listed = try Phasecast.run(["quarantine", "list", "--json"] + db)
        #expect(listed.stdout.contains("\"reason\" : \"truncated upstream\""), "\(listed.stdout)")

        let second = try Phasecast.run(["run", file, "--quiet"])
        #expect(second.status == 0, "\(second.stderr)")
        // Quiet and successful: nothing at all for cron to mail.
        #expect(second.stdout.isEmpty && second.stderr.isEmpty, "\(second.stdout)\(second.stderr)")
        let report = try String(contentsOfFile: dir.path + "/reports/ops/2026-03-31/capacity.md", encoding: .utf8)
        #expect(report.contains("- Quarantined (acknowledged as bad with `phasecast quarantine`"), "\(report)")
        #expect(report.contains("truncated upstream"))
        #expect(report.contains("failed: 0"), "\(report)")

        let json = try Phasecast.run(["run", file, "--json"])
        #expect(json.status == 0, "\(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["exit_code"] as? Int == 0)
        #expect((object["ingest"] as? [String: Any])?["files_quarantined"] as? Int == failed.count)
        let plan = try #require(object["plan"] as? [[String: Any]])
        #expect(plan.contains { $0["horizon"] as? String == "7d" && $0["phase"] as? String == "decode" })
        #expect(object["token_ratio"] is Double)

        let removed = try Phasecast.run(["quarantine", "remove", bad] + db)
        #expect(removed.status == 0, "\(removed.stderr)")
        let third = try Phasecast.run(["run", file])
        #expect(third.status == 65, "read again once out of quarantine: \(third.stderr)")
        let missing = try Phasecast.run(["quarantine", "remove", bad] + db)
        #expect(missing.status == 66 && missing.stderr.contains("is not quarantined"), "\(missing.stderr)")
    }

    @Test func versionNamesTheReleaseAndTheSchema() throws {
        let result = try Phasecast.run(["--version"])
        #expect(result.status == 0)
        #expect(
            result.stdout.hasPrefix("phasecast ") && result.stdout.contains("(database schema "), "\(result.stdout)")
    }
}
