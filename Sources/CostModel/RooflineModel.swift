import Foundation
import PhasecastCore

/// Tokens to GPU-seconds per phase from bytes, FLOPs and calibrated efficiencies
/// (docs/cost-model.md has the formulas and where each constant comes from).
///
/// A decode step is a sequence of kernels, each bound by its own bytes or FLOPs: the weight
/// GEMMs (weights read once per step, FLOPs per token), attention (KV read per sequence, FLOPs
/// per context token), a fixed per-layer floor, a per-sequence overhead and the communication of
/// the worker's layout (all-reduces for tensor parallelism, all-to-alls for expert parallelism).
/// Summing the kernels instead of taking one roofline of the totals is what makes the step grow
/// with the batch as measured engines' steps do. Prefill likewise, at the batch that saturates
/// the GEMMs.
public struct RooflineModel: Sendable {
    public let llm: LLMSpec
    public let gpu: GPUSpec
    public let precision: Precision
    public let calibration: Calibration
    public let speculative: SpeculativeDecoding?

    /// Tokens a prefill batch needs to saturate the GPU's GEMMs (MFU flattens above m ≈ 1–2 k,
    /// reference kernel measurements).
    public static let saturationTokens = 2048.0
    /// Latency of one collective inside a scale-up domain, s (AIConfigurator's p2p latency).
    public static let collectiveLatency = 10e-6
    /// The same across the scale-out network (assumption: 2.5× the NVLink figure).
    public static let scaleoutCollectiveLatency = 25e-6
    /// Share of prefill's all-reduce time not hidden behind compute.
    public static let exposedCommunication = 0.5
    /// Share of HBM the weights may take, leaving room for activations.
    public static let weightMemoryLimit = 0.9
    /// Worker sizes considered when a profile leaves them open.
    public static let workerSizes = [1, 2, 4, 8, 16, 32, 64]

    public init(
        catalog: Catalog, llm: String, gpu: String, precision: Precision, engine: Engine = .standard,
        speculative: SpeculativeDecoding? = nil
    ) throws {
        let llm = try catalog.llm(named: llm)
        let gpu = try catalog.gpu(named: gpu)
        self.init(
            llm: llm, gpu: gpu, precision: precision,
            calibration: try catalog.calibration(engine, gpu.vendor, llm.architecture, precision),
            speculative: speculative)
    }

    public init(
        llm: LLMSpec, gpu: GPUSpec, precision: Precision, calibration: Calibration,
        speculative: SpeculativeDecoding? = nil
    ) {
        self.llm = llm
        self.gpu = gpu
        self.precision = precision
        self.calibration = calibration
        self.speculative = speculative
    }

    /// Dense peak FLOP/s of the GEMMs at the model's precision.
    var peak: Double { gpu.peakFlops(precision) }
    var attentionPeak: Double { gpu.bf16Tflops * 1e12 }
    var bandwidth: Double { calibration.mbu * gpu.bandwidth }

    /// Whether the weights fit on a worker.
    public func weightsFit(_ layout: WorkerLayout) -> Bool {
        weightBytesPerGPU(layout) <= gpu.memoryBytes * Self.weightMemoryLimit
    }

    /// Bytes of weights each GPU of a worker holds: its share of the experts, and the shared
    /// weights split over the TP group or, under data-parallel attention, whole on every GPU.
    func weightBytesPerGPU(_ layout: WorkerLayout) -> Double {
        let g = Double(layout.gpus)
        let experts = (llm.totalParams - llm.sharedParams) / g
        let shared = layout.dataParallelAttention ? llm.sharedParams : llm.sharedParams / g
        return (experts + shared) * precision.bytesPerWeight
    }

    // MARK: Communication

    /// Bandwidth and latency of the worker's collectives: the scale-up fabric when the worker fits
    /// in one domain, the scale-out network when it does not.
    func link(_ layout: WorkerLayout) -> (bytesPerSecond: Double, latency: Double) {
        layout.gpus <= max(gpu.scaleupDomain, 1)
            ? (gpu.scaleupGBs * 1e9, Self.collectiveLatency)
            : (gpu.scaleoutGBs * 1e9, Self.scaleoutCollectiveLatency)
    }

