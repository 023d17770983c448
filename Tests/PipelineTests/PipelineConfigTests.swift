import Foundation
import Testing

@testable import Pipeline

/// The repository's Pipelines folder (the tests read the project's own files, never ../shared).
private let pipelinesFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Pipelines").path

@Suite struct TOMLParserTests {
    @Test func tablesArraysOfTablesAndValues() throws {
        let table = try TOMLParser.parse(
            """
            # comment
            top = "x" # trailing comment
            [a]
            n = 1_000
            f = 0.5
            yes = true
            list = ["p", 'q',
                    "r"]  # over lines
            inline = { k = 1, s = "v" }
            [a.b]
            "quoted key" = -3
            [[items]]
            name = "one"
            [[items]]
            name = "two"
            """)
        #expect(table["top"]?.value == .string("x"))
        guard case .table(let a)? = table["a"]?.value else { Issue.record("no [a]"); return }
        #expect(a["n"]?.value == .integer(1000))
        #expect(a["f"]?.value == .double(0.5))
        #expect(a["yes"]?.value == .bool(true))
        #expect(a["list"]?.value == .array([.string("p"), .string("q"), .string("r")]))
        #expect(a["n"]?.line == 4)
        guard case .table(let b)? = a["b"]?.value else { Issue.record("no [a.b]"); return }
        #expect(b["quoted key"]?.value == .integer(-3))
        guard case .array(let items)? = table["items"]?.value else { Issue.record("no [[items]]"); return }
        #expect(items.count == 2)
    }

    @Test(arguments: [
        ("a = \n", 1, "a value is missing"),
        ("[a]\nx = 1\n[a]\n", 3, "declared twice"),
        ("x = 1\nx = 2\n", 2, "set twice"),
        ("x = \"open\n", 1, "not closed"),
        ("x = 2026-01-01\n", 1, "dates are not supported"),
        ("x = word\n", 1, "needs quotes"),
        ("x = [1, 2\n", 1, "expected ',' or ']'"),
    ])
    func syntaxErrorsNameTheLine(text: String, line: Int, reason: String) {
        #expect {
            try TOMLParser.parse(text)
        } throws: { error in
            guard let error = error as? TOMLError else { return false }
            return error.line == line && error.reason.contains(reason)
        }
    }
}

@Suite struct PipelineConfigTests {
    @Test(arguments: ["nightly", "quarterly", "demo"])
    func theShippedPipelinesRead(name: String) throws {
        let path = "\(pipelinesFolder)/\(name).toml"
        let config = try PipelineConfig.parse(try String(contentsOfFile: path, encoding: .utf8), file: path)
        #expect(config.name == name)
        #expect(config.plan.headlineQuantile >= 50)
    }

    @Test func theDemoDeclaresEveryStage() throws {
        let path = "\(pipelinesFolder)/demo.toml"
        let config = try PipelineConfig.parse(try String(contentsOfFile: path, encoding: .utf8), file: path)
        #expect(config.synth?.days == 180 && config.synth?.seed == 7)
        #expect(config.ingest?.paths == [".build/demo/logs"])
        #expect(config.profiles.map(\.name) == ["chat", "rag", "code", "reasoning"])
        #expect(config.profiles.map(\.priority) == [10, 20, 30, 40])
        #expect(config.forecast.horizonDays == 200 && config.forecast.backfill == 4)
        #expect(config.scenarios.count == 5 && config.scenarios[0].prefillGPU == "B200")
        #expect(config.lines["scenarios[1].prefill_gpu"] != nil)
    }

    @Test func defaultsWhenKeysAreLeftOut() throws {
        let config = try PipelineConfig.parse("", file: "/etc/phasecast/fleet.toml")
        #expect(config.name == "fleet" && config.database == "phasecast.db" && config.reports == "Reports")
        #expect(config.ingest == nil && config.synth == nil)
        #expect(config.forecast.horizonDays == 90)
        #expect(config.plan.horizons == ["7d", "30d", "90d", "quarter", "next-quarter"])
        #expect(config.plan.prefillUtilization == 0.8 && config.plan.failureHeadroom == 1)
        #expect(config.plan.reactiveIntervalMinutes == 3 && config.plan.backtestCutoffs == 2)
    }

