/// Prefill throughput per GPU for a workload on one worker.
public struct PrefillCapacity: Sendable, Codable, Equatable {
    public var layout: WorkerLayout
    /// GPUs per worker.
    public var tp: Int { layout.gpus }
    /// Prompts run together: the fewest that saturate the GPU.
    public var batchRequests = 0
    /// Time to compute one batch, ms.
    public var serviceMs = 0.0
    /// Computed (uncached) prompt tokens per second per GPU when always busy.
    public var tokensPerSecondPerGPU = 0.0
    /// The same counting cached tokens too, as engines report "input throughput".
    public var inputTokensPerSecondPerGPU = 0.0
    /// Highest utilization at which queueing keeps TTFT within the target.
    public var maxUtilization = 1.0
    public var ttftMsAtMaxUtilization = 0.0
    public var bound: PhaseBound
    public var note: String?

    public init(layout: WorkerLayout, bound: PhaseBound, note: String?) {
        self.layout = layout
        self.bound = bound
        self.note = note
    }

    /// Computed tokens per second per GPU while meeting the TTFT target.
    public var tokensPerSecondPerGPUAtSLA: Double { tokensPerSecondPerGPU * maxUtilization }
}

/// Decode throughput per GPU for a workload on one worker.
public struct DecodeCapacity: Sendable, Codable, Equatable {
    public var layout: WorkerLayout
    /// GPUs per worker.
    public var tp: Int { layout.gpus }
    /// Sequences per step.
    public var batch = 0
    /// Largest batch whose KV cache fits.
    public var kvBatchLimit = 0
    public var stepMs = 0.0
    /// Time between two tokens of a sequence (the step, or less with speculative decoding).
    public var interTokenMs = 0.0
    /// Whether the step is limited by bytes read or FLOPs.
    public var stepBound: PhaseBound = .bandwidth
    /// Output tokens per second per GPU at the ITL target.
    public var tokensPerSecondPerGPU = 0.0
    public var bound: PhaseBound
    public var note: String?

    public init(layout: WorkerLayout, bound: PhaseBound, note: String?) {
        self.layout = layout
        self.bound = bound
        self.note = note
    }
}

/// GPU-seconds per unit of the rollups' sufficient statistics, for one deployment and workload:
/// prefill = tokens · `prefillPerToken` + (Σ prefill·cached + Σ prefill²/2) · `prefillPerAttentionPair`;
/// decode = output tokens · `decodePerToken` + Σ output·(prompt + output/2) · `decodePerContextToken`.
/// These are busy GPU-seconds at the deployment's operating point (its batch at the SLA).
public struct CostCoefficients: Sendable, Codable, Equatable {
    public var prefillPerToken: Double
    public var prefillPerAttentionPair: Double
    public var decodePerToken: Double
    public var decodePerContextToken: Double

    public init(
        prefillPerToken: Double, prefillPerAttentionPair: Double, decodePerToken: Double, decodePerContextToken: Double
    ) {
        self.prefillPerToken = prefillPerToken
        self.prefillPerAttentionPair = prefillPerAttentionPair
        self.decodePerToken = decodePerToken
        self.decodePerContextToken = decodePerContextToken
    }

    /// Prefill GPU-seconds of a set of requests from their sums.
    public func prefillSeconds(tokens: Double, prefillTimesCached: Double, prefillSquared: Double) -> Double {
        tokens * prefillPerToken + (prefillTimesCached + prefillSquared / 2) * prefillPerAttentionPair
    }

    /// Decode GPU-seconds of a set of requests from their sums.
    public func decodeSeconds(outputTokens: Double, outputContext: Double) -> Double {
        outputTokens * decodePerToken + outputContext * decodePerContextToken
    }
}
