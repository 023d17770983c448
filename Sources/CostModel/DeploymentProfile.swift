/// What a fleet serves and how: the LLM, the GPU, the precision, the tensor parallelism of the
/// prefill and decode workers (nil: chosen for the best throughput per GPU) and the latency
/// targets.
public struct DeploymentProfile: Sendable, Codable, Equatable {
    public var llm: String
    public var gpu: String
    public var precision: Precision
    public var tpPrefill: Int?
    public var tpDecode: Int?
    /// Time-to-first-token target, ms (queueing included).
    public var ttftMs: Double
    /// Inter-token latency target, ms.
    public var itlMs: Double

    public init(
        llm: String, gpu: String, precision: Precision = .fp8, tpPrefill: Int? = nil, tpDecode: Int? = nil,
        ttftMs: Double = 1000, itlMs: Double = 50
    ) {
        self.llm = llm
        self.gpu = gpu
        self.precision = precision
        self.tpPrefill = tpPrefill
        self.tpDecode = tpDecode
        self.ttftMs = ttftMs
        self.itlMs = itlMs
    }

    /// The profile used when none is configured.
    public static let standard = DeploymentProfile(llm: "Llama-3.1-70B", gpu: "H100 SXM", precision: .fp8)

    /// A one-line description for reports.
    public var summary: String {
        var text = "\(llm) \(precision.rawValue.uppercased()) on \(gpu)"
        text += ", TP \(tpPrefill.map(String.init) ?? "auto") prefill / \(tpDecode.map(String.init) ?? "auto") decode"
        text += ", TTFT ≤ \(Self.format(ttftMs)) ms, ITL ≤ \(Self.format(itlMs)) ms"
        return text
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
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