    @Test func theSampleRateAndTheBacktestsSettingsAreRead() throws {
        let config = try PipelineConfig.parse(
            "[ingest]\npaths = [\"logs\"]\nsample_rate = 100\n[plan]\nreactive_interval = \"5m\"\nbacktest_cutoffs = 4\n",
            file: "p.toml")
        #expect(config.ingest?.sampleRate == 100)
        #expect(config.plan.reactiveIntervalMinutes == 5 && config.plan.backtestCutoffs == 4)
        let fleet = try PipelineConfig.parse(
            "[fleet]\n[fleet.decode]\nH200 = 8\n[[fleet.orders]]\nphase = \"decode\"\ngpu = \"H200\"\ngpus = 16\narrives = \"2027-02-01\"\n",
            file: "p.toml")
        #expect(fleet.fleet?.orders == [FleetOrder(phase: "decode", gpu: "H200", gpus: 16, arrivesDay: 20_850)])
        let seconds = try PipelineConfig.parse("[plan]\nreactive_interval = 120\n", file: "p.toml")
        #expect(seconds.plan.reactiveIntervalMinutes == 2)
    }

    @Test func ingestReadsEveryKeyOfIngestAndSourcesInheritThem() throws {
        let config = try PipelineConfig.parse(
            """
            [ingest]
            paths = ["burst"]
            format = "burstgpt"
            start = "2025-01-01T00:00:00Z"
            no_raw = true
            sample_rate = 10
            cache_blocks = 5000
            cache_block_tokens = 256

            [[ingest.sources]]
            paths = ["dynamo"]
            format = "dynamo"
            model = "qwen3-32b"

            [[ingest.sources]]
            paths = ["mapped"]
            format = "csv"
            map = "ts=t,prompt=p,output=o"
            ts_format = "ms"
            raw_retention_days = 30
            no_raw = false
            """, file: "p.toml")
        let ingest = try #require(config.ingest)
        #expect(ingest.runs.map(\.paths) == [["burst"], ["dynamo"], ["mapped"]])
        #expect(ingest.runs.map(\.format) == ["burstgpt", "dynamo", "csv"])
        #expect(ingest.runs.map(\.sampleRate) == [10, 10, 10])
        #expect(ingest.runs.map(\.noRaw) == [true, true, false])
        #expect(ingest.runs.map(\.cacheBlocks) == [5000, 5000, 5000])
        #expect(ingest.runs[1].model == "qwen3-32b" && ingest.runs[2].tsFormat == "ms")
        #expect(ingest.runs[2].rawRetentionDays == 30 && ingest.runs[2].map == "ts=t,prompt=p,output=o")
        let onlySources = try PipelineConfig.parse(
            "[ingest]\n[[ingest.sources]]\npaths = [\"a\"]\n", file: "p.toml")
        #expect(onlySources.ingest?.runs.map(\.paths) == [["a"]])
    }

