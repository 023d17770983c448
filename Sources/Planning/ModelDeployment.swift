import CostModel
import Foundation
import PhasecastCore

/// How one model is served and what one of its mean requests costs per phase: the bridge from
/// the cost model to the plan.
public struct ModelDeployment: Sendable, Equatable {
    public var model: String
    public var profile: DeploymentProfile
    public var workload: Workload
    public var estimate: PhaseCostEstimate
    /// Busy GPU-seconds of a mean request, per phase.
    public var prefillSecondsPerRequest: Double
    public var decodeSecondsPerRequest: Double

    /// Costs `workload` under `profile`.
    public init(model: String, profile: DeploymentProfile, workload: Workload, estimator: CostEstimator) throws {
        self.init(
            model: model, profile: profile, workload: workload,
            estimate: try estimator.estimate(profile, workload: workload))
    }

    /// The deployment of an estimate already made for `workload` under `profile`.
    public init(model: String, profile: DeploymentProfile, workload: Workload, estimate: PhaseCostEstimate) {
        self.model = model
        self.profile = profile
        self.workload = workload
        self.estimate = estimate
        let n = workload.prefillTokens
        let c = workload.cachedTokens
        prefillSecondsPerRequest = estimate.coefficients.prefillSeconds(
            tokens: n, prefillTimesCached: n * c, prefillSquared: n * n)
        decodeSecondsPerRequest = estimate.coefficients.decodeSeconds(
            outputTokens: workload.outputTokens, outputContext: workload.outputTokens * workload.decodeContext)
    }

    public func secondsPerRequest(_ phase: Phase) -> Double {
        phase == .prefill ? prefillSecondsPerRequest : decodeSecondsPerRequest
    }

    public func tp(_ phase: Phase) -> Int { phase == .prefill ? estimate.prefill.tp : estimate.decode.tp }

    /// The worker layout of a phase.
    public func layout(_ phase: Phase) -> WorkerLayout {
        phase == .prefill ? estimate.prefill.layout : estimate.decode.layout
    }

    /// How far the phase's modelled cost may be off (P90 share; 0 when measured).
    public func costUncertainty(_ phase: Phase) -> Double {
        phase == .prefill ? estimate.prefillUncertainty : estimate.decodeUncertainty
    }

    /// Highest prefill utilization that keeps TTFT within target (queueing), or nil for decode.
    public func slaUtilizationCap(_ phase: Phase) -> Double? {
        phase == .prefill ? estimate.prefill.maxUtilization : nil
    }
}

/// A what-if: changes to how some models are served or to their demand.
public struct Scenario: Sendable, Equatable {
    public var name: String
    /// Which models it changes (a glob over model names).
    public var models: String
    public var growth: Double?
    public var cacheHitRate: Double?
    public var gpu: String?
    public var prefillGPU: String?
    public var decodeGPU: String?
    public var llm: String?
    public var precision: Precision?
    public var ttftMs: Double?
    public var itlMs: Double?

    public init(
        name: String, models: String = "*", growth: Double? = nil, cacheHitRate: Double? = nil, gpu: String? = nil,
        prefillGPU: String? = nil, decodeGPU: String? = nil, llm: String? = nil, precision: Precision? = nil,
        ttftMs: Double? = nil, itlMs: Double? = nil
    ) {
        self.name = name
        self.models = models
        self.growth = growth
        self.cacheHitRate = cacheHitRate
        self.gpu = gpu
        self.prefillGPU = prefillGPU
        self.decodeGPU = decodeGPU
        self.llm = llm
        self.precision = precision
        self.ttftMs = ttftMs
        self.itlMs = itlMs
    }

    /// Whether the scenario changes `model` (a GLOB: `*`, `?`, `[…]`).
    public func applies(to model: String) -> Bool { GlobPattern(models).matches(model) }