    /// Seconds of one step's collectives for `tokens` tokens in flight: two ring all-reduces per
    /// layer for TP attention, two all-to-alls (dispatch, combine) per MoE layer for EP.
    func communicationSeconds(tokens: Double, layout: WorkerLayout) -> Double {
        guard layout.gpus > 1 else { return 0 }
        let (bytesPerSecond, latency) = link(layout)
        let g = Double(layout.gpus)
        let hidden = Double(llm.hiddenSize) * 2
        var seconds = 0.0
        let moeLayers = Double(llm.moeLayers ?? 0)
        if layout.dataParallelAttention {
            // Each rank sends its own tokens' hidden states to the experts and back.
            if layout.expertParallel > 1, moeLayers > 0 {
                let ep = Double(layout.expertParallel)
                let perRank = tokens / g * Double(llm.activeExperts ?? 1) * hidden * (ep - 1) / ep
                seconds += moeLayers * 2 * (latency + perRank / bytesPerSecond)
            }
        } else {
            let perAllReduce = latency + 2 * (g - 1) / g * tokens * hidden / bytesPerSecond
            seconds += Double(llm.layers) * 2 * perAllReduce
        }
        return seconds
    }

    // MARK: Prefill

    /// Seconds of one prefill of `requests` prompts of `newTokens` after `cached`, on a worker.
    public func prefillSeconds(
        newTokens n: Double, cached c: Double, requests b: Double, layout: WorkerLayout
    ) -> Double {
        let g = Double(layout.gpus)
        let tokens = b * n
        let linearFlops = tokens * llm.linearFlopsPerToken * expertLoadFactor(layout)
        let linear = max(
            linearFlops / (g * calibration.mfuPrefill * peak), weightBytesPerGPU(layout) / bandwidth)
        let attention =
            b * (n * c + n * n / 2) * llm.attentionFlopsPerPair / (g * calibration.mfuAttention * attentionPeak)
        let communication = communicationSeconds(tokens: tokens, layout: layout) * Self.exposedCommunication
        return linear + attention + communication
    }

    /// How much more work the busiest expert rank does than the mean, applied to the expert
    /// share of the FLOPs.
    func expertLoadFactor(_ layout: WorkerLayout) -> Double {
        guard layout.expertParallel > 1, llm.paramsPerExpert > 0 else { return 1 }
        let expertShare = 1 - llm.sharedParams / llm.activeParams
        return 1 + expertShare * (calibration.expertImbalance - 1)
    }

    /// Per-step fixed overhead of a worker: launches and scheduling per layer.
    func stepFloor() -> Double {
        Double(llm.layers) * calibration.stepFloorMicrosPerLayer * 1e-6
    }

