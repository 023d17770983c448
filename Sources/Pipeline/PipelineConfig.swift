import Foundation
import PhasecastCore

/// A pipeline file (`Pipelines/nightly.toml`, …): what `phasecast run` does, stage by stage.
/// Every key is optional except where noted; unknown keys are errors, so that a typo is not
/// silently ignored.
public struct PipelineConfig: Sendable {
    /// The file it was read from, for messages.
    public var file: String
    /// Names reports: `<reports>/<name>/<date>/`.
    public var name: String
    public var database: String
    public var reports: String
    public var synth: SynthSettings?
    public var ingest: IngestSettings?
    public var utcOffset: String?
    public var profiles: [ProfileSettings]
    public var forecast: ForecastSettings
    public var plan: PlanSettings
    public var scenarios: [ScenarioSettings]
    public var fleet: FleetSettings?
    /// Lines of the keys, by dotted path (`scenarios[2].prefill_gpu`), for errors found later.
    public var lines: [String: Int]

    /// The error for `key`'s value, found after reading (an unknown GPU, …).
    public func error(_ key: String, _ reason: String) -> ConfigError {
        ConfigError(file: file, line: lines[key] ?? 0, key: key, reason: reason)
    }
}

/// `[fleet]`: the GPUs installed (or already ordered) per phase and GPU type, and how long an
/// order takes to arrive.
public struct FleetSettings: Sendable, Equatable {
    /// Days from order to GPUs in service.
    public var leadTimeDays = 90
    /// GPUs installed per phase, by GPU name or alias.
    public var prefill: [String: Int] = [:]
    public var decode: [String: Int] = [:]
    /// `[[fleet.orders]]`: GPUs already ordered, in service from a date on.
    public var orders: [FleetOrder] = []
}

/// One `[[fleet.orders]]` entry.
public struct FleetOrder: Sendable, Equatable {
    public var phase: String
    public var gpu: String
    public var gpus: Int
    /// The first day in service, days since the epoch.
    public var arrivesDay: Int64
}

/// `[synth]`: write synthetic logs before ingesting them (the demo).
public struct SynthSettings: Sendable, Equatable {
    public var out: String
    public var days = 180
    public var seed: UInt64 = 7
    /// The last day of traffic (`YYYY-MM-DD`); nil: yesterday (UTC).
    public var end: String?
    /// Requests a day are multiplied by this (1 = about 40,000 a day at the end).
    public var scale = 1.0
}

/// `[ingest]`: which logs to load. Its keys describe one set of logs; `[[ingest.sources]]`
/// add more, each taking the `[ingest]` keys it does not set itself, so that one nightly
/// pipeline loads several stacks' logs.
public struct IngestSettings: Sendable, Equatable {
    /// The logs the `[ingest]` table names itself (empty when only sources name logs).
    public var paths: [String]
    public var format = "auto"
    public var model: String?
    public var maxRejectRate: Double?
    /// Requests with more prompt or output tokens than this are rejects (nil: the default, 10 M).
    public var maxTokensPerRequest: Int?
    /// The logs hold 1 in this many requests (nil: each file keeps the rate it was loaded with,
    /// 1 when new).
    public var sampleRate: Int?
    /// Start of relative traces, and the time of records without one (ISO 8601).
    public var start: String?
    /// The csv format's mapping (columns, or dotted paths for JSON lines).
    public var map: String?
    /// iso, s, ms, us or ns.
    public var tsFormat: String?
    /// Keep only rollups, not raw request rows.
    public var noRaw = false
    /// Raw rows older than this many days before the newest request are deleted.
    public var rawRetentionDays: Int?
    /// Simulated prefix-cache capacity (Mooncake/RAGPulse), in blocks.
    public var cacheBlocks: Int?
    /// Tokens per prefix-cache block (Mooncake).
    public var cacheBlockTokens: Int?
    /// `[[ingest.sources]]`, each with the `[ingest]` keys it does not set filled in.
    public var sources: [IngestSettings] = []
    /// Freshness (the whole `[ingest]`, not one source): a run that loads no new file fails 69.
    public var expectNewFiles = false
    /// Freshness: a run whose newest request is older than this many seconds fails 69.
    public var maxDataAgeSeconds: Int?

    public init(paths: [String]) {
        self.paths = paths
    }

