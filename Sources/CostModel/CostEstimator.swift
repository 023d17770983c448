/// The cost of a workload under a deployment profile: per-GPU throughput of each phase at the
/// SLA, the worker layouts chosen, the prefill:decode GPU ratio, the aggregated (co-located)
/// alternative, and GPU-second coefficients for the rollups. Measured profiles, when given,
/// replace the model phase by phase.
public struct PhaseCostEstimate: Sendable, Codable, Equatable {
    public var profile: DeploymentProfile
    public var workload: Workload
    public var prefill: PrefillCapacity
    public var decode: DecodeCapacity
    /// The best aggregated engine at the same targets, nil when none meets them.
    public var aggregated: AggregatedCapacity?
    public var coefficients: CostCoefficients
    /// How far each phase's modelled throughput may be off, as a share (the P90 of the model's
    /// held-out error for this class of LLM); 0 for a phase a measured profile sets.
    public var prefillUncertainty = 0.0
    public var decodeUncertainty = 0.0
    /// Whether both phases meet their targets.
    public var feasible: Bool { prefill.tokensPerSecondPerGPUAtSLA > 0 && decode.tokensPerSecondPerGPU > 0 }

    /// Prefill GPUs per decode GPU for the same request rate, at the SLA:
    /// (computed prompt tokens ÷ prefill rate) ÷ (output tokens ÷ decode rate).
    public var prefillToDecodeGPURatio: Double? {
        let prefillRate = prefill.tokensPerSecondPerGPUAtSLA
        let decodeRate = decode.tokensPerSecondPerGPU
        guard prefillRate > 0, decodeRate > 0 else { return nil }
        return (workload.prefillTokens / prefillRate) / (workload.outputTokens / decodeRate)
    }

    /// Requests per second per GPU of the disaggregated pair: one request needs prefill GPU-time
    /// and decode GPU-time.
    public var disaggregatedRequestsPerSecondPerGPU: Double? {
        let prefillRate = prefill.tokensPerSecondPerGPUAtSLA
        let decodeRate = decode.tokensPerSecondPerGPU
        guard prefillRate > 0, decodeRate > 0 else { return nil }
        return 1 / (workload.prefillTokens / prefillRate + workload.outputTokens / decodeRate)
    }

    enum CodingKeys: String, CodingKey {
        case profile, workload, prefill, decode, aggregated, coefficients, feasible, prefillToDecodeGPURatio
        case prefillUncertainty, decodeUncertainty
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(profile, forKey: .profile)
        try container.encode(workload, forKey: .workload)
        try container.encode(prefill, forKey: .prefill)
        try container.encode(decode, forKey: .decode)
        try container.encodeIfPresent(aggregated, forKey: .aggregated)
        // Coefficients of a phase that cannot meet its target are infinite: JSON has no such number.
        if feasible { try container.encode(coefficients, forKey: .coefficients) }
        try container.encode(feasible, forKey: .feasible)
        try container.encodeIfPresent(prefillToDecodeGPURatio, forKey: .prefillToDecodeGPURatio)
        try container.encode(prefillUncertainty, forKey: .prefillUncertainty)
        try container.encode(decodeUncertainty, forKey: .decodeUncertainty)
    }

    public init(
        profile: DeploymentProfile, workload: Workload, prefill: PrefillCapacity, decode: DecodeCapacity,
        aggregated: AggregatedCapacity?, coefficients: CostCoefficients
    ) {
        self.profile = profile
        self.workload = workload
        self.prefill = prefill
        self.decode = decode
        self.aggregated = aggregated
        self.coefficients = coefficients
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        profile = try container.decode(DeploymentProfile.self, forKey: .profile)
        workload = try container.decode(Workload.self, forKey: .workload)
        prefill = try container.decode(PrefillCapacity.self, forKey: .prefill)
        decode = try container.decode(DecodeCapacity.self, forKey: .decode)
        aggregated = try container.decodeIfPresent(AggregatedCapacity.self, forKey: .aggregated)
        coefficients =
            try container.decodeIfPresent(CostCoefficients.self, forKey: .coefficients)
            ?? CostCoefficients(
                prefillPerToken: .infinity, prefillPerAttentionPair: 0, decodePerToken: .infinity,
                decodePerContextToken: 0)
        prefillUncertainty = try container.decodeIfPresent(Double.self, forKey: .prefillUncertainty) ?? 0
        decodeUncertainty = try container.decodeIfPresent(Double.self, forKey: .decodeUncertainty) ?? 0
    }
}

