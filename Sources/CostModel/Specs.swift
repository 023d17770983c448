import Foundation

/// The datatype of weights and GEMMs: which peak the prefill runs at and how many bytes a
/// parameter takes. KV caches are FP8 with FP8 or FP4 weights, BF16 otherwise.
public enum Precision: String, Sendable, CaseIterable, Codable {
    case bf16, fp8, fp4

    /// Bytes a weight takes (FP4 with its block scales).
    public var bytesPerWeight: Double {
        switch self {
        case .bf16: 2
        case .fp8: 1
        case .fp4: 0.5625
        }
    }

    /// Bytes per KV element relative to BF16.
    public var kvScale: Double { self == .bf16 ? 1 : 0.5 }
}

/// Dense models, or mixture-of-experts models whose tokens use a few experts each.
public enum ArchitectureClass: String, Sendable, Codable {
    case dense, moe
}

/// A GPU's peaks, memory and link, from the `gpus` seed.
public struct GPUSpec: Sendable, Equatable, Codable {
    public var name: String
    public var aliases: [String]
    public var bf16Tflops: Double
    public var fp8Tflops: Double?
    public var fp4Tflops: Double?
    public var hbmGB: Double
    public var hbmTBs: Double
    /// Scale-up (NVLink, Infinity Fabric, PCIe) bandwidth per GPU, one direction, GB/s.
    public var scaleupGBs: Double
    public var tdpWatts: Double
    public var gpusPerNode: Int
    public var pricePerHour: Double
    public var source: String

    public init(
        name: String,
        aliases: [String],
        bf16Tflops: Double,
        fp8Tflops: Double?,
        fp4Tflops: Double?,
        hbmGB: Double,
        hbmTBs: Double,
        scaleupGBs: Double,
        tdpWatts: Double,
        gpusPerNode: Int,
        pricePerHour: Double,
        source: String
    ) {
        self.name = name
        self.aliases = aliases
        self.bf16Tflops = bf16Tflops
        self.fp8Tflops = fp8Tflops
        self.fp4Tflops = fp4Tflops
        self.hbmGB = hbmGB
        self.hbmTBs = hbmTBs
        self.scaleupGBs = scaleupGBs
        self.tdpWatts = tdpWatts
        self.gpusPerNode = gpusPerNode
        self.pricePerHour = pricePerHour
        self.source = source
    }

    /// The dense peak of a precision's GEMMs, in FLOP/s; nil when the GPU lacks it.
    public func peakFlops(_ precision: Precision) -> Double? {
        switch precision {
        case .bf16: bf16Tflops * 1e12
        case .fp8: fp8Tflops.map { $0 * 1e12 }
        case .fp4: fp4Tflops.map { $0 * 1e12 }
        }
    }

    public var bandwidth: Double { hbmTBs * 1e12 }
    public var memoryBytes: Double { hbmGB * 1e9 }
}

/// An LLM's architecture, from the `llms` seed.
public struct LLMSpec: Sendable, Equatable, Codable {
    public var name: String
    public var aliases: [String]
    public var architecture: ArchitectureClass
    public var totalParams: Double
    public var activeParams: Double
    public var layers: Int
    public var hiddenSize: Int
    public var experts: Int?
    public var activeExperts: Int?
    public var moeLayers: Int?
    public var kvBytesPerTokenBF16: Double
    /// FLOPs of the linear layers per token (2 × active parameters, lm_head included).
    public var linearFlopsPerToken: Double
    /// Attention FLOPs per (query token × key token).
    public var attentionFlopsPerPair: Double
    public var maxContext: Int
    public var source: String

    public init(
        name: String,
        aliases: [String],
        architecture: ArchitectureClass,
        totalParams: Double,
        activeParams: Double,
        layers: Int,
        hiddenSize: Int,
        experts: Int?,
        activeExperts: Int?,
        moeLayers: Int?,
        kvBytesPerTokenBF16: Double,
        linearFlopsPerToken: Double,
        attentionFlopsPerPair: Double,
        maxContext: Int,
        source: String
    ) {
        self.name = name
        self.aliases = aliases
        self.architecture = architecture
        self.totalParams = totalParams
        self.activeParams = activeParams
        self.layers = layers
        self.hiddenSize = hiddenSize
        self.experts = experts
        self.activeExperts = activeExperts
        self.moeLayers = moeLayers
        self.kvBytesPerTokenBF16 = kvBytesPerTokenBF16
        self.linearFlopsPerToken = linearFlopsPerToken
        self.attentionFlopsPerPair = attentionFlopsPerPair
        self.maxContext = maxContext
        self.source = source
    }

    /// Bytes of KV cache one token takes at a precision.
    public func kvBytesPerToken(_ precision: Precision) -> Double { kvBytesPerTokenBF16 * precision.kvScale }

    /// Bytes of all weights.
    public func weightBytes(_ precision: Precision) -> Double { totalParams * precision.bytesPerWeight }

    /// Bytes of weights one decode step reads with `batch` sequences: all of a dense model; for
    /// MoE the shared part and the distinct experts the batch's tokens touch,
    /// E·(1 − (1 − 1/E)^(B·k)) per layer.
    public func weightBytesRead(batch: Double, _ precision: Precision) -> Double {
        guard architecture == .moe, let e = experts, let k = activeExperts, e > k else {
            return weightBytes(precision)
        }
        let perExpert = (totalParams - activeParams) / Double(e - k)  // one expert, all layers
        let shared = activeParams - Double(k) * perExpert
        let touched = Double(e) * (1 - pow(1 - 1 / Double(e), batch * Double(k)))
        return (shared + touched * perExpert) * precision.bytesPerWeight
    }
}

/// Achieved efficiencies of one architecture class at one precision, from the `calibration` seed.
public struct Calibration: Sendable, Equatable, Codable {
    public var architecture: ArchitectureClass
    public var precision: Precision
    /// Share of the precision's peak that prefill's linear layers reach.
    public var mfuPrefill: Double
    /// Share of the BF16 peak that attention reaches.
    public var mfuAttention: Double
    /// Share of HBM bandwidth that decode's weight and KV reads reach.
    public var mbu: Double
    /// Decode's compute runs at `mfuPrefill × decodeComputeDerate` (small, ragged GEMMs).
    public var decodeComputeDerate: Double
    /// Per-step overhead per layer (launches, scheduling, sampling), µs.
    public var stepFloorMicrosPerLayer: Double
    /// Share of HBM left to KV cache after weights, activations and reserves.
    public var kvMemoryFraction: Double
    /// Largest batch the engine runs.
    public var maxBatch: Int
    public var source: String

    public init(
        architecture: ArchitectureClass,
        precision: Precision,
        mfuPrefill: Double,
        mfuAttention: Double,
        mbu: Double,
        decodeComputeDerate: Double,
        stepFloorMicrosPerLayer: Double,
        kvMemoryFraction: Double,
        maxBatch: Int,
        source: String
    ) {
        self.architecture = architecture
        self.precision = precision
        self.mfuPrefill = mfuPrefill
        self.mfuAttention = mfuAttention
        self.mbu = mbu
        self.decodeComputeDerate = decodeComputeDerate
        self.stepFloorMicrosPerLayer = stepFloorMicrosPerLayer
        self.kvMemoryFraction = kvMemoryFraction
        self.maxBatch = maxBatch
        self.source = source
    }
}