    /// Every set of logs to load in turn: `[ingest]`'s own paths first, then each source.
    public var runs: [IngestSettings] {
        var own = self
        own.sources = []
        return (paths.isEmpty ? [] : [own]) + sources
    }
}

/// `[[profiles]]`: how the models matching a pattern are served.
public struct ProfileSettings: Sendable, Equatable {
    public var name: String
    public var models = "*"
    public var priority: Int
    public var llm: String
    public var gpu: String
    public var precision = "fp8"
    /// `vllm`, `sglang` or `trtllm` (nil: the default engine).
    public var engine: String?
    public var tpPrefill: Int?
    public var tpDecode: Int?
    public var expertParallel: Int?
    public var dataParallelAttention: Bool?
    /// Speculative decoding: tokens proposed per step and the chance each is accepted.
    public var draftTokens: Int?
    public var draftAcceptance: Double?
    /// A measured profile (CSV, Dynamo profiler JSON, npz or directory, AIConfigurator CSV) that
    /// replaces the model; a path as the other paths of the file are.
    public var measuredProfile: String?
    public var ttftMs = 1000.0
    public var itlMs = 50.0
}

/// `[forecast]`.
public struct ForecastSettings: Sendable, Equatable {
    public var horizonDays = 90
    public var events: String?
    /// Earlier cutoffs to forecast from when the ledger has no forecast for them, so that a new
    /// database can report realized accuracy on its first run.
    public var backfill = 0
    public var backfillStepDays = 14
}

/// `[plan]`.
public struct PlanSettings: Sendable, Equatable {
    /// The quantile of demand the headline is sized for: 50, 90 or 95.
    public var headlineQuantile = 90
    /// `7d`, `30d`, `90d` (days after the cutoff), `quarter` (to the end of the current quarter),
    /// `next-quarter` (to the end of the next one).
    public var horizons = ["7d", "30d", "90d", "quarter", "next-quarter"]
    public var prefillUtilization = 0.8
    public var decodeUtilization = 0.8
    /// Spare workers per pool (N+k).
    public var failureHeadroom = 1
    /// Days of history the intraday shape (peak and burst factors) is measured over.
    public var lookbackDays = 28
    /// $/GPU-hour by GPU name, over the seed's prices.
    public var prices: [String: Double] = [:]
    /// Minutes between the reactive baseline's decisions in the plan backtest (Dynamo's planner
    /// adjusts every 180 s by default).
    public var reactiveIntervalMinutes = 3
    /// Earlier cutoffs the plan backtest replays, newest first (0: no backtest).
    public var backtestCutoffs = 2
}

/// `[[scenarios]]`: a what-if, planned beside the baseline.
public struct ScenarioSettings: Sendable, Equatable {
    public var name: String
    /// GLOB over model names the scenario changes (others keep the baseline).
    public var models = "*"
    public var growth: Double?
    public var cacheHitRate: Double?
    public var gpu: String?
    public var prefillGPU: String?
    public var decodeGPU: String?
    public var llm: String?
    public var precision: String?
    public var ttftMs: Double?
    public var itlMs: Double?
}

extension PipelineConfig {
    /// Reads a pipeline file's text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> PipelineConfig {
        let root: TOMLTable
        do { root = try TOMLParser.parse(text) } catch {
            throw ConfigError(file: file, line: error.line, key: "", reason: error.reason)
        }
        var lines: [String: Int] = [:]
        Self.collectLines(root, prefix: "", into: &lines)
        var top = TableReader(file: file, table: root, path: "")
        let stem = ((file as NSString).lastPathComponent as NSString).deletingPathExtension

        var pipeline = try top.table("pipeline") ?? TableReader(file: file, table: TOMLTable(), path: "pipeline")
        let name = try pipeline.string("name") ?? stem
        guard !name.isEmpty, !name.contains("/") else { throw pipeline.error("name", "expected a name without '/'") }
        let database = try pipeline.string("database") ?? "phasecast.db"
        let reports = try pipeline.string("reports") ?? "Reports"
        try pipeline.rejectUnknownKeys()