/// An aggregated engine meeting both targets: its layout, the concurrency it holds, and the
/// requests and tokens per second per GPU it serves.
public struct AggregatedCapacity: Sendable, Codable, Equatable {
    public var layout: WorkerLayout
    public var point: AggregatedPoint
    public var requestsPerSecondPerGPU: Double
}

/// Computes `PhaseCostEstimate`s.
public struct CostEstimator: Sendable {
    public let catalog: Catalog
    public var measured: MeasuredProfile?

    public init(catalog: Catalog, measured: MeasuredProfile? = nil) {
        self.catalog = catalog
        self.measured = measured
    }

    /// The model of a profile's LLM, GPU, precision, engine and speculative decoding.
    public func model(_ profile: DeploymentProfile) throws -> RooflineModel {
        try RooflineModel(
            catalog: catalog, llm: profile.llm, gpu: profile.gpu, precision: profile.precision,
            engine: profile.engine, speculative: profile.speculative)
    }

    /// Estimates a workload under a profile, choosing each phase's worker where the profile
    /// leaves it open.
    public func estimate(_ profile: DeploymentProfile, workload: Workload) throws -> PhaseCostEstimate {
        let model = try model(profile)
        let doesNotFit = CostModelError.doesNotFit(
            llm: model.llm.name, gpu: model.gpu.name, precision: profile.precision)
        let prefillOptions = profile.layouts(for: model, gpus: profile.tpPrefill).map {
            model.prefill(workload, layout: $0, ttftMs: profile.ttftMs)
        }
        guard var prefill = prefillOptions.max(by: Self.worsePrefill) else { throw doesNotFit }
        let decodeOptions = profile.layouts(for: model, gpus: profile.tpDecode).map {
            model.decode(workload, layout: $0, itlMs: profile.itlMs)
        }
        guard var decode = decodeOptions.max(by: Self.worseDecode) else { throw doesNotFit }
        let aggregated = Self.bestAggregated(model: model, profile: profile, workload: workload)

        var coefficients = Self.coefficients(model: model, workload: workload, prefill: prefill, decode: decode)
        if let measured {
            if let point = measured.prefill(inputTokens: workload.promptTokens) {
                prefill = PrefillCapacity(layout: prefill.layout, bound: .measured, note: nil)
                prefill.tokensPerSecondPerGPU =
                    point.tokensPerSecondPerGPU * workload.prefillTokens / workload.promptTokens
                prefill.inputTokensPerSecondPerGPU = point.tokensPerSecondPerGPU
                prefill.ttftMsAtMaxUtilization = point.ttftMs
                prefill.maxUtilization = point.ttftMs <= profile.ttftMs ? 1 : 0
                if point.ttftMs > profile.ttftMs { prefill.note = "the measured TTFT exceeds the target" }
                coefficients.prefillPerToken = 1 / max(prefill.tokensPerSecondPerGPU, 1e-9)
                coefficients.prefillPerAttentionPair = 0
            }
            if let rate = measured.decode(context: workload.decodeContext, itlMs: profile.itlMs) {
                decode = DecodeCapacity(
                    layout: decode.layout, bound: .measured,
                    note: rate > 0 ? nil : "no measurement meets the ITL target")
                decode.tokensPerSecondPerGPU = rate
                coefficients.decodePerToken = 1 / max(rate, 1e-9)
                coefficients.decodePerContextToken = 0
            }
        }
        var estimate = PhaseCostEstimate(
            profile: profile, workload: workload, prefill: prefill, decode: decode, aggregated: aggregated,
            coefficients: coefficients)
        let band = model.calibration.uncertaintyP90
        estimate.prefillUncertainty = prefill.bound == .measured ? 0 : band
        estimate.decodeUncertainty = decode.bound == .measured ? 0 : band
        return estimate
    }

