import Foundation
import Store
import TestSupport
import Testing

/// A small pipeline over synthetic logs: 42 days of four models, ending 31 Mar 2026.
private func pipelineFile(_ dir: TemporaryDirectory, extra: String = "") -> String {
    dir.write(
        "e2e.toml",
        """
        [pipeline]
        name = "e2e"
        database = "\(dir.path)/fleet.db"
        reports = "\(dir.path)/reports"

        [synth]
        out = "\(dir.path)/synth"
        days = 42
        seed = 3
        end = "2026-03-31"
        scale = 0.05

        [ingest]
        paths = ["\(dir.path)/synth/logs"]

        [[profiles]]
        name = "chat"
        models = "chat-*"
        llm = "Llama-3.1-70B"
        gpu = "H200"

        [[profiles]]
        name = "small"
        models = "*"
        llm = "Llama-3.1-8B"
        gpu = "H100"
        ttft_ms = 800
        itl_ms = 30

        [forecast]
        horizon = "60d"
        events = "\(dir.path)/synth/holidays.csv"
        backfill = 1
        backfill_step = "14d"

        [plan]
        quantile = "P90"
        horizons = ["7d", "30d", "quarter"]
        failure_headroom = 1

        [[scenarios]]
        name = "growth x2"
        growth = 2.0
        \(extra)
        """)
}

/// Every table's rows as sorted text, but the run logs, which record each invocation.
private func dataTables(_ path: String) throws -> [String: [String]] {
    let connection = try Connection(path: path)
    let names = try connection.rows(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('ingest_runs', 'transform_runs', 'pipeline_runs', 'report_snapshots')"
    ).compactMap { $0[0].text }
    var tables: [String: [String]] = [:]
    for name in names {
        tables[name] = try connection.rows("SELECT * FROM \"\(name)\"").map {
            $0.map(\.description).joined(separator: "|")
        }.sorted()
    }
    return tables
}

/// A CSV file as dictionaries of its header's columns (no quoted commas in these files' numbers).
private func csvRows(_ path: String) throws -> [[String: String]] {
    let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    let names = lines[0].split(separator: ",").map(String.init)
    return lines.dropFirst().map {
        Dictionary(
            uniqueKeysWithValues: zip(
                names, $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)))
    }
}

