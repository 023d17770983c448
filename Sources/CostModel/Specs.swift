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

/// The serving engine a deployment runs: each has its own calibration (scheduling overheads and
/// batch limits differ by up to 2× in decode). `vllm` is the default.
public enum Engine: String, Sendable, CaseIterable, Codable {
    case vllm, sglang, trtllm

    /// The engine assumed when a profile names none.
    public static let standard = Engine.vllm
}

/// Dense models, or mixture-of-experts models whose tokens use a few experts each.
public enum ArchitectureClass: String, Sendable, Codable {
    case dense, moe
}

/// Who makes a GPU: kernels and engine ports differ in maturity between vendors, so each has
/// its own calibration.
public enum GPUVendor: String, Sendable, CaseIterable, Codable {
    case nvidia, amd
}

/// A GPU's peaks, memory and link, from the `gpus` seed.
public struct GPUSpec: Sendable, Equatable, Codable {
    public var name: String
    public var aliases: [String]
    public var vendor: GPUVendor
    public var bf16Tflops: Double
    public var fp8Tflops: Double?
    public var fp4Tflops: Double?
    public var hbmGB: Double
    public var hbmTBs: Double
    /// Scale-up (NVLink, Infinity Fabric, PCIe) bandwidth per GPU, one direction, GB/s.
    public var scaleupGBs: Double
    public var tdpWatts: Double
    public var gpusPerNode: Int
    /// GPUs one scale-up fabric joins (8 for an HGX node, 72 for an NVL72 rack); workers larger
    /// than this talk over the scale-out network.
    public var scaleupDomain: Int
    /// Scale-out (RDMA) bandwidth per GPU, one direction, GB/s.
    public var scaleoutGBs: Double
    public var pricePerHour: Double
    public var source: String

    public init(
        name: String,
        aliases: [String],
        vendor: GPUVendor = .nvidia,
        bf16Tflops: Double,
        fp8Tflops: Double?,
        fp4Tflops: Double?,
        hbmGB: Double,
        hbmTBs: Double,
        scaleupGBs: Double,
        tdpWatts: Double,
        gpusPerNode: Int,
        scaleupDomain: Int? = nil,
        scaleoutGBs: Double = 50,
        pricePerHour: Double,
        source: String
    ) {
        self.name = name
        self.aliases = aliases
        self.vendor = vendor
        self.bf16Tflops = bf16Tflops
        self.fp8Tflops = fp8Tflops
        self.fp4Tflops = fp4Tflops
        self.hbmGB = hbmGB
        self.hbmTBs = hbmTBs
        self.scaleupGBs = scaleupGBs
        self.tdpWatts = tdpWatts
        self.gpusPerNode = gpusPerNode
        self.scaleupDomain = scaleupDomain ?? gpusPerNode
        self.scaleoutGBs = scaleoutGBs
        self.pricePerHour = pricePerHour
        self.source = source
    }

    /// The dense peak of a precision's GEMMs, in FLOP/s; nil when the GPU lacks it.
    public func nativePeakFlops(_ precision: Precision) -> Double? {
        switch precision {
        case .bf16: bf16Tflops * 1e12
        case .fp8: fp8Tflops.map { $0 * 1e12 }
        case .fp4: fp4Tflops.map { $0 * 1e12 }
        }
    }

