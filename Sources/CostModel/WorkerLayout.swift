import Foundation

/// How one worker (one engine instance) spreads a model over its GPUs: `gpus` in the tensor-
/// parallel group (any size the hardware joins, across nodes when larger than a scale-up domain),
/// routed experts sharded over `expertParallel` of them, and attention either split by heads
/// (TP) or by sequences (data-parallel attention, each GPU serving its own share of the batch).
public struct WorkerLayout: Sendable, Codable, Equatable, Hashable, CustomStringConvertible {
    public var gpus: Int
    public var expertParallel: Int
    public var dataParallelAttention: Bool

    public init(gpus: Int, expertParallel: Int = 1, dataParallelAttention: Bool = false) {
        self.gpus = max(gpus, 1)
        self.expertParallel = min(max(expertParallel, 1), self.gpus)
        self.dataParallelAttention = dataParallelAttention && self.gpus > 1
    }

    /// A plain tensor-parallel group.
    public static func tensorParallel(_ gpus: Int) -> WorkerLayout { WorkerLayout(gpus: gpus) }

    /// `TP 8`, `TP 16 · EP 16 · DP attention`.
    public var description: String {
        var text = "TP \(gpus)"
        if expertParallel > 1 { text += " · EP \(expertParallel)" }
        if dataParallelAttention { text += " · DP attention" }
        return text
    }
}

/// Speculative decoding (a draft model or multi-token prediction heads): each step verifies
/// `draftTokens` proposals per sequence, each accepted with probability `acceptance` until the
/// first rejection.
public struct SpeculativeDecoding: Sendable, Codable, Equatable {
    public var draftTokens: Int
    public var acceptance: Double

    public init(draftTokens: Int, acceptance: Double) {
        self.draftTokens = max(draftTokens, 0)
        self.acceptance = min(max(acceptance, 0), 0.99)
    }

    /// Tokens a step emits per sequence on average: (1 − a^(k+1)) / (1 − a).
    public var tokensPerStep: Double {
        let a = acceptance
        return (1 - pow(a, Double(draftTokens + 1))) / (1 - a)
    }

    /// Tokens a step computes per sequence: the one it emits and the proposals it checks.
    public var tokensComputed: Double { Double(draftTokens + 1) }
}
