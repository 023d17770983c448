/// What a fleet serves and how: the LLM, the GPU, the precision, the engine, the layout of the
/// prefill and decode workers (nil fields are chosen for the best throughput per GPU), optional
/// speculative decoding, and the latency targets.
public struct DeploymentProfile: Sendable, Codable, Equatable {
    public var llm: String
    public var gpu: String
    public var precision: Precision
    public var engine: Engine
    /// GPUs per prefill worker (its tensor-parallel group).
    public var tpPrefill: Int?
    /// GPUs per decode worker.
    public var tpDecode: Int?
    /// Expert-parallel size of MoE workers (nil: chosen).
    public var expertParallel: Int?
    /// Data-parallel attention in MoE workers (nil: chosen).
    public var dataParallelAttention: Bool?
    public var speculative: SpeculativeDecoding?
    /// Time-to-first-token target, ms (queueing included).
    public var ttftMs: Double
    /// Inter-token latency target, ms.
    public var itlMs: Double

    public init(
        llm: String, gpu: String, precision: Precision = .fp8, engine: Engine = .standard, tpPrefill: Int? = nil,
        tpDecode: Int? = nil, expertParallel: Int? = nil, dataParallelAttention: Bool? = nil,
        speculative: SpeculativeDecoding? = nil, ttftMs: Double = 1000, itlMs: Double = 50
    ) {
        self.llm = llm
        self.gpu = gpu
        self.precision = precision
        self.engine = engine
        self.tpPrefill = tpPrefill
        self.tpDecode = tpDecode
        self.expertParallel = expertParallel
        self.dataParallelAttention = dataParallelAttention
        self.speculative = speculative
        self.ttftMs = ttftMs
        self.itlMs = itlMs
    }

    /// The profile used when none is configured.
    public static let standard = DeploymentProfile(llm: "Llama-3.1-70B", gpu: "H100 SXM", precision: .fp8)

    /// A one-line description for reports.
    public var summary: String {
        var text = "\(llm) \(precision.rawValue.uppercased()) on \(gpu) with \(engine.rawValue)"
        text += ", TP \(tpPrefill.map(String.init) ?? "auto") prefill / \(tpDecode.map(String.init) ?? "auto") decode"
        if let expertParallel { text += ", EP \(expertParallel)" }
        if let dataParallelAttention { text += dataParallelAttention ? ", DP attention" : ", TP attention" }
        if let speculative {
            text += ", speculative \(speculative.draftTokens) × \(Self.format(speculative.acceptance))"
        }
        text += ", TTFT ≤ \(Self.format(ttftMs)) ms, ITL ≤ \(Self.format(itlMs)) ms"
        return text
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    /// The worker layouts of `model`'s candidates this profile allows for a phase of `gpus` GPUs
    /// per worker (nil: any), plus the exact layout asked for when the candidates lack it.
    func layouts(for model: RooflineModel, gpus: Int?) -> [WorkerLayout] {
        let wanted = model.candidateLayouts().filter { layout in
            (gpus.map { layout.gpus == $0 } ?? true)
                && (expertParallel.map { layout.expertParallel == $0 } ?? true)
                && (dataParallelAttention.map { layout.dataParallelAttention == $0 } ?? true)
        }
        guard wanted.isEmpty, let gpus else { return wanted }
        let exact = WorkerLayout(
            gpus: gpus, expertParallel: expertParallel ?? 1, dataParallelAttention: dataParallelAttention ?? false)
        return model.weightsFit(exact) ? [exact] : []
    }
}

/// The request shape a cost is for: mean prompt tokens (cached ones included), mean cached
/// prompt tokens, mean output tokens.
public struct Workload: Sendable, Codable, Equatable {
    public var promptTokens: Double
    public var cachedTokens: Double
    public var outputTokens: Double

    public init(promptTokens: Double, cachedTokens: Double = 0, outputTokens: Double) {
        self.promptTokens = promptTokens
        self.cachedTokens = min(cachedTokens, max(promptTokens - 1, 0))
        self.outputTokens = outputTokens
    }

    /// Prompt tokens the prefill computes.
    public var prefillTokens: Double { max(promptTokens - cachedTokens, 1) }

    /// Mean context held in KV during decode: the prompt and half the output.
    public var decodeContext: Double { promptTokens + outputTokens / 2 }
}

/// What limits a phase's throughput per GPU.
public enum PhaseBound: String, Sendable, Codable {
    case compute
    case bandwidth
    case kvCapacity = "KV capacity"
    case latency
    case batchLimit = "batch limit"
    case memory = "weights do not fit"
    case measured = "measured profile"
}