    /// The deployment of each phase under the scenario, and the factor its demand in busy
    /// GPU-hours is multiplied by: (GPU-seconds of a mean request under the scenario ÷ under
    /// the baseline) × growth. A phase's GPU type, LLM, precision or SLA change its cost; a
    /// cache hit rate removes that share of prompt tokens from prefill work.
    public func apply(to base: ModelDeployment, estimator: CostEstimator) throws -> [Phase: (ModelDeployment, Double)] {
        var workload = base.workload
        if let cacheHitRate { workload.cachedTokens = cacheHitRate * workload.promptTokens }
        var result: [Phase: (ModelDeployment, Double)] = [:]
        for phase in Phase.allCases {
            var profile = base.profile
            let phaseGPU = phase == .prefill ? prefillGPU : decodeGPU
            if let newGPU = phaseGPU ?? gpu {
                profile.gpu = newGPU
                profile.tpPrefill = nil
                profile.tpDecode = nil
            }
            if let llm {
                profile.llm = llm
                profile.tpPrefill = nil
                profile.tpDecode = nil
            }
            if let precision { profile.precision = precision }
            if let ttftMs { profile.ttftMs = ttftMs }
            if let itlMs { profile.itlMs = itlMs }
            let deployment = try ModelDeployment(
                model: base.model, profile: profile, workload: workload, estimator: estimator)
            let before = base.secondsPerRequest(phase)
            let ratio = before > 0 ? deployment.secondsPerRequest(phase) / before : 1
            result[phase] = (deployment, ratio * (growth ?? 1))
        }
        return result
    }
}

/// Co-located serving of the same demand: every worker runs both phases, prefill in chunks
/// beside the decode batch (stall-free batching). A share ρ of each worker's time goes to
/// prefill; decode steps stretch by 1 ÷ (1 − ρ), so the decode batch must meet a tighter step
/// time, ITL·(1 − ρ), and runs (1 − ρ) of the time.
public enum AggregatedBaseline {
    /// Busy GPUs that serve `prefillTokensPerSecond` (computed prompt tokens) and
    /// `decodeTokensPerSecond` on workers of `deployment`'s decode GPU and TP: the smallest N
    /// with decode demand ÷ N ≤ (1 − ρ) · decode rate at ITL·(1 − ρ), ρ = prefill demand ÷ (N ·
    /// prefill rate). Nil when no N serves it (the ITL target cannot be met with any prefill
    /// interference).
    public static func busyGPUs(
        prefillTokensPerSecond: Double, decodeTokensPerSecond: Double, deployment: ModelDeployment, catalog: Catalog
    ) throws -> Double? {
        guard prefillTokensPerSecond > 0 || decodeTokensPerSecond > 0 else { return 0 }
        let profile = deployment.profile
        let layout = deployment.estimate.decode.layout
        let model = try CostEstimator(catalog: catalog).model(profile)
        // Prefill on the decode workers' TP, always busy (in chunks, TTFT is not what limits
        // it): GPU-seconds per computed token.
        let workload = deployment.workload
        let prefillRate = model.prefill(workload, layout: layout, ttftMs: .greatestFiniteMagnitude)
            .tokensPerSecondPerGPU
        guard prefillRate > 0 else { return nil }
        let prefillSecondsPerToken = 1 / prefillRate
        func decodeRate(_ rho: Double) -> Double {
            model.decode(workload, layout: layout, itlMs: profile.itlMs * (1 - rho)).tokensPerSecondPerGPU * (1 - rho)
        }
        func serves(_ gpus: Double) -> Bool {
            let rho = prefillTokensPerSecond * prefillSecondsPerToken / gpus
            guard rho < 0.95 else { return false }
            return decodeTokensPerSecond / gpus <= decodeRate(rho)
        }
        var low = prefillTokensPerSecond * prefillSecondsPerToken
        var high = max(low * 2, 1e-6)
        var doublings = 0
        while !serves(high) {
            high *= 2
            doublings += 1
            if doublings > 60 { return nil }
        }
        for _ in 0..<60 {
            let middle = (low + high) / 2
            if serves(middle) { high = middle } else { low = middle }
        }
        return high
    }
}
