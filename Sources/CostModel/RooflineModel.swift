import Foundation
import PhasecastCore

/// Tokens to GPU-seconds per phase from FLOPs, bytes and achieved efficiencies
/// (reference/COST_MODEL.md, sections 2–5 and 8).
///
/// Prefill of n new tokens after c cached: n·F_lin at the precision's peak × MFU, plus
/// attention A·(n·c + n²/2) at the BF16 peak × attention MFU, plus exposed tensor-parallel
/// all-reduces. Decode step of B sequences at mean context C: the larger of weight + KV bytes
/// over bandwidth × MBU and FLOPs over peak × MFU × derate, plus a per-layer floor.
public struct RooflineModel: Sendable {
    public let llm: LLMSpec
    public let gpu: GPUSpec
    public let precision: Precision
    public let calibration: Calibration

    /// Tokens a prefill batch needs to saturate the GPU's GEMMs (MFU flattens above m ≈ 1–2 k).
    public static let saturationTokens = 2048.0
    /// Latency of one all-reduce across the TP group, s (AIC's p2p latency).
    public static let allReduceLatency = 10e-6
    /// Share of prefill's all-reduce time not hidden behind compute.
    public static let exposedCommunication = 0.5
    /// Share of HBM the weights may take, leaving room for activations.
    public static let weightMemoryLimit = 0.9
    /// Largest tensor-parallel group considered.
    public static let tensorParallelSizes = [1, 2, 4, 8]

    public init(catalog: Catalog, llm: String, gpu: String, precision: Precision) throws {
        self.llm = try catalog.llm(named: llm)
        self.gpu = try catalog.gpu(named: gpu)
        self.precision = precision
        self.calibration = try catalog.calibration(self.llm.architecture, precision)
        guard self.gpu.peakFlops(precision) != nil else {
            throw CostModelError.unsupportedPrecision(gpu: self.gpu.name, precision: precision)
        }
    }

    /// Dense peak FLOP/s at the model's precision (the initializer checked that the GPU has it).
    var peak: Double { gpu.peakFlops(precision) ?? gpu.bf16Tflops * 1e12 }
    var attentionPeak: Double { gpu.bf16Tflops * 1e12 }

    /// Whether the weights fit on a TP group.
    public func weightsFit(tp: Int) -> Bool {
        llm.weightBytes(precision) <= Double(tp) * gpu.memoryBytes * Self.weightMemoryLimit
    }

    // MARK: Prefill

    /// Seconds of one prefill of `requests` prompts of `newTokens` after `cached`, on `tp` GPUs.
    public func prefillSeconds(newTokens n: Double, cached c: Double, requests b: Double, tp: Int) -> Double {
        let g = Double(tp)
        let linear = b * n * llm.linearFlopsPerToken / (g * calibration.mfuPrefill * peak)
        let attention =
            b * (n * c + n * n / 2) * llm.attentionFlopsPerPair / (g * calibration.mfuAttention * attentionPeak)
        return linear + attention + prefillCommunication(tokens: b * n, tp: tp)
    }

    /// Exposed time of the two all-reduces per layer of `tokens` hidden states (ring).
    func prefillCommunication(tokens: Double, tp: Int) -> Double {
        guard tp > 1 else { return 0 }
        let g = Double(tp)
        let bytes = tokens * Double(llm.hiddenSize) * 2
        let perAllReduce = 2 * (g - 1) / g * bytes / (gpu.scaleupGBs * 1e9) + Self.allReduceLatency
        return Double(llm.layers) * 2 * perAllReduce * Self.exposedCommunication
    }

    /// Per-step overhead: launches and scheduling per layer, and the all-reduce latencies of TP.
    func stepFloor(tp: Int) -> Double {
        let layers = Double(llm.layers)
        return layers * calibration.stepFloorMicrosPerLayer * 1e-6 + (tp > 1 ? layers * 2 * Self.allReduceLatency : 0)
    }

    /// Prefill on a TP group: the batch that saturates the GPU, its service time, the capacity at
    /// full use, and the utilization at which queueing (M/D/1) still meets the TTFT target.
    public func prefill(_ workload: Workload, tp: Int, ttftMs: Double) -> PrefillCapacity {
        let n = workload.prefillTokens
        let c = workload.cachedTokens
        guard weightsFit(tp: tp) else {
            return PrefillCapacity(tp: tp, bound: .memory, note: "the weights do not fit on \(tp) \(gpu.name)")
        }
        let batch = max(1, (Self.saturationTokens / n).rounded(.up))
        let service = prefillSeconds(newTokens: n, cached: c, requests: batch, tp: tp) + stepFloor(tp: tp)
        let capacity = batch * n / (service * Double(tp))
        let target = ttftMs / 1000
        var estimate = PrefillCapacity(tp: tp, bound: .compute, note: nil)
        estimate.batchRequests = Int(batch)
        estimate.serviceMs = service * 1000
        estimate.tokensPerSecondPerGPU = capacity
        estimate.inputTokensPerSecondPerGPU = capacity * workload.promptTokens / n
        guard service < target else {
            estimate.bound = .latency
            estimate.maxUtilization = 0
            estimate.note = String(format: "one batch takes %.0f ms on TP %d, over the TTFT target", service * 1000, tp)
            return estimate
        }
        // M/D/1: TTFT = D + ρD / (2(1 − ρ)) ≤ T  ⇔  ρ ≤ 2(T − D) / (2(T − D) + D).
        let slack = target - service
        let utilization = min(1, 2 * slack / (2 * slack + service))
        estimate.maxUtilization = utilization
        estimate.ttftMsAtMaxUtilization = (service + utilization * service / (2 * (1 - min(utilization, 0.999)))) * 1000
        if utilization < 0.9 { estimate.bound = .latency }
        return estimate
    }