    /// Prefill on a worker: the batch that saturates the GPU, its service time, the capacity at
    /// full use, and the utilization at which queueing (M/D/1) still meets the TTFT target.
    public func prefill(_ workload: Workload, layout: WorkerLayout, ttftMs: Double) -> PrefillCapacity {
        let n = workload.prefillTokens
        let c = workload.cachedTokens
        guard weightsFit(layout) else {
            return PrefillCapacity(
                layout: layout, bound: .memory, note: "the weights do not fit on \(layout.gpus) \(gpu.name)")
        }
        let batch = max(1, (Self.saturationTokens / n).rounded(.up))
        let service = prefillSeconds(newTokens: n, cached: c, requests: batch, layout: layout) + stepFloor()
        let capacity = batch * n / (service * Double(layout.gpus))
        let target = ttftMs / 1000
        var estimate = PrefillCapacity(layout: layout, bound: .compute, note: nil)
        estimate.batchRequests = Int(batch)
        estimate.serviceMs = service * 1000
        estimate.tokensPerSecondPerGPU = capacity
        estimate.inputTokensPerSecondPerGPU = capacity * workload.promptTokens / n
        guard service < target else {
            estimate.bound = .latency
            estimate.maxUtilization = 0
            estimate.note = String(
                format: "one prefill batch takes %.0f ms on %@, over the TTFT target of %.0f ms", service * 1000,
                layout.description, ttftMs)
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

    /// One decode step of `batch` sequences at mean context `context` on a worker, by kernel.
    public func decodeStep(batch: Double, context: Double, layout: WorkerLayout) -> DecodeStep {
        let g = Double(layout.gpus)
        let computed = batch * (speculative?.tokensComputed ?? 1)
        // Weight GEMMs: shared weights once per step, the experts the step's tokens touch.
        let expertBytes =
            llm.paramsPerExpert > 0
            ? min(llm.expertsTouched(tokens: computed), Double(llm.experts ?? 0)) * llm.paramsPerExpert / g
            : 0
        let sharedBytes = layout.dataParallelAttention ? llm.sharedParams : llm.sharedParams / g
        let weightBytes = (expertBytes + sharedBytes) * precision.bytesPerWeight
        let weightRead = weightBytes / bandwidth
        let weightCompute =
            computed * llm.linearFlopsPerToken * expertLoadFactor(layout) / g / (calibration.mfuDecode * peak)
        // Attention: each sequence's KV read once (per copy).
        let kvRead = batch * context * llm.kvBytesPerToken(precision) * kvCopies(layout) / g / bandwidth
        let attentionCompute =
            computed * context * llm.attentionFlopsPerPair / g / (calibration.mfuAttention * attentionPeak)
        // Overheads: per layer, and per sequence a rank schedules.
        let sequencesPerRank = layout.dataParallelAttention ? batch / g : batch
        let overhead =
            stepFloor() + Double(llm.layers) * calibration.sequenceMicrosPerLayer * 1e-6 * sequencesPerRank
        let communication = communicationSeconds(tokens: computed, layout: layout)
        return DecodeStep(
            weights: max(weightRead, weightCompute), attention: max(kvRead, attentionCompute), overhead: overhead,
            communication: communication, memoryBound: weightRead + kvRead >= weightCompute + attentionCompute,
            tokensPerStep: speculative?.tokensPerStep ?? 1)
    }

    /// Copies of each sequence's KV cache a worker holds and reads: one per rank beyond the KV
    /// heads in a TP group (every rank for a latent cache), one under data-parallel attention.
    func kvCopies(_ layout: WorkerLayout) -> Double {
        layout.dataParallelAttention ? 1 : max(1, Double(layout.gpus) / Double(llm.kvHeads))
    }

    /// Sequences whose KV cache fits beside the weights at a mean context.
    public func kvBatchLimit(context: Double, layout: WorkerLayout) -> Double {
        let free = Double(layout.gpus) * (gpu.memoryBytes * calibration.kvMemoryFraction - weightBytesPerGPU(layout))
        return max(0, (free / (context * llm.kvBytesPerToken(precision) * kvCopies(layout))).rounded(.down))
    }

    /// Largest batch the engine runs on a worker: its per-rank limit, times the ranks under
    /// data-parallel attention.
    func engineBatchLimit(_ layout: WorkerLayout) -> Double {
        Double(calibration.maxBatch) * (layout.dataParallelAttention ? Double(layout.gpus) : 1)
    }

    /// Decode on a worker: the largest batch whose step meets the ITL target and whose KV cache
    /// fits, and the throughput it gives.
    public func decode(_ workload: Workload, layout: WorkerLayout, itlMs: Double?) -> DecodeCapacity {
        let context = workload.decodeContext
        guard weightsFit(layout) else {
            return DecodeCapacity(
                layout: layout, bound: .memory, note: "the weights do not fit on \(layout.gpus) \(gpu.name)")
        }
        let kvLimit = kvBatchLimit(context: context, layout: layout)
        guard kvLimit >= 1 else {
            return DecodeCapacity(
                layout: layout, bound: .kvCapacity,
                note: "no room for one sequence's KV cache of \(Int(context)) tokens")
        }
        let engineLimit = engineBatchLimit(layout)
        let ceiling = min(kvLimit, engineLimit)
        var batch = ceiling
        var bound: PhaseBound = kvLimit <= engineLimit ? .kvCapacity : .batchLimit
        if let itlMs {
            let target = itlMs / 1000
            let single = decodeStep(batch: 1, context: context, layout: layout)
            if single.interTokenSeconds > target {
                var estimate = DecodeCapacity(layout: layout, bound: .latency, note: nil)
                estimate.stepMs = single.seconds * 1000
                estimate.note = String(
                    format: "decode step %.1f ms > ITL %@ ms at batch 1 on %@", single.interTokenSeconds * 1000,
                    DeploymentProfile.format(itlMs), layout.description)
                return estimate
            }
            if decodeStep(batch: ceiling, context: context, layout: layout).interTokenSeconds > target {
                // Every term grows with the batch: bisect for the largest batch within the target.
                var low = 1.0
                var high = ceiling
                while high - low > 1 {
                    let middle = ((low + high) / 2).rounded(.down)
                    if decodeStep(batch: middle, context: context, layout: layout).interTokenSeconds <= target {
                        low = middle
                    } else {
                        high = middle
                    }
                }
                batch = low
                bound = .latency
            }
        }
        let step = decodeStep(batch: batch, context: context, layout: layout)
        var estimate = DecodeCapacity(layout: layout, bound: bound, note: nil)
        estimate.batch = Int(batch)
        estimate.kvBatchLimit = Int(kvLimit)
        estimate.stepMs = step.seconds * 1000
        estimate.interTokenMs = step.interTokenSeconds * 1000
        estimate.stepBound = step.memoryBound ? .bandwidth : .compute
        estimate.tokensPerSecondPerGPU = batch * step.tokensPerStep / (step.seconds * Double(layout.gpus))
        return estimate
    }

    // MARK: Whole deployments

    /// Seconds of one request's prefill when it rides along with decode steps (chunked
    /// prefill): its compute, without a step floor of its own.
    func piggybackedPrefillSeconds(_ workload: Workload, layout: WorkerLayout) -> Double {
        let n = workload.prefillTokens
        let batch = max(1, (Self.saturationTokens / n).rounded(.up))
        return prefillSeconds(newTokens: n, cached: workload.cachedTokens, requests: batch, layout: layout) / batch
    }

    /// An aggregated engine holding `concurrency` requests at once: each emitted token waits for
    /// one decode step plus its share of the prefills that arrive meanwhile
    /// (TPOT = step + concurrency · prefill ÷ output tokens); TTFT is one prompt's prefill on
    /// its own (queueing not included).
    public func aggregated(_ workload: Workload, layout: WorkerLayout, concurrency: Double) -> AggregatedPoint {
        let firstToken =
            prefillSeconds(
                newTokens: workload.prefillTokens, cached: workload.cachedTokens, requests: 1, layout: layout)
            + stepFloor()
        let prefill = piggybackedPrefillSeconds(workload, layout: layout)
        let step = decodeStep(batch: concurrency, context: workload.decodeContext, layout: layout)
        let steps = workload.outputTokens / step.tokensPerStep
        let tpot = (steps * step.seconds + concurrency * prefill) / workload.outputTokens
        let cycle = prefill + workload.outputTokens * tpot
        let tokens = concurrency * (workload.promptTokens + workload.outputTokens) / (cycle * Double(layout.gpus))
        return AggregatedPoint(
            concurrency: concurrency, tpotMs: tpot * 1000, ttftMs: firstToken * 1000, tokensPerSecondPerGPU: tokens,
            outputTokensPerSecondPerGPU: tokens * workload.outputTokens
                / (workload.promptTokens + workload.outputTokens))
    }

    /// Tokens per second per GPU of an aggregated engine at maximum throughput (all requests
    /// queued, no latency targets), as offline benchmarks measure: the largest batch that fits.
    public func offlineThroughputPerGPU(
        inputTokens isl: Double, outputTokens osl: Double, layout: WorkerLayout
    )
        -> Double
    {
        let workload = Workload(promptTokens: isl, outputTokens: osl)
        guard weightsFit(layout) else { return 0 }
        let batch = min(kvBatchLimit(context: workload.decodeContext, layout: layout), engineBatchLimit(layout))
        guard batch >= 1 else { return 0 }
        return aggregated(workload, layout: layout, concurrency: batch).tokensPerSecondPerGPU
    }

    /// An aggregated engine at latency targets: the largest concurrency whose TPOT meets the ITL
    /// and whose prefill meets the TTFT, and its throughput.
    public func aggregated(
        _ workload: Workload, layout: WorkerLayout, ttftMs: Double, itlMs: Double
    )
        -> AggregatedPoint?
    {
        guard weightsFit(layout) else { return nil }
        let ceiling = min(kvBatchLimit(context: workload.decodeContext, layout: layout), engineBatchLimit(layout))
        func meets(_ b: Double) -> Bool {
            let point = aggregated(workload, layout: layout, concurrency: b)
            return point.tpotMs <= itlMs && point.ttftMs <= ttftMs
        }
        guard ceiling >= 1, meets(1) else { return nil }
        var low = 1.0
        var high = ceiling
        if meets(high) {
            low = high
        } else {
            while high - low > 1 {
                let middle = ((low + high) / 2).rounded(.down)
                if meets(middle) { low = middle } else { high = middle }
            }
        }
        return aggregated(workload, layout: layout, concurrency: low)
    }

    /// The worker layouts to consider: tensor-parallel groups up to a node for dense models; for
    /// MoE models also expert-parallel workers with data-parallel attention, up to the scale-up
    /// domain or 64 GPUs. Only layouts that hold the weights.
    public func candidateLayouts() -> [WorkerLayout] {
        let node = max(gpu.gpusPerNode, 1)
        let denseLimit = max(node, min(gpu.scaleupDomain, 8))
        var layouts = Self.workerSizes.filter { $0 <= denseLimit }.map(WorkerLayout.tensorParallel)
        if llm.architecture == .moe {
            let widest = max(node, min(max(gpu.scaleupDomain, node * 2), 64))
            for size in Self.workerSizes where size > 1 && size <= widest {
                layouts.append(WorkerLayout(gpus: size, expertParallel: size, dataParallelAttention: true))
                if size <= denseLimit { layouts.append(WorkerLayout(gpus: size, expertParallel: size)) }
            }
        }
        return layouts.filter(weightsFit)
    }
}

/// One decode step's time by kernel, s.
public struct DecodeStep: Sendable, Equatable {
    public var weights: Double
    public var attention: Double
    public var overhead: Double
    public var communication: Double
    /// Whether bytes rather than FLOPs set the GEMM and attention time.
    public var memoryBound: Bool
    /// Tokens the step emits per sequence (above 1 with speculative decoding).
    public var tokensPerStep: Double

    public var seconds: Double { weights + attention + overhead + communication }
    /// Time between two tokens of one sequence.
    public var interTokenSeconds: Double { seconds / tokensPerStep }
}

/// An aggregated engine at one concurrency.
public struct AggregatedPoint: Sendable, Codable, Equatable {
    public var concurrency: Double
    public var tpotMs: Double
    public var ttftMs: Double
    /// Prompt and output tokens per second per GPU.
    public var tokensPerSecondPerGPU: Double
    public var outputTokensPerSecondPerGPU: Double
}

/// Why a cost cannot be computed.
public enum CostModelError: PhasecastError, Equatable, Sendable {
    case doesNotFit(llm: String, gpu: String, precision: Precision)

    public var description: String {
        switch self {
        case .doesNotFit(let llm, let gpu, let precision):
            "\(llm) at \(precision.rawValue) does not fit on any worker of \(gpu) phasecast considers"
                + " (up to 64 GPUs for MoE models, one node for dense ones); choose a smaller precision or a larger GPU"
        }
    }

    /// A profile the catalog cannot serve: the command line or pipeline file asked for it.
    public var exitStatus: ExitStatus { .usage }
}