        var synth: SynthSettings?
        if var table = try top.table("synth") {
            guard let out = try table.string("out") else {
                throw table.error("out", "required: the directory to write the logs to")
            }
            var settings = SynthSettings(out: out)
            settings.days = try table.integer("days", in: 14...3650) ?? settings.days
            settings.seed = UInt64(try table.integer("seed", in: 0...Int(Int32.max)) ?? Int(settings.seed))
            if let end = try table.string("end") {
                guard Self.isDate(end) else {
                    throw table.error("end", "expected a date like \"2026-06-30\", got \"\(end)\"")
                }
                settings.end = end
            }
            settings.scale = try table.number("scale", in: 0.001...100) ?? settings.scale
            try table.rejectUnknownKeys()
            synth = settings
        }

        var ingest: IngestSettings?
        if var table = try top.table("ingest") {
            var settings = try Self.ingestKeys(&table, inheriting: IngestSettings(paths: []))
            settings.expectNewFiles = try table.bool("expect_new_files") ?? false
            settings.maxDataAgeSeconds = try table.seconds("max_data_age")
            for var source in try table.tables("sources") {
                var inherited = settings
                inherited.paths = []
                let read = try Self.ingestKeys(&source, inheriting: inherited)
                guard !read.paths.isEmpty else {
                    throw source.error("paths", "required: the log files or directories of this source")
                }
                try source.rejectUnknownKeys()
                settings.sources.append(read)
            }
            if settings.paths.isEmpty && settings.sources.isEmpty {
                throw table.error("paths", "required: the log files or directories to load (or [[ingest.sources]])")
            }
            try table.rejectUnknownKeys()
            ingest = settings
        }

        var utcOffset: String?
        if var table = try top.table("transform") {
            utcOffset = try table.string("utc_offset")
            try table.rejectUnknownKeys()
        }

