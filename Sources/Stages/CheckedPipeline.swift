import CostModel
import Foundation
import LogFormats
import PhasecastCore
import Pipeline
import Planning

/// A pipeline file with every name resolved and every value checked, ready to run: what
/// `phasecast run --check` verifies, before synth or ingest start.
public struct CheckedPipeline: Sendable {
    public var config: PipelineConfig
    /// The sets of logs to load, in order, each checked as `phasecast ingest` checks its options.
    public var ingestRuns: [IngestRun] = []
    public var utcOffsetMinutes: Int?
    /// The pipeline's `[[profiles]]`, as the profile table holds them; nil when it declares none.
    public var profiles: [StoredProfile]?
    public var scenarios: [Scenario]
    public var policy: PlanPolicy
    /// The installed fleet, GPU names as the catalog spells them; nil when not declared.
    public var fleet: InstalledFleet?

    /// Checks `config` against `catalog` (the seeds and the database's own rows): every GPU, LLM
    /// and precision known, every TP able to hold its model, every SLA reachable, every file
    /// named present. Throws the first problem as a `ConfigError` naming the file, the line, the
    /// dotted key and the valid choices.
    public init(_ config: PipelineConfig, catalog: Catalog) throws {
        self.config = config
        ingestRuns = try IngestRun.all(config)
        if let offset = config.utcOffset {
            guard let minutes = UTCOffset.parse(offset) else {
                throw config.error(
                    "transform.utc_offset", "expected an offset like \"+00:00\" or \"-05:00\", got \"\(offset)\"")
            }
            utcOffsetMinutes = minutes
        }
        let estimator = CostEstimator(catalog: catalog)
        profiles =
            config.profiles.isEmpty
            ? nil
            : try config.profiles.enumerated().map { index, p in
                let profile = DeploymentProfile(
                    llm: p.llm, gpu: p.gpu, precision: Precision(rawValue: p.precision) ?? .fp8,
                    engine: p.engine.flatMap(Engine.init(rawValue:)) ?? .standard, tpPrefill: p.tpPrefill,
                    tpDecode: p.tpDecode, expertParallel: p.expertParallel,
                    dataParallelAttention: p.dataParallelAttention,
                    speculative: p.draftTokens.map {
                        SpeculativeDecoding(draftTokens: $0, acceptance: p.draftAcceptance ?? 0.7)
                    },
                    ttftMs: p.ttftMs, itlMs: p.itlMs)
                do {
                    try estimator.check(profile)
                } catch let problem as ProfileProblem {
                    throw config.error("profiles[\(index + 1)].\(problem.field)", problem.reason)
                }
                var measuredPath: String?
                if let path = p.measuredProfile {
                    // A malformed profile is bad data (65), named by its file and field.
                    _ = try MeasuredProfile.read(path: path)
                    measuredPath = path
                }
                return StoredProfile(
                    name: p.name, pattern: p.models, priority: p.priority, profile: profile, measuredPath: measuredPath)
            }
        let gpuNames = catalog.gpus.map(\.name).joined(separator: ", ")
        for (gpu, _) in config.plan.prices.sorted(by: { $0.key < $1.key }) where (try? catalog.gpu(named: gpu)) == nil {
            throw config.error("plan.prices.\(gpu)", "unknown GPU; known: \(gpuNames)")
        }
        scenarios = try config.scenarios.enumerated().map { index, s in
            let path = "scenarios[\(index + 1)]"
            for (key, name) in [("gpu", s.gpu), ("prefill_gpu", s.prefillGPU), ("decode_gpu", s.decodeGPU)] {
                if let name, (try? catalog.gpu(named: name)) == nil {
                    throw config.error("\(path).\(key)", "unknown GPU \"\(name)\"; known: \(gpuNames)")
                }
            }
            if let llm = s.llm, (try? catalog.llm(named: llm)) == nil {
                throw config.error(
                    "\(path).llm", "unknown LLM \"\(llm)\"; known: \(catalog.llms.map(\.name).joined(separator: ", "))")
            }
            return Scenario(
                name: s.name, models: s.models, growth: s.growth, cacheHitRate: s.cacheHitRate, gpu: s.gpu,
                prefillGPU: s.prefillGPU, decodeGPU: s.decodeGPU, llm: s.llm,
                precision: s.precision.flatMap(Precision.init(rawValue:)), ttftMs: s.ttftMs, itlMs: s.itlMs)
        }
        var policy = PlanPolicy()
        policy.headlineQuantile = config.plan.headlineQuantile
        policy.quantiles = [50, 90, 95]
        policy.horizons = config.plan.horizons
        policy.targetUtilization = [.prefill: config.plan.prefillUtilization, .decode: config.plan.decodeUtilization]
        policy.spareWorkers = config.plan.failureHeadroom
        policy.prices = config.plan.prices
        self.policy = policy
        if let declared = config.fleet {
            var gpus: [Phase: [String: Int]] = [:]
            for (phase, counts) in [(Phase.prefill, declared.prefill), (.decode, declared.decode)] {
                for (name, count) in counts.sorted(by: { $0.key < $1.key }) {
                    guard let gpu = try? catalog.gpu(named: name) else {
                        throw config.error("fleet.\(phase.rawValue).\(name)", "unknown GPU; known: \(gpuNames)")
                    }
                    gpus[phase, default: [:]][gpu.name, default: 0] += count
                }
            }
            var deliveries: [Phase: [String: [InstalledFleet.Delivery]]] = [:]
            for (index, order) in declared.orders.enumerated() {
                guard let gpu = try? catalog.gpu(named: order.gpu) else {
                    throw config.error(
                        "fleet.orders[\(index + 1)].gpu", "unknown GPU \"\(order.gpu)\"; known: \(gpuNames)")
                }
                let phase: Phase = order.phase == "prefill" ? .prefill : .decode
                deliveries[phase, default: [:]][gpu.name, default: []].append(
                    InstalledFleet.Delivery(day: order.arrivesDay, gpus: order.gpus))
            }
            fleet = InstalledFleet(leadTimeDays: declared.leadTimeDays, gpus: gpus, deliveries: deliveries)
        }
        if let events = config.forecast.events, !FileManager.default.fileExists(atPath: events) {
            // The synth stage writes its fleet's holidays beside its logs.
            let written = config.synth.map { URL(fileURLWithPath: $0.out).appendingPathComponent("holidays.csv").path }
            if written != URL(fileURLWithPath: events).path {
                throw config.error("forecast.events", "no such file: \(events)")
            }
        }
    }

    /// Days since the epoch of the events file's dates, read when the forecast runs (a synthesized
    /// fleet writes its events file in its own stage).
    func eventDays() throws -> Set<Int64> {
        guard let events = config.forecast.events else { return [] }
        guard FileManager.default.fileExists(atPath: events) else {
            throw config.error("forecast.events", "no such file: \(events)")
        }
        return try EventDates.read(path: events)
    }
}