    /// Orders prefill options: feasible before infeasible, then by throughput at the SLA, then
    /// (for infeasible ones) by the shorter service time, whose note says by how much it misses.
    static func worsePrefill(_ a: PrefillCapacity, _ b: PrefillCapacity) -> Bool {
        if a.tokensPerSecondPerGPUAtSLA != b.tokensPerSecondPerGPUAtSLA {
            return a.tokensPerSecondPerGPUAtSLA < b.tokensPerSecondPerGPUAtSLA
        }
        return a.serviceMs > b.serviceMs
    }

    /// Orders decode options likewise: throughput, then the shorter single-sequence step.
    static func worseDecode(_ a: DecodeCapacity, _ b: DecodeCapacity) -> Bool {
        if a.tokensPerSecondPerGPU != b.tokensPerSecondPerGPU {
            return a.tokensPerSecondPerGPU < b.tokensPerSecondPerGPU
        }
        return a.stepMs > b.stepMs
    }

    /// The aggregated engine with the most requests per second per GPU at both targets.
    static func bestAggregated(
        model: RooflineModel, profile: DeploymentProfile, workload: Workload
    )
        -> AggregatedCapacity?
    {
        let gpus = profile.tpDecode ?? profile.tpPrefill
        return profile.layouts(for: model, gpus: gpus).compactMap { layout -> AggregatedCapacity? in
            guard let point = model.aggregated(workload, layout: layout, ttftMs: profile.ttftMs, itlMs: profile.itlMs)
            else { return nil }
            let requests = point.tokensPerSecondPerGPU / (workload.promptTokens + workload.outputTokens)
            return AggregatedCapacity(layout: layout, point: point, requestsPerSecondPerGPU: requests)
        }.max { $0.requestsPerSecondPerGPU < $1.requestsPerSecondPerGPU }
    }

    /// GPU-seconds per unit of the sufficient statistics at the chosen operating points.
    static func coefficients(
        model: RooflineModel, workload: Workload, prefill: PrefillCapacity, decode: DecodeCapacity
    )
        -> CostCoefficients
    {
        let calibration = model.calibration
        // Prefill: GPU-seconds of a saturated batch's linear work, communication and floor, per
        // computed token; attention per (query × key) pair.
        let layout = prefill.layout
        let requests = Double(max(prefill.batchRequests, 1))
        let tokensPerBatch = requests * workload.prefillTokens
        let batchSeconds =
            model.prefillSeconds(newTokens: workload.prefillTokens, cached: 0, requests: requests, layout: layout)
            - requests * workload.prefillTokens * workload.prefillTokens / 2 * model.llm.attentionFlopsPerPair
            / (Double(layout.gpus) * calibration.mfuAttention * model.attentionPeak)
        let perToken = Double(layout.gpus) * (batchSeconds + model.stepFloor()) / tokensPerBatch
        let perPair = model.llm.attentionFlopsPerPair / (calibration.mfuAttention * model.attentionPeak)
        // Decode: GPU-seconds per output token at the operating batch, split into a part per
        // token and a part per context token (KV bytes, or attention FLOPs when compute-bound).
        guard decode.batch > 0, decode.tokensPerSecondPerGPU > 0 else {
            return CostCoefficients(
                prefillPerToken: perToken, prefillPerAttentionPair: perPair, decodePerToken: .infinity,
                decodePerContextToken: 0)
        }
        let perOutputToken = 1 / decode.tokensPerSecondPerGPU
        let perContext =
            decode.stepBound == .bandwidth
            ? model.llm.kvBytesPerToken(model.precision) * model.kvCopies(decode.layout) / model.bandwidth
            : model.llm.attentionFlopsPerPair / (calibration.mfuAttention * model.attentionPeak)
        let contextPart = min(perContext * workload.decodeContext, perOutputToken)
        return CostCoefficients(
            prefillPerToken: perToken, prefillPerAttentionPair: perPair,
            decodePerToken: perOutputToken - contextPart,
            decodePerContextToken: contextPart / workload.decodeContext)
    }
}