        var profiles: [ProfileSettings] = []
        for (index, var table) in try top.tables("profiles").enumerated() {
            guard let profileName = try table.string("name") else {
                throw table.error("name", "required: the profile's name")
            }
            guard let llm = try table.string("llm") else {
                throw table.error("llm", "required: the LLM served, e.g. \"Llama-3.1-70B\"")
            }
            guard let gpu = try table.string("gpu") else {
                throw table.error("gpu", "required: the GPU type, e.g. \"H200\"")
            }
            var profile = ProfileSettings(name: profileName, priority: 10 * (index + 1), llm: llm, gpu: gpu)
            profile.models = try table.string("models") ?? profile.models
            profile.priority = try table.integer("priority", in: 0...100_000) ?? profile.priority
            if let precision = try table.string("precision") {
                guard ["bf16", "fp8", "fp4"].contains(precision.lowercased()) else {
                    throw table.error("precision", "expected \"bf16\", \"fp8\" or \"fp4\", got \"\(precision)\"")
                }
                profile.precision = precision.lowercased()
            }
            if let engine = try table.string("engine") {
                let known = ["vllm", "sglang", "trtllm"]
                guard known.contains(engine.lowercased()) else {
                    throw table.error(
                        "engine", "expected \(known.map { "\"\($0)\"" }.joined(separator: ", ")), got \"\(engine)\"")
                }
                profile.engine = engine.lowercased()
            }
            profile.tpPrefill = try table.integer("tp_prefill", in: 1...576)
            profile.tpDecode = try table.integer("tp_decode", in: 1...576)
            profile.expertParallel = try table.integer("ep", in: 1...576)
            profile.dataParallelAttention = try table.bool("dp_attention")
            profile.draftTokens = try table.integer("draft_tokens", in: 1...16)
            profile.draftAcceptance = try table.number("draft_acceptance", in: 0...0.99)
            if profile.draftAcceptance != nil, profile.draftTokens == nil {
                throw table.error("draft_acceptance", "needs draft_tokens")
            }
            profile.measuredProfile = try table.string("measured_profile")
            profile.ttftMs = try table.number("ttft_ms", in: 1...600_000) ?? profile.ttftMs
            profile.itlMs = try table.number("itl_ms", in: 1...10_000) ?? profile.itlMs
            try table.rejectUnknownKeys()
            profiles.append(profile)
        }

        var forecast = ForecastSettings()
        if var table = try top.table("forecast") {
            forecast.horizonDays = try table.days("horizon") ?? forecast.horizonDays
            forecast.events = try table.string("events")
            forecast.backfill = try table.integer("backfill", in: 0...52) ?? forecast.backfill
            forecast.backfillStepDays = try table.days("backfill_step") ?? forecast.backfillStepDays
            try table.rejectUnknownKeys()
        }

        var plan = PlanSettings()
        if var table = try top.table("plan") {
            if let quantile = try table.string("quantile") {
                guard let value = ["p50": 50, "p90": 90, "p95": 95][quantile.lowercased()] else {
                    throw table.error("quantile", "expected \"P50\", \"P90\" or \"P95\", got \"\(quantile)\"")
                }
                plan.headlineQuantile = value
            }
            if let horizons = try table.strings("horizons") {
                for horizon in horizons
                where (TableReader.parseDays(horizon).map { $0 > TableReader.maximumDays } ?? true)
                    && horizon != "quarter" && horizon != "next-quarter"
                {
                    throw table.error(
                        "horizons",
                        "expected durations up to \(TableReader.maximumDays) days like \"30d\", \"quarter\" or \"next-quarter\", got \"\(horizon)\""
                    )
                }
                guard !horizons.isEmpty else { throw table.error("horizons", "expected at least one horizon") }
                plan.horizons = horizons
            }
            if let both = try table.number("utilization", in: 0.05...1) {
                plan.prefillUtilization = both
                plan.decodeUtilization = both
            }
            plan.prefillUtilization = try table.number("prefill_utilization", in: 0.05...1) ?? plan.prefillUtilization
            plan.decodeUtilization = try table.number("decode_utilization", in: 0.05...1) ?? plan.decodeUtilization
            plan.failureHeadroom = try table.integer("failure_headroom", in: 0...1000) ?? plan.failureHeadroom
            plan.lookbackDays = try table.days("lookback") ?? plan.lookbackDays
            plan.reactiveIntervalMinutes =
                try table.minutes("reactive_interval", in: 1...60) ?? plan.reactiveIntervalMinutes
            plan.backtestCutoffs = try table.integer("backtest_cutoffs", in: 0...52) ?? plan.backtestCutoffs
            if var prices = try table.table("prices") {
                for entry in prices.table.entries {
                    plan.prices[entry.key] = try prices.number(entry.key, in: 0...10_000)
                }
                try prices.rejectUnknownKeys()
            }
            try table.rejectUnknownKeys()
        }

        var scenarios: [ScenarioSettings] = []
        for var table in try top.tables("scenarios") {
            guard let scenarioName = try table.string("name") else {
                throw table.error("name", "required: the scenario's name")
            }
            var scenario = ScenarioSettings(name: scenarioName)
            scenario.models = try table.string("models") ?? scenario.models
            scenario.growth = try table.number("growth", in: 0.01...1000)
            scenario.cacheHitRate = try table.number("cache_hit_rate", in: 0...0.99)
            scenario.gpu = try table.string("gpu")
            scenario.prefillGPU = try table.string("prefill_gpu")
            scenario.decodeGPU = try table.string("decode_gpu")
            scenario.llm = try table.string("llm")
            if let precision = try table.string("precision") {
                guard ["bf16", "fp8", "fp4"].contains(precision.lowercased()) else {
                    throw table.error("precision", "expected \"bf16\", \"fp8\" or \"fp4\", got \"\(precision)\"")
                }
                scenario.precision = precision.lowercased()
            }
            scenario.ttftMs = try table.number("ttft_ms", in: 1...600_000)
            scenario.itlMs = try table.number("itl_ms", in: 1...10_000)
            try table.rejectUnknownKeys()
            let changes: [Any?] = [
                scenario.growth, scenario.cacheHitRate, scenario.gpu, scenario.prefillGPU, scenario.decodeGPU,
                scenario.llm,
                scenario.precision, scenario.ttftMs, scenario.itlMs,
            ]
            guard changes.contains(where: { $0 != nil }) else {
                throw ConfigError(
                    file: file, line: table.table.line, key: table.path,
                    reason:
                        "changes nothing; give growth, cache_hit_rate, gpu, prefill_gpu, decode_gpu, llm, precision, ttft_ms or itl_ms"
                )
            }
            scenarios.append(scenario)
        }
        var fleet: FleetSettings?
        if var table = try top.table("fleet") {
            var settings = FleetSettings()
            settings.leadTimeDays = try table.days("lead_time") ?? settings.leadTimeDays
            for phase in ["prefill", "decode"] {
                guard var gpus = try table.table(phase) else { continue }
                var counts: [String: Int] = [:]
                for entry in gpus.table.entries {
                    counts[entry.key] = try gpus.integer(entry.key, in: 0...10_000_000)
                }
                try gpus.rejectUnknownKeys()
                if phase == "prefill" { settings.prefill = counts } else { settings.decode = counts }
            }
            for var order in try table.tables("orders") {
                guard let phase = try order.string("phase"), phase == "prefill" || phase == "decode" else {
                    throw order.error("phase", "required: \"prefill\" or \"decode\"")
                }
                guard let gpu = try order.string("gpu") else { throw order.error("gpu", "required: the GPU ordered") }
                guard let count = try order.integer("gpus", in: 1...10_000_000) else {
                    throw order.error("gpus", "required: how many GPUs the order brings")
                }
                guard let arrives = try order.string("arrives"), Self.isDate(arrives),
                    let day = CalendarDay.parse(arrives)
                else {
                    throw order.error("arrives", "required: the first day in service, a date like \"2027-02-01\"")
                }
                try order.rejectUnknownKeys()
                settings.orders.append(FleetOrder(phase: phase, gpu: gpu, gpus: count, arrivesDay: day))
            }
            try table.rejectUnknownKeys()
            fleet = settings
        }
        try top.rejectUnknownKeys()
        return PipelineConfig(
            file: file, name: name, database: database, reports: reports, synth: synth, ingest: ingest,
            utcOffset: utcOffset,
            profiles: profiles, forecast: forecast, plan: plan, scenarios: scenarios, fleet: fleet, lines: lines)
    }

    /// Reads the keys one set of logs may set, the others taken from `base`.
    static func ingestKeys(
        _ table: inout TableReader, inheriting base: IngestSettings
    ) throws(ConfigError)
        -> IngestSettings
    {
        var settings = base
        settings.paths = try table.strings("paths") ?? []
        settings.format = try table.string("format") ?? base.format
        settings.model = try table.string("model") ?? base.model
        settings.maxRejectRate = try table.number("max_reject_rate", in: 0...1) ?? base.maxRejectRate
        settings.maxTokensPerRequest =
            try table.integer("max_tokens_per_request", in: 1...2_147_483_647) ?? base.maxTokensPerRequest
        settings.sampleRate = try table.integer("sample_rate", in: 1...1_000_000) ?? base.sampleRate
        if let start = try table.string("start") {
            guard start.count >= 10, Self.isDate(String(start.prefix(10))) else {
                throw table.error(
                    "start", "expected an ISO 8601 instant like \"2025-01-01T00:00:00Z\", got \"\(start)\"")
            }
            settings.start = start
        }
        settings.map = try table.string("map") ?? base.map
        if let tsFormat = try table.string("ts_format") {
            guard ["iso", "s", "ms", "us", "ns"].contains(tsFormat) else {
                throw table.error("ts_format", "expected \"iso\", \"s\", \"ms\", \"us\" or \"ns\", got \"\(tsFormat)\"")
            }
            settings.tsFormat = tsFormat
        }
        settings.noRaw = try table.bool("no_raw") ?? base.noRaw
        settings.rawRetentionDays = try table.integer("raw_retention_days", in: 0...36_500) ?? base.rawRetentionDays
        if settings.noRaw && settings.rawRetentionDays != nil {
            throw table.error("raw_retention_days", "no_raw keeps no raw rows, so there is nothing to prune")
        }
        settings.cacheBlocks = try table.integer("cache_blocks", in: 1...1_000_000_000) ?? base.cacheBlocks
        settings.cacheBlockTokens = try table.integer("cache_block_tokens", in: 1...1_000_000) ?? base.cacheBlockTokens
        return settings
    }

    static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-")
        return text.count == 10 && parts.count == 3 && parts.allSatisfy { $0.allSatisfy(\.isNumber) }
    }

    private static func collectLines(_ table: TOMLTable, prefix: String, into lines: inout [String: Int]) {
        for entry in table.entries {
            let key = prefix.isEmpty ? entry.key : "\(prefix).\(entry.key)"
            lines[key] = entry.line
            switch entry.value {
            case .table(let inner): collectLines(inner, prefix: key, into: &lines)
            case .array(let items):
                for (index, item) in items.enumerated() {
                    if case .table(let inner) = item {
                        lines["\(key)[\(index + 1)]"] = inner.line
                        collectLines(inner, prefix: "\(key)[\(index + 1)]", into: &lines)
                    }
                }
            default: break
            }
        }
    }
}