@Suite(.serialized) struct RunCommandTests {
    @Test func aNightlyRunWritesTheReportAndARerunChangesNothing() throws {
        let dir = TemporaryDirectory()
        let pipeline = pipelineFile(dir)
        let first = try Phasecast.run(["run", pipeline])
        // One synthetic file is truncated: the run says so with 65 and still writes the report.
        #expect(first.status == 65, "\(first.stderr)")
        let reportDirectory = "\(dir.path)/reports/e2e/2026-03-31"
        #expect(first.stdout == "\(reportDirectory)/capacity.md\n")
        for stage in ["synth", "ingest", "transform", "forecast", "plan", "report"] {
            #expect(first.stderr.contains("| \(stage) | "), "no timing of \(stage)")
        }
        #expect(first.stderr.contains("truncated gzip stream"))
        let firstReport = try String(contentsOfFile: "\(reportDirectory)/capacity.md", encoding: .utf8)
        #expect(firstReport.contains("Installed fleet not given: declare it under `[fleet]`"))

        for file in [
            "capacity.md", "plan.csv", "daily.csv", "forecast.csv", "ratio.svg", "gpu_hours.svg", "intraday.svg",
        ] {
            #expect(FileManager.default.fileExists(atPath: "\(reportDirectory)/\(file)"), "\(file) missing")
        }
        let report = try String(contentsOfFile: "\(reportDirectory)/capacity.md", encoding: .utf8)
        #expect(report.hasPrefix("# Capacity plan: e2e, as of 31 Mar 2026\n\n**By "))
        for section in [
            "## What changed since the last report", "## The prefill:decode ratio", "## Forecast of busy GPU-hours",
            "### Realized accuracy of past forecasts", "## Plan", "### Headroom stack",
            "### Against aggregated serving",
            "## Scenarios", "## Cost and energy", "## Intraday profile", "## Assumptions", "## Data quality",
        ] {
            #expect(report.contains(section), "no section \(section)")
        }
        #expect(
            report.contains("](ratio.svg)") && report.contains("](gpu_hours.svg)") && report.contains("](intraday.svg)")
        )
        #expect(
            report.contains("failed: 1") && report.contains("_0.jsonl.gz`: ")
                && report.contains("truncated gzip stream"))
        #expect(report.contains("This is the pipeline's first report."))
        let svg = try String(contentsOfFile: "\(reportDirectory)/gpu_hours.svg", encoding: .utf8)
        #expect(
            svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\"") && svg.contains("<polyline")
                && svg.contains("<polygon"))

        try checkPlanFormulas(dir: dir, reportDirectory: reportDirectory)
        try checkRealizedAccuracy(dir: dir, report: report)

        // The same night again: nothing loads twice, the forecast is reused, the report is the same.
        let before = try dataTables("\(dir.path)/fleet.db")
        let files = try [
            "capacity.md", "plan.csv", "daily.csv", "forecast.csv", "ratio.svg", "gpu_hours.svg", "intraday.svg",
        ].map {
            try Data(contentsOf: URL(fileURLWithPath: "\(reportDirectory)/\($0)"))
        }
        let second = try Phasecast.run(["run", pipeline])
        #expect(second.status == 65, "\(second.stderr)")
        #expect(
            second.stderr.contains("0 loaded (0 rows)") && second.stderr.contains("reused (same history)"),
            "\(second.stderr)")
        let after = try dataTables("\(dir.path)/fleet.db")
        for (table, rows) in before { #expect(after[table] == rows, "table \(table) changed") }
        let again = try [
            "capacity.md", "plan.csv", "daily.csv", "forecast.csv", "ratio.svg", "gpu_hours.svg", "intraday.svg",
        ].map {
            try Data(contentsOf: URL(fileURLWithPath: "\(reportDirectory)/\($0)"))
        }
        #expect(again == files)
        let runs = try Connection(path: "\(dir.path)/fleet.db").rows(
            "SELECT exit_code, report FROM pipeline_runs ORDER BY run_id")
        #expect(runs.count == 2 && runs.allSatisfy { $0[0].integer == 65 && $0[1].text == reportDirectory })

        // A loaded file re-shipped cut short: its earlier rows stay, and the report says so.
        let reshipped = "\(dir.path)/synth/logs/2026-03-30/chat-70b.jsonl.gz"
        let content = try Data(contentsOf: URL(fileURLWithPath: reshipped))
        try content.prefix(content.count / 2).write(to: URL(fileURLWithPath: reshipped))
        let third = try Phasecast.run(["run", pipeline])
        #expect(third.status == 65, "\(third.stderr)")
        let rerun = try String(contentsOfFile: "\(reportDirectory)/capacity.md", encoding: .utf8)
        #expect(rerun.contains("failed: 2"), "\(rerun)")
        #expect(
            rerun.contains(
                "2026-03-30/chat-70b.jsonl.gz`: truncated gzip stream")
                && rerun.contains("the rows of this path's earlier content are kept in the figures"))
    }

    /// plan.csv's figures are the stack's formulas applied to the stored forecast, recomputed here.
    func checkPlanFormulas(dir: TemporaryDirectory, reportDirectory: String) throws {
        let connection = try Connection(path: "\(dir.path)/fleet.db")
        let rows = try csvRows("\(reportDirectory)/plan.csv").filter {
            $0["scenario"] == "baseline" && $0["horizon"] == "30d" && $0["quantile"] == "P90"
        }
        #expect(rows.count == 8)  // four models × two phases
        var gpusByPool: [String: Int] = [:]
        var poolGPUs: [String: Int] = [:]
        for row in rows {
            let daily = Double(row["daily_gpu_hours"]!)!
            let tp = Int(row["tp"]!)!
            let workers = Int(row["workers"]!)!
            if daily > 0 {
                // The stack starts from the day's median forecast, as stored.
                let stored = try connection.rows(
                    "SELECT yhat FROM v_forecasts_latest WHERE series = 'gpu_hours' AND model = ? AND phase = ? AND ds = ?",
                    [.text(row["model"]!), .text(row["phase"]!), .text(row["binding_day"]!)])
                #expect(stored.count == 1)
                #expect(abs((stored.first?[0].real ?? -1) - daily) <= 1e-5 * max(daily, 1e-9), "\(row)")
                let sized = daily / 24 * Double(row["peak_factor"]!)! * Double(row["spread_factor"]!)!
                #expect(abs(sized - Double(row["sized_gpus"]!)!) <= 1e-4 * max(sized, 1e-9), "\(row)")
                let provisioned = sized / Double(row["utilization"]!)!
                #expect(workers == Int((provisioned / Double(tp) - 1e-9).rounded(.up)), "\(row)")
                #expect(Int(row["workers_with_spares"]!)! == workers + 1)
            } else {
                #expect(workers == 0)
            }
            #expect(Int(row["gpus"]!)! == Int(row["workers_with_spares"]!)! * tp)
            let key = "\(row["phase"]!)/\(row["gpu"]!)"
            gpusByPool[key, default: 0] += Int(row["gpus"]!)!
            poolGPUs[key] = Int(row["pool_gpus"]!)!
        }
        for (key, gpus) in gpusByPool {
            #expect(poolGPUs[key] == (gpus + 7) / 8 * 8, "pool \(key)")
            let parts = key.split(separator: "/").map(String.init)
            let stored = try connection.rows(
                """
                SELECT gpus FROM capacity_plans WHERE pipeline = 'e2e' AND scenario = 'baseline' AND horizon = '30d'
                    AND quantile = 90 AND phase = ? AND gpu = ?
                """, [.text(parts[0]), .text(parts[1])])
            #expect(stored.first?[0].integer.map(Int.init) == poolGPUs[key])
        }
    }

    /// The realized error of the backfilled forecast 1–7 days ahead, recomputed from the stored
    /// forecasts and the daily view.
    func checkRealizedAccuracy(dir: TemporaryDirectory, report: String) throws {
        let connection = try Connection(path: "\(dir.path)/fleet.db")
        let pairs = try connection.rows(
            """
            SELECT f.yhat, d.prefill_gpu_hours FROM v_forecasts f
            JOIN v_daily_phase d ON d.day = f.ds AND d.model = f.model
            WHERE f.cutoff < (SELECT MAX(cutoff) FROM v_forecasts) AND f.series = 'gpu_hours' AND f.model = 'all'
                AND f.phase = 'prefill' AND d.coverage >= 0.98
                AND julianday(f.ds) - julianday(f.cutoff) BETWEEN 1 AND 7
            """)
        #expect(pairs.count == 7, "the backfilled run 14 days back has 7 scored days 1–7 ahead")
        let absolute = pairs.reduce(0.0) { $0 + abs(($1[1].real ?? 0) - ($1[0].real ?? 0)) }
        let actual = pairs.reduce(0.0) { $0 + ($1[1].real ?? 0) }
        let expected = String(format: "| 1–7 | prefill | 7 | %.1f %% |", 100 * absolute / actual)
        #expect(report.contains(expected), "no row \(expected)")
    }

    @Test func aSecondRunIsRefusedWhileOneHoldsTheDatabase() throws {
        let dir = TemporaryDirectory()
        let pipeline = pipelineFile(dir)
        let lock = try RunLock(databasePath: "\(dir.path)/fleet.db", waitSeconds: 0)
        let refused = try Phasecast.run(["run", pipeline])
        #expect(refused.status == 75 && refused.stderr.contains("another phasecast run"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(dir.path)/synth"))
        withExtendedLifetime(lock) {}
    }

    @Test func pipelineFileErrorsExit78NamingTheLineAndKey() throws {
        let dir = TemporaryDirectory()
        let bad = dir.write("bad.toml", "[plan]\nquantile = \"P99\"\n")
        let result = try Phasecast.run(["run", bad])
        #expect(result.status == 78, "\(result.stderr)")
        #expect(result.stderr.contains("bad.toml:2: plan.quantile: expected \"P50\", \"P90\" or \"P95\", got \"P99\""))
        let unknownGPU = pipelineFile(dir, extra: "\n[[scenarios]]\nname = \"tpu\"\nprefill_gpu = \"TPU9\"\n")
        let planned = try Phasecast.run(["run", unknownGPU])
        #expect(planned.status == 78, "\(planned.stderr)")
        let line =
            try String(contentsOfFile: unknownGPU, encoding: .utf8).split(
                separator: "\n", omittingEmptySubsequences: false
            )
            .firstIndex { $0.contains("TPU9") }.map { $0 + 1 } ?? 0
        #expect(
            planned.stderr.contains("e2e.toml:\(line): scenarios[2].prefill_gpu: unknown GPU \"TPU9\""),
            "\(planned.stderr)")
        let missing = try Phasecast.run(["run", "no-such-pipeline"])
        #expect(missing.status == 66 && missing.stderr.contains("built in: "), "\(missing.stderr)")
    }

    @Test func aProfileWithAnUnknownGPUExits78BeforeAnyStageRuns() throws {
        let dir = TemporaryDirectory()
        let text = try String(contentsOfFile: pipelineFile(dir), encoding: .utf8)
            .replacingOccurrences(of: "gpu = \"H200\"", with: "gpu = \"H2000\"")
        let pipeline = dir.write("typo.toml", text)
        let line =
            (text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("H2000") } ?? -1)
            + 1
        for arguments in [["run", pipeline], ["run", pipeline, "--check"]] {
            let result = try Phasecast.run(arguments)
            #expect(result.status == 78, "\(result.stderr)")
            #expect(
                result.stderr.contains("typo.toml:\(line): profiles[1].gpu: unknown GPU 'H2000'; known: "),
                "\(result.stderr)")
            #expect(result.stderr.contains("H200 SXM"), "the valid choices are listed")
            #expect(!FileManager.default.fileExists(atPath: "\(dir.path)/fleet.db"), "a database was created")
            #expect(!FileManager.default.fileExists(atPath: "\(dir.path)/synth"), "synth ran")
        }
    }

    @Test func checkOnlyChecks() throws {
        let dir = TemporaryDirectory()
        let result = try Phasecast.run(["run", pipelineFile(dir), "--check"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("e2e.toml: ok") && result.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: "\(dir.path)/fleet.db"))
        for name in ["nightly", "quarterly", "demo"] {
            let builtIn = try Phasecast.run(["run", name, "--check", "--db", "\(dir.path)/none.db"])
            #expect(builtIn.status == 0, "\(name): \(builtIn.stderr)")
        }
    }

    /// The report of a small fixed fleet, byte for byte. `make golden` (PHASECAST_UPDATE_GOLDEN=1)
    /// rewrites the files on purpose; the temporary folder's path is written as `<dir>`.
    @Test func aLaterNightSaysWhatChangedSinceThePreviousReport() throws {
        let dir = TemporaryDirectory()
        let later = pipelineFile(dir)
        let text = try String(contentsOfFile: later, encoding: .utf8)
        let earlier = dir.write(
            "earlier.toml", text.replacingOccurrences(of: "end = \"2026-03-31\"", with: "end = \"2026-03-17\""))
        #expect(try Phasecast.run(["run", earlier]).status == 65)
        #expect(try Phasecast.run(["run", later]).status == 65)
        let report = try String(contentsOfFile: "\(dir.path)/reports/e2e/2026-03-31/capacity.md", encoding: .utf8)
        #expect(report.contains("Previous report: as of 17 Mar 2026."), "\(report.prefix(2000))")
        #expect(report.contains("| | then | now | change |"))
        // The token ratio is real-valued then and now.
        let ratioRow = try #require(report.split(separator: "\n").first { $0.hasPrefix("| prefill:decode tokens") })
        let cells = ratioRow.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(cells.count == 4 && Double(cells[1]).map { $0 != $0.rounded() } == true, "\(ratioRow)")
        // The previous run's token forecasts are scored on the days since.
        #expect(report.contains("The previous run's forecasts of the fleet's tokens missed the 14 whole days since by"))
    }

    @Test func aSampledLogIsReportedAtTheWholeTrafficsScale() throws {
        let dir = TemporaryDirectory()
        let file = pipelineFile(dir)
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let sampled = dir.write(
            "sampled.toml",
            text.replacingOccurrences(
                of: "paths = [\"\(dir.path)/synth/logs\"]",
                with: "paths = [\"\(dir.path)/synth/logs\"]\nsample_rate = 10"))
        #expect(try Phasecast.run(["run", sampled]).status == 65)
        let report = "\(dir.path)/reports/e2e/2026-03-31"
        let markdown = try String(contentsOfFile: "\(report)/capacity.md", encoding: .utf8)
        #expect(
            markdown.contains("hold 1 in 10 requests; every count, token and GPU-hour from them is multiplied by 10"))
        // daily.csv counts every logged request ten times.
        let logged = try Connection(path: "\(dir.path)/fleet.db").scalar("SELECT COUNT(*) FROM v_requests")?.integer
        let days = try csvRows("\(report)/daily.csv")
        let reported = days.reduce(0) { $0 + (Int64($1["requests"] ?? "") ?? 0) }
        #expect(logged.map { $0 * 10 } == reported && reported > 0)
        // Token counts are written in full (every digit), so they add up exactly too.
        let loggedOutput = try Connection(path: "\(dir.path)/fleet.db").scalar(
            "SELECT SUM(output_tokens) FROM v_requests")?.integer
        let reportedOutput = days.reduce(Int64(0)) { $0 + (Int64($1["output_tokens"] ?? "") ?? -1_000_000_000) }
        #expect(loggedOutput.map { $0 * 10 } == reportedOutput)
        #expect(markdown.contains("The logs are sampled"))
    }

    @Test func theReportOfAFixedFleetIsTheGoldenOne() throws {
        let dir = TemporaryDirectory()
        let fleet =
            "\n[fleet]\nlead_time = \"4w\"\n\n[fleet.prefill]\nH200 = 8\nH100 = 8\n\n[fleet.decode]\nH200 = 8\nH100 = 8\n"
            + "\n[[fleet.orders]]\nphase = \"decode\"\ngpu = \"H100\"\ngpus = 8\narrives = \"2026-04-20\"\n"
        let result = try Phasecast.run(["run", pipelineFile(dir, extra: fleet)])
        #expect(result.status == 65, "\(result.stderr)")
        let reportDirectory = "\(dir.path)/reports/e2e/2026-03-31"
        let update = ProcessInfo.processInfo.environment["PHASECAST_UPDATE_GOLDEN"] == "1"
        for name in ["capacity.md", "plan.csv", "forecast.csv", "daily.csv", "plan_backtest.csv"] {
            let made = try String(contentsOfFile: "\(reportDirectory)/\(name)", encoding: .utf8)
                .replacingOccurrences(of: dir.path, with: "<dir>")
            let golden = Fixtures.path("golden/\(name)")
            if update {
                try made.write(toFile: golden, atomically: true, encoding: .utf8)
                continue
            }
            let expected = try String(contentsOfFile: golden, encoding: .utf8)
            if made != expected {
                let madeLines = made.split(separator: "\n", omittingEmptySubsequences: false)
                let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
                let first =
                    (0..<min(madeLines.count, expectedLines.count)).first { madeLines[$0] != expectedLines[$0] }
                    ?? min(madeLines.count, expectedLines.count)
                Issue.record(
                    """
                    \(name) differs from Tests/Fixtures/golden/\(name) at line \(first + 1):
                    made:     \(first < madeLines.count ? madeLines[first] : "<end>")
                    expected: \(first < expectedLines.count ? expectedLines[first] : "<end>")
                    (run `make golden` if the change is meant)
                    """)
            }
        }
        // `phasecast plan-backtest` on the same database replays the same plans as the report.
        let ledger = dir.file("ledger.csv")
        let backtest = try Phasecast.run(["plan-backtest", pipelineFile(dir, extra: fleet), "--csv", ledger])
        #expect(backtest.status == 0, "\(backtest.stderr)")
        #expect(backtest.stdout.hasPrefix("## Plan backtest") && backtest.stdout.contains("| reactive |"))
        let fromReport = try String(contentsOfFile: "\(reportDirectory)/plan_backtest.csv", encoding: .utf8)
        #expect(try String(contentsOfFile: ledger, encoding: .utf8) == fromReport)
        #expect(fromReport.split(separator: "\n").count > 2)

        // `phasecast report` renders the stored run again, byte for byte, without recomputing.
        let copy = dir.file("copy")
        let rendered = try Phasecast.run(["report", pipelineFile(dir, extra: fleet), "--out", copy])
        #expect(rendered.status == 0, "\(rendered.stderr)")
        #expect(rendered.stdout == "\(copy)/capacity.md\n\(copy)/capacity.html\n")
        let written = try FileManager.default.contentsOfDirectory(atPath: reportDirectory).sorted()
        #expect(written.contains("capacity.html") && written.count == 9, "\(written)")
        for name in written {
            let original = try Data(contentsOf: URL(fileURLWithPath: "\(reportDirectory)/\(name)"))
            let again = try Data(contentsOf: URL(fileURLWithPath: "\(copy)/\(name)"))
            #expect(original == again, "\(name) rendered from the snapshot differs from the run's")
        }
        let html = try String(contentsOfFile: "\(reportDirectory)/capacity.html", encoding: .utf8)
        #expect(html.components(separatedBy: "<svg xmlns").count - 1 == 3, "the three charts inline")
        #expect(!html.contains("src=\"ratio.svg\""))
        let listed = try Phasecast.run(["report", "--db", dir.file("fleet.db"), "--list"])
        #expect(listed.status == 0 && listed.stdout.contains("| 1 | e2e | 2026-03-31 |"), "\(listed.stdout)")
        let json = try Phasecast.run(["report", "--db", dir.file("fleet.db"), "--run", "1", "--json"])
        let snapshot = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(snapshot?["pipeline"] as? String == "e2e" && snapshot?["plan"] != nil)
        let noRun = try Phasecast.run(["report", "--db", dir.file("fleet.db"), "--run", "99"])
        #expect(noRun.status == 66 && noRun.stderr.contains("run 99 stored no report"), "\(noRun.stderr)")
        let noDatabase = try Phasecast.run(["report", "--db", dir.file("absent.db")])
        #expect(noDatabase.status == 66 && noDatabase.stderr.contains("absent.db: no such database"))
        #expect(try Phasecast.run(["report"]).status == 64)
    }
}