    // MARK: Decode

    /// One decode step of `batch` sequences at mean context `context` on `tp` GPUs: its time and
    /// the memory and compute terms.
    public func decodeStep(
        batch: Double, context: Double, tp: Int
    ) -> (seconds: Double, memory: Double, compute: Double) {
        let g = Double(tp)
        let bytes = llm.weightBytesRead(batch: batch, precision) + batch * context * llm.kvBytesPerToken(precision)
        let memory = bytes / (g * calibration.mbu * gpu.bandwidth)
        let rate = calibration.mfuPrefill * calibration.decodeComputeDerate
        let compute =
            batch * llm.linearFlopsPerToken / (g * rate * peak) + batch * llm.attentionFlopsPerPair * context
            / (g * calibration.mfuAttention * calibration.decodeComputeDerate * attentionPeak)
        return (max(memory, compute) + stepFloor(tp: tp), memory, compute)
    }

    /// Sequences whose KV cache fits beside the weights at a mean context.
    public func kvBatchLimit(context: Double, tp: Int) -> Double {
        let free = Double(tp) * gpu.memoryBytes * calibration.kvMemoryFraction - llm.weightBytes(precision)
        return max(0, (free / (context * llm.kvBytesPerToken(precision))).rounded(.down))
    }

    /// Decode on a TP group: the largest batch whose step meets the ITL target and whose KV cache
    /// fits, and the throughput it gives.
    public func decode(_ workload: Workload, tp: Int, itlMs: Double?) -> DecodeCapacity {
        let context = workload.decodeContext
        guard weightsFit(tp: tp) else {
            return DecodeCapacity(tp: tp, bound: .memory, note: "the weights do not fit on \(tp) \(gpu.name)")
        }
        let kvLimit = kvBatchLimit(context: context, tp: tp)
        guard kvLimit >= 1 else {
            return DecodeCapacity(
                tp: tp, bound: .kvCapacity, note: "no room for one sequence's KV cache of \(Int(context)) tokens")
        }
        let ceiling = min(kvLimit, Double(calibration.maxBatch))
        var batch = ceiling
        var bound: PhaseBound = kvLimit <= Double(calibration.maxBatch) ? .kvCapacity : .batchLimit
        if let itlMs {
            let target = itlMs / 1000
            if decodeStep(batch: 1, context: context, tp: tp).seconds > target {
                var estimate = DecodeCapacity(tp: tp, bound: .latency, note: nil)
                estimate.stepMs = decodeStep(batch: 1, context: context, tp: tp).seconds * 1000
                estimate.note = String(
                    format: "one step takes %.1f ms on TP %d, over the ITL target", estimate.stepMs, tp)
                return estimate
            }
            if decodeStep(batch: ceiling, context: context, tp: tp).seconds > target {
                // The step time grows with the batch: bisect for the largest batch within the target.
                var low = 1.0
                var high = ceiling
                while high - low > 1 {
                    let middle = ((low + high) / 2).rounded(.down)
                    if decodeStep(batch: middle, context: context, tp: tp).seconds <= target {
                        low = middle
                    } else {
                        high = middle
                    }
                }
                batch = low
                bound = .latency
            }
        }
        let step = decodeStep(batch: batch, context: context, tp: tp)
        var estimate = DecodeCapacity(tp: tp, bound: bound, note: nil)
        estimate.batch = Int(batch)
        estimate.kvBatchLimit = Int(kvLimit)
        estimate.stepMs = step.seconds * 1000
        estimate.stepBound = step.memory >= step.compute ? .bandwidth : .compute
        estimate.tokensPerSecondPerGPU = batch / (step.seconds * Double(tp))
        return estimate
    }

    // MARK: Whole deployments

    /// Tokens per second per GPU of an aggregated engine at maximum throughput (all requests
    /// queued, no latency targets), as offline benchmarks measure: each request's prefill plus its
    /// share of decode steps at the largest batch that fits.
    public func offlineThroughputPerGPU(inputTokens isl: Double, outputTokens osl: Double, tp: Int) -> Double {
        let workload = Workload(promptTokens: isl, outputTokens: osl)
        let prefill = prefillSeconds(newTokens: isl, cached: 0, requests: 1, tp: tp)
        let decode = self.decode(workload, tp: tp, itlMs: nil)
        guard decode.batch > 0 else { return 0 }
        let perRequest = prefill + osl * decode.stepMs / 1000 / Double(decode.batch)
        return (isl + osl) / (Double(tp) * perRequest)
    }

    /// The TP sizes to consider: powers of two up to a node whose group holds the weights.
    public func candidateTensorParallelSizes() -> [Int] {
        Self.tensorParallelSizes.filter { $0 <= max(gpu.gpusPerNode, 1) && weightsFit(tp: $0) }
    }
}

/// Why a cost cannot be computed.
public enum CostModelError: PhasecastError, Equatable, Sendable {
    case unsupportedPrecision(gpu: String, precision: Precision)
    case doesNotFit(llm: String, gpu: String)

    public var description: String {
        switch self {
        case .unsupportedPrecision(let gpu, let precision):
            "\(gpu) has no \(precision.rawValue.uppercased()) tensor cores; choose another --precision"
        case .doesNotFit(let llm, let gpu): "\(llm) does not fit on up to 8 \(gpu)"
        }
    }

    /// A profile the catalog cannot serve: the command line or pipeline file asked for it.
    public var exitStatus: ExitStatus { .usage }
}