    /// The peak GEMMs at `precision` run at: the native peak, or for a precision the GPU has no
    /// tensor cores for, the best lower one (weight-only quantization, as engines run MXFP4 on
    /// Hopper or FP8 on Ampere: weights stored small, multiplied at the wider type).
    public func peakFlops(_ precision: Precision) -> Double {
        nativePeakFlops(precision) ?? (precision == .fp4 ? nativePeakFlops(.fp8) : nil) ?? bf16Tflops * 1e12
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
    /// KV heads (1 for a latent-attention cache shared by all heads): a TP group wider than
    /// this holds a copy of the cache per extra rank.
    public var kvHeads: Int
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
        kvHeads: Int = 8,
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
        self.kvHeads = max(kvHeads, 1)
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

    /// Parameters of one routed expert across all MoE layers (0 for dense models).
    public var paramsPerExpert: Double {
        guard architecture == .moe, let e = experts, let k = activeExperts, e > k else { return 0 }
        return (totalParams - activeParams) / Double(e - k)
    }

    /// Parameters every token uses: attention, dense layers, shared experts, embeddings (all of a
    /// dense model).
    public var sharedParams: Double {
        guard let k = activeExperts, paramsPerExpert > 0 else { return totalParams }
        return activeParams - Double(k) * paramsPerExpert
    }

    /// Expected distinct routed experts `tokens` tokens touch in one MoE layer:
    /// E·(1 − (1 − 1/E)^(tokens·k)).
    public func expertsTouched(tokens: Double) -> Double {
        guard let e = experts, let k = activeExperts, paramsPerExpert > 0 else { return 0 }
        return Double(e) * (1 - pow(1 - 1 / Double(e), tokens * Double(k)))
    }
}

/// Achieved efficiencies of one engine on one vendor's GPUs for one architecture class at one
/// precision, from the `calibration` seed (fitted to `measurements.csv`; see docs/cost-model.md).
public struct Calibration: Sendable, Equatable, Codable {
    public var engine: Engine
    public var vendor: GPUVendor
    public var architecture: ArchitectureClass
    public var precision: Precision
    /// Share of the precision's peak that prefill's linear layers reach.
    public var mfuPrefill: Double
    /// Share of the BF16 peak that attention reaches.
    public var mfuAttention: Double
    /// Share of HBM bandwidth that decode's weight and KV reads reach.
    public var mbu: Double
    /// Share of the precision's peak that decode's small, ragged GEMMs reach.
    public var mfuDecode: Double
    /// Fixed overhead per step and layer (kernel launches, scheduling), µs.
    public var stepFloorMicrosPerLayer: Double
    /// Overhead per sequence in the batch, per step and layer (paged-KV gathers, sampling,
    /// scheduler bookkeeping), µs: why a step grows with the batch faster than bytes alone say.
    public var sequenceMicrosPerLayer: Double
    /// Busiest expert-parallel rank's routed tokens ÷ the mean (1 when experts are not sharded).
    public var expertImbalance: Double
    /// Share of HBM left to KV cache after weights, activations and reserves.
    public var kvMemoryFraction: Double
    /// Largest batch the engine runs.
    public var maxBatch: Int
    /// 90th percentile of the model's absolute error on measurements it was not fitted on
    /// (leave-one-source-out, this class): the plan's cost-model allowance.
    public var uncertaintyP90: Double
    public var source: String

    public init(
        engine: Engine = .standard,
        vendor: GPUVendor = .nvidia,
        architecture: ArchitectureClass,
        precision: Precision,
        mfuPrefill: Double,
        mfuAttention: Double,
        mbu: Double,
        mfuDecode: Double,
        stepFloorMicrosPerLayer: Double,
        sequenceMicrosPerLayer: Double,
        expertImbalance: Double,
        kvMemoryFraction: Double,
        maxBatch: Int,
        uncertaintyP90: Double = 0,
        source: String
    ) {
        self.engine = engine
        self.vendor = vendor
        self.architecture = architecture
        self.precision = precision
        self.mfuPrefill = mfuPrefill
        self.mfuAttention = mfuAttention
        self.mbu = mbu
        self.mfuDecode = mfuDecode
        self.stepFloorMicrosPerLayer = stepFloorMicrosPerLayer
        self.sequenceMicrosPerLayer = sequenceMicrosPerLayer
        self.expertImbalance = expertImbalance
        self.kvMemoryFraction = kvMemoryFraction
        self.maxBatch = maxBatch
        self.uncertaintyP90 = uncertaintyP90
        self.source = source
    }
}
