/// The cost of a workload under a deployment profile: per-GPU throughput of each phase at the
/// SLA, the TP sizes chosen, the prefill:decode GPU ratio, and GPU-second coefficients for the
/// rollups. Measured profiles, when given, replace the roofline phase by phase.
public struct PhaseCostEstimate: Sendable, Codable, Equatable {
    public var profile: DeploymentProfile
    public var workload: Workload
    public var prefill: PrefillCapacity
    public var decode: DecodeCapacity
    public var coefficients: CostCoefficients

    /// Prefill GPUs per decode GPU for the same request rate, at the SLA:
    /// (computed prompt tokens ÷ prefill rate) ÷ (output tokens ÷ decode rate).
    public var prefillToDecodeGPURatio: Double? {
        let prefillRate = prefill.tokensPerSecondPerGPUAtSLA
        let decodeRate = decode.tokensPerSecondPerGPU
        guard prefillRate > 0, decodeRate > 0 else { return nil }
        return (workload.prefillTokens / prefillRate) / (workload.outputTokens / decodeRate)
    }
}

/// Computes `PhaseCostEstimate`s.
public struct CostEstimator: Sendable {
    public let catalog: Catalog
    public var measured: MeasuredProfile?

    public init(catalog: Catalog, measured: MeasuredProfile? = nil) {
        self.catalog = catalog
        self.measured = measured
    }

    /// Estimates a workload under a profile, choosing each phase's TP where the profile leaves it open.
    public func estimate(_ profile: DeploymentProfile, workload: Workload) throws -> PhaseCostEstimate {
        let model = try RooflineModel(
            catalog: catalog, llm: profile.llm, gpu: profile.gpu, precision: profile.precision)
        let sizes = model.candidateTensorParallelSizes()
        guard !sizes.isEmpty else { throw CostModelError.doesNotFit(llm: model.llm.name, gpu: model.gpu.name) }

        let prefillOptions = (profile.tpPrefill.map { [$0] } ?? sizes).map {
            model.prefill(workload, tp: $0, ttftMs: profile.ttftMs)
        }
        guard var prefill = prefillOptions.max(by: { $0.tokensPerSecondPerGPUAtSLA < $1.tokensPerSecondPerGPUAtSLA })
        else { throw CostModelError.doesNotFit(llm: model.llm.name, gpu: model.gpu.name) }
        let decodeOptions = (profile.tpDecode.map { [$0] } ?? sizes).map {
            model.decode(workload, tp: $0, itlMs: profile.itlMs)
        }
        guard var decode = decodeOptions.max(by: { $0.tokensPerSecondPerGPU < $1.tokensPerSecondPerGPU }) else {
            throw CostModelError.doesNotFit(llm: model.llm.name, gpu: model.gpu.name)
        }

        var coefficients = Self.coefficients(model: model, workload: workload, prefill: prefill, decode: decode)
        if let measured {
            if let point = measured.prefill(inputTokens: workload.promptTokens) {
                prefill = PrefillCapacity(tp: prefill.tp, bound: .measured, note: nil)
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
                    tp: decode.tp, bound: .measured, note: rate > 0 ? nil : "no measurement meets the ITL target")
                decode.tokensPerSecondPerGPU = rate
                coefficients.decodePerToken = 1 / max(rate, 1e-9)
                coefficients.decodePerContextToken = 0
            }
        }
        return PhaseCostEstimate(
            profile: profile, workload: workload, prefill: prefill, decode: decode, coefficients: coefficients)
    }

    /// GPU-seconds per unit of the sufficient statistics at the chosen operating points.
    static func coefficients(
        model: RooflineModel, workload: Workload, prefill: PrefillCapacity, decode: DecodeCapacity
    )
        -> CostCoefficients
    {
        let calibration = model.calibration
        // Prefill: linear work, exposed communication and the per-batch floor per computed token.
        let tokensPerBatch = Double(max(prefill.batchRequests, 1)) * workload.prefillTokens
        let g = Double(prefill.tp)
        let perToken =
            model.llm.linearFlopsPerToken / (calibration.mfuPrefill * model.peak)
            + g * (model.prefillCommunication(tokens: tokensPerBatch, tp: prefill.tp) + model.stepFloor(tp: prefill.tp))
            / tokensPerBatch
        let perPair = model.llm.attentionFlopsPerPair / (calibration.mfuAttention * model.attentionPeak)
        // Decode: GPU-seconds per output token at the operating batch, split into a part per
        // token and a part per context token (KV bytes, or attention FLOPs when compute-bound).
        guard decode.batch > 0 else {
            return CostCoefficients(
                prefillPerToken: perToken, prefillPerAttentionPair: perPair, decodePerToken: .infinity,
                decodePerContextToken: 0)
        }
        let perOutputToken = Double(decode.tp) * decode.stepMs / 1000 / Double(decode.batch)
        let perContext =
            decode.stepBound == .bandwidth
            ? model.llm.kvBytesPerToken(model.precision) / (calibration.mbu * model.gpu.bandwidth)
            : model.llm.attentionFlopsPerPair
                / (calibration.mfuAttention * calibration.decodeComputeDerate * model.attentionPeak)
        let contextPart = min(perContext * workload.decodeContext, perOutputToken)
        return CostCoefficients(
            prefillPerToken: perToken, prefillPerAttentionPair: perPair,
            decodePerToken: perOutputToken - contextPart,
            decodePerContextToken: contextPart / workload.decodeContext)
    }
}