    @Test(arguments: [
        (
            "[ingest]\npaths = [\"l\"]\nts_format = \"minutes\"\n",
            "p.toml:3: ingest.ts_format: expected \"iso\", \"s\", \"ms\", \"us\" or \"ns\""
        ),
        ("[ingest]\nformat = \"azure\"\n", "p.toml:1: ingest.paths: required"),
        ("[ingest]\n[[ingest.sources]]\nformat = \"azure\"\n", "p.toml:2: ingest.sources[1].paths: required"),
        (
            "[ingest]\npaths = [\"l\"]\nno_raw = true\nraw_retention_days = 3\n",
            "p.toml:4: ingest.raw_retention_days: no_raw keeps no raw rows"
        ),
        ("[ingest]\npaths = [\"l\"]\nstart = \"soon\"\n", "p.toml:3: ingest.start: expected an ISO 8601 instant"),
        (
            "[ingest]\n[[ingest.sources]]\npaths = [\"l\"]\nspeed = 3\n",
            "p.toml:4: ingest.sources[1].speed: unknown key"
        ),
    ])
    func ingestErrorsNameTheSourceAndKey(text: String, message: String) {
        #expect {
            try PipelineConfig.parse(text, file: "p.toml")
        } throws: { error in
            guard let error = error as? ConfigError else { return false }
            if !error.description.hasPrefix(message) { Issue.record("got: \(error.description)") }
            return error.description.hasPrefix(message)
        }
    }

    @Test(arguments: [
        (
            "[forecast]\nhorizon = \"90x\"\n",
            "p.toml:2: forecast.horizon: expected a duration like \"90d\" or \"13w\", got \"90x\""
        ),
        ("[plan]\nquantile = \"P80\"\n", "p.toml:2: plan.quantile: expected \"P50\", \"P90\" or \"P95\", got \"P80\""),
        ("[plan]\nutilization = 1.5\n", "p.toml:2: plan.utilization: expected a number from 0.05 to 1, got 1.5"),
        (
            "[plan]\nfailure_headroom = \"one\"\n",
            "p.toml:2: plan.failure_headroom: expected a whole number, got a string"
        ),
        (
            "[forcast]\nhorizon = \"90d\"\n",
            "p.toml:1: forcast: unknown key; known: pipeline, synth, ingest, transform, profiles, forecast, plan, scenarios"
        ),
        ("[plan]\nhorizon = [\"7d\"]\n", "p.toml:2: plan.horizon: unknown key in [plan]; known: quantile, horizons"),
        ("[ingest]\nformat = \"auto\"\n", "p.toml:1: ingest.paths: required: the log files or directories to load"),
        ("[[scenarios]]\nname = \"nothing\"\n", "p.toml:1: scenarios[1]: changes nothing"),
        (
            "[[profiles]]\nname = \"p\"\nllm = \"Llama-3.1-8B\"\ngpu = \"H100\"\ntp_decode = 0\n",
            "p.toml:5: profiles[1].tp_decode: expected a whole number from 1 to 576, got 0"
        ),
        (
            "[[profiles]]\nname = \"p\"\nllm = \"Llama-3.1-8B\"\ngpu = \"H100\"\nengine = \"tgi\"\n",
            "p.toml:5: profiles[1].engine: expected \"vllm\", \"sglang\", \"trtllm\", got \"tgi\""
        ),
        (
            "[ingest]\npaths = [\"l\"]\nsample_rate = 0\n",
            "p.toml:3: ingest.sample_rate: expected a whole number from 1 to 1000000, got 0"
        ),
        (
            "[plan]\nreactive_interval = \"90s\"\n",
            "p.toml:2: plan.reactive_interval: expected a whole number of minutes from 60s to 3600s"
        ),
        (
            "[fleet]\n[[fleet.orders]]\nphase = \"decode\"\ngpu = \"H200\"\ngpus = 8\narrives = \"2027-13-01\"\n",
            "p.toml:6: fleet.orders[1].arrives: required: the first day in service, a date like \"2027-02-01\""
        ),
        ("[pipeline]\nname = 7\n", "p.toml:2: pipeline.name: expected a string in quotes, got an integer"),
        ("x = [1,\n", "p.toml:1: the array is not closed: a ']' is missing"),
    ])
    func errorsNameTheFileLineKeyAndWhatWasExpected(text: String, message: String) {
        #expect {
            try PipelineConfig.parse(text, file: "p.toml")
        } throws: { error in
            guard let error = error as? ConfigError else { return false }
            if !error.description.hasPrefix(message) { Issue.record("got: \(error.description)") }
            return error.description.hasPrefix(message) && error.exitStatus.rawValue == 78
        }
    }
}
