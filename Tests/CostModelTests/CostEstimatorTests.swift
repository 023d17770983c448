import Foundation
import TestSupport
import Testing

@testable import CostModel

@Suite struct CostEstimatorTests {
    static let catalog = try! Catalog.bundled()

    @Test func prefillFollowsTheFLOPsFormula() throws {
        // Llama-3.1-8B FP8 on H200, TP 1: n·F_lin/(MFU·peak) + A·n²/2/(MFU_attn·peak_bf16), by hand.
        let model = try RooflineModel(catalog: Self.catalog, llm: "Llama-3.1-8B", gpu: "H200", precision: .fp8)
        let c = model.calibration
        let one = WorkerLayout.tensorParallel(1)
        let n = 4096.0
        let expected = n * 15.01e9 / (c.mfuPrefill * 1978.9e12) + 524_288 * n * n / 2 / (c.mfuAttention * 989.4e12)
        #expect(abs(model.prefillSeconds(newTokens: n, cached: 0, requests: 1, layout: one) / expected - 1) < 1e-9)
        // Cached tokens cost no linear work, but new tokens attend to them.
        let withCache = model.prefillSeconds(newTokens: 1024, cached: 3072, requests: 1, layout: one)
        let byHand =
            1024 * 15.01e9 / (c.mfuPrefill * 1978.9e12) + 524_288 * (1024 * 3072 + 1024 * 1024 / 2)
            / (c.mfuAttention * 989.4e12)
        #expect(abs(withCache / byHand - 1) < 1e-9)
    }

    @Test func decodeStepGrowsWithBatchAndContext() throws {
        let model = try RooflineModel(catalog: Self.catalog, llm: "Llama-3.1-70B", gpu: "H100", precision: .fp8)
        let tp8 = WorkerLayout.tensorParallel(8)
        let steps = [1.0, 8, 32, 128].map { model.decodeStep(batch: $0, context: 2000, layout: tp8).seconds }
        #expect(zip(steps, steps.dropFirst()).allSatisfy { $0 < $1 })
        // Measured engines' steps roughly double to triple from batch 1 to 128; a flat curve
        // (the old roofline's max of totals) would give the ITL target far too large a batch.
        #expect(steps[3] / steps[0] > 1.5)
        let short = model.decodeStep(batch: 64, context: 1000, layout: tp8).seconds
        let long = model.decodeStep(batch: 64, context: 16_000, layout: tp8).seconds
        #expect(long > short * 1.1)
    }

    @Test func decodeMeetsTheITLTargetAndNamesWhatBindsIt() throws {
        let model = try RooflineModel(catalog: Self.catalog, llm: "Llama-3.1-70B", gpu: "H100", precision: .fp8)
        let workload = Workload(promptTokens: 4000, outputTokens: 500)
        let tp4 = WorkerLayout.tensorParallel(4)
        let tight = model.decode(workload, layout: tp4, itlMs: 30)
        #expect(tight.bound == .latency)
        #expect(tight.stepMs <= 30)
        #expect(model.decodeStep(batch: Double(tight.batch + 1), context: 4250, layout: tp4).seconds * 1000 > 30)
        let longContext = Workload(promptTokens: 16_000, outputTokens: 1000)
        let loose = model.decode(longContext, layout: tp4, itlMs: 5000)
        #expect(loose.bound == .kvCapacity)
        #expect(loose.batch == loose.kvBatchLimit)
        let capped = model.decode(Workload(promptTokens: 200, outputTokens: 100), layout: tp4, itlMs: 5000)
        #expect(capped.bound == .batchLimit && capped.batch == model.calibration.maxBatch)
        let impossible = model.decode(workload, layout: .tensorParallel(2), itlMs: 1)
        #expect(impossible.bound == .latency && impossible.tokensPerSecondPerGPU == 0)
        #expect(impossible.note?.contains("> ITL 1 ms at batch 1") == true)
        // 70.6 GB of FP8 weights fit one 80 GB GPU, but leave no room for KV.
        #expect(model.decode(workload, layout: .tensorParallel(1), itlMs: 50).bound == .kvCapacity)
        let huge = try RooflineModel(catalog: Self.catalog, llm: "Llama-3.1-405B", gpu: "H100", precision: .fp8)
        #expect(huge.decode(workload, layout: .tensorParallel(1), itlMs: 50).bound == .memory)
    }

    @Test func expertParallelMoEIsCheaperPerTokenThanItsDenseEquivalent() throws {
        let moe = try RooflineModel(catalog: Self.catalog, llm: "DeepSeek-R1", gpu: "H200", precision: .fp8)
        // The same model with every parameter active in every token.
        var denseSpec = moe.llm
        denseSpec.architecture = .dense
        denseSpec.activeParams = denseSpec.totalParams
        denseSpec.linearFlopsPerToken = moe.llm.linearFlopsPerToken * moe.llm.totalParams / moe.llm.activeParams
        // Same engine constants, so that only the structure differs: MoE reads the experts its
        // tokens touch and computes the active ones.
        let dense = RooflineModel(llm: denseSpec, gpu: moe.gpu, precision: .fp8, calibration: moe.calibration)
        let ep = WorkerLayout(gpus: 8, expertParallel: 8)
        for batch in [8.0, 64, 256] {
            let moeStep = moe.decodeStep(batch: batch, context: 3000, layout: ep).seconds
            let denseStep = dense.decodeStep(batch: batch, context: 3000, layout: .tensorParallel(8)).seconds
            #expect(moeStep < denseStep, "batch \(batch): MoE \(moeStep) s vs dense \(denseStep) s")
        }
        // Expert parallelism across two HGX nodes pays for the scale-out network.
        let node = moe.communicationSeconds(
            tokens: 512, layout: WorkerLayout(gpus: 8, expertParallel: 8, dataParallelAttention: true))
        let twoNodes = moe.communicationSeconds(
            tokens: 512, layout: WorkerLayout(gpus: 16, expertParallel: 16, dataParallelAttention: true))
        #expect(twoNodes > node)
    }

    @Test func speculativeDecodingEmitsMoreTokensPerStep() throws {
        let plain = try RooflineModel(catalog: Self.catalog, llm: "DeepSeek-R1", gpu: "B200", precision: .fp4)
        let mtp = try RooflineModel(
            catalog: Self.catalog, llm: "DeepSeek-R1", gpu: "B200", precision: .fp4,
            speculative: SpeculativeDecoding(draftTokens: 2, acceptance: 0.7))
        #expect(abs(SpeculativeDecoding(draftTokens: 2, acceptance: 0.7).tokensPerStep - 2.19) < 1e-9)
        let workload = Workload(promptTokens: 2000, outputTokens: 1000)
        let layout = WorkerLayout(gpus: 8, expertParallel: 8)
        let a = plain.decode(workload, layout: layout, itlMs: 20)
        let b = mtp.decode(workload, layout: layout, itlMs: 20)
        #expect(b.tokensPerSecondPerGPU > a.tokensPerSecondPerGPU)
        #expect(b.interTokenMs <= 20 && b.interTokenMs < b.stepMs)
    }

    @Test func prefillUtilizationKeepsMD1QueueingWithinTheTTFT() throws {
        let model = try RooflineModel(catalog: Self.catalog, llm: "Llama-3.1-70B", gpu: "H200", precision: .fp8)
        let estimate = model.prefill(
            Workload(promptTokens: 4000, outputTokens: 200), layout: .tensorParallel(2), ttftMs: 1000)
        let d = estimate.serviceMs / 1000
        let rho = estimate.maxUtilization
        #expect(rho > 0 && rho < 1)
        // M/D/1: D + ρD / (2(1 − ρ)) equals the target at the highest utilization.
        #expect(abs(d + rho * d / (2 * (1 - rho)) - 1.0) < 1e-9)
    }

    @Test func theEstimatorChoosesWorkersAndGivesThePDRatioAndTheAggregatedAlternative() throws {
        let estimator = CostEstimator(catalog: Self.catalog)
        let profile = DeploymentProfile(llm: "Llama-3.1-70B", gpu: "H200", precision: .fp8, ttftMs: 1000, itlMs: 50)
        let workload = Workload(promptTokens: 4000, cachedTokens: 1000, outputTokens: 500)
        let estimate = try estimator.estimate(profile, workload: workload)
        let ratio = try #require(estimate.prefillToDecodeGPURatio)
        let byHand =
            (3000 / estimate.prefill.tokensPerSecondPerGPUAtSLA) / (500 / estimate.decode.tokensPerSecondPerGPU)
        #expect(abs(ratio / byHand - 1) < 1e-12)
        // No other worker does better per GPU.
        let model = try estimator.model(profile)
        for layout in model.candidateLayouts() {
            #expect(
                model.decode(workload, layout: layout, itlMs: 50).tokensPerSecondPerGPU
                    <= estimate.decode.tokensPerSecondPerGPU)
        }
        // The coefficients reproduce the decode rate at the workload's lengths.
        let c = estimate.coefficients
        let perToken = c.decodePerToken + c.decodePerContextToken * workload.decodeContext
        #expect(abs(perToken * estimate.decode.tokensPerSecondPerGPU - 1) < 1e-9)
        // The co-located engine meets both targets.
        let aggregated = try #require(estimate.aggregated)
        #expect(aggregated.point.tpotMs <= 50 && aggregated.point.ttftMs <= 1000)
        #expect(aggregated.requestsPerSecondPerGPU > 0)
    }

    @Test func workersSpanTheScaleUpDomain() throws {
        // GB200 trays hold 4 GPUs but NVLink joins 72: a TP 8 worker is one NVLink domain.
        let estimator = CostEstimator(catalog: Self.catalog)
        let profile = DeploymentProfile(llm: "Llama-3.1-70B", gpu: "GB200", precision: .fp8, tpDecode: 8)
        let estimate = try estimator.estimate(profile, workload: Workload(promptTokens: 2000, outputTokens: 500))
        #expect(estimate.decode.layout.gpus == 8)
        // Wide expert parallelism for an MoE model, 16 GPUs with DP attention.
        let wide = DeploymentProfile(
            llm: "DeepSeek-R1", gpu: "GB200", precision: .fp4, engine: .trtllm, tpDecode: 16, expertParallel: 16,
            dataParallelAttention: true, itlMs: 30)
        let moe = try estimator.estimate(wide, workload: Workload(promptTokens: 4000, outputTokens: 1000))
        #expect(moe.decode.layout == WorkerLayout(gpus: 16, expertParallel: 16, dataParallelAttention: true))
        #expect(moe.decode.tokensPerSecondPerGPU > 0)
    }

    @Test func unknownNamesAreExplainedAndWeightOnlyPrecisionsRunAtTheWiderPeak() throws {
        #expect(throws: Catalog.CatalogError.self) { try Self.catalog.gpu(named: "Z9000") }
        // FP4 weights on Hopper: stored in 4 bits, multiplied at the FP8 peak.
        let model = try RooflineModel(catalog: Self.catalog, llm: "gpt-oss-120b", gpu: "H100", precision: .fp4)
        #expect(model.peak == 1978.9e12)
        #expect(Self.catalog.matchingLLM("meta-llama/Llama-3.3-70B-Instruct")?.name == "Llama-3.1-70B")
        #expect(Self.catalog.matchingLLM("meta-llama/Llama-2-70b-chat-hf")?.name == "Llama-2-70B")
        #expect(try Self.catalog.gpu(named: "H800").scaleupGBs == 200)
    }

    @Test func anInfeasibleTargetSaysWhichPhaseAndByHowMuch() throws {
        let estimator = CostEstimator(catalog: Self.catalog)
        let estimate = try estimator.estimate(
            DeploymentProfile(llm: "Llama-3.1-405B", gpu: "H100", precision: .fp8, itlMs: 2),
            workload: Workload(promptTokens: 1000, outputTokens: 200))
        #expect(!estimate.feasible)
        #expect(estimate.decode.note?.contains("> ITL 2 ms at batch 1") == true)
        let json = try JSONEncoder().encode(estimate)
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(object["feasible"] as? Bool == false)
    }

    @Test func dynamoProfilerNpzFilesAreReadWithoutPython() throws {
        let prefill = try MeasuredProfile.read(
            path: Fixtures.path("dynamo_profile/selected_prefill_interpolation/raw_data.npz"))
        #expect(prefill.prefill.map(\.inputTokens) == [1000, 4000, 8000])
        #expect(prefill.prefill.map(\.tokensPerSecondPerGPU) == [9100, 9300, 8900])
        #expect(prefill.decode.isEmpty)
        // The deflated decode archive: float32 ITLs, int64 contexts.
        let decode = try MeasuredProfile.read(
            path: Fixtures.path("dynamo_profile/selected_decode_interpolation/raw_data.npz"))
        #expect(decode.decode.count == 5 && decode.decode.map(\.itlMs) == [12, 25, 48, 15, 40])
        // The profiler's directory: both phases merged, and the estimate uses them.
        let both = try MeasuredProfile.read(path: Fixtures.path("dynamo_profile"))
        #expect(both.prefill.count == 3 && both.decode.count == 5)
        #expect(both.decode(context: 2000, itlMs: 30) == 2100)
        let estimate = try CostEstimator(catalog: Self.catalog, measured: both).estimate(
            DeploymentProfile(llm: "Llama-3.1-70B", gpu: "H100", ttftMs: 1000, itlMs: 30),
            workload: Workload(promptTokens: 1000, outputTokens: 2000))
        #expect(estimate.prefill.bound == .measured && estimate.prefillUncertainty == 0)
        #expect(estimate.decode.bound == .measured && estimate.decodeUncertainty == 0)
        #expect(estimate.decode.tokensPerSecondPerGPU == 2100)
        // A truncated archive is bad data, named.
        let dir = TemporaryDirectory()
        let bytes = try Data(
            contentsOf: URL(fileURLWithPath: Fixtures.path("dynamo_profile/selected_decode_interpolation/raw_data.npz"))
        )
        let cut = dir.file("cut.npz")
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: cut))
        #expect(throws: MeasuredProfile.ReadError.self) { _ = try MeasuredProfile.read(path: cut) }
    }

    @Test func aiConfiguratorResultCSVsAreMeasuredProfiles() throws {
        // Two rows of a disaggregated result (columns as aiconfigurator writes them; values of
        // its Qwen3-32B / H200 / 4000:500 run): per worker 2.403 prefill and 8.636 decode seq/s.
        let dir = TemporaryDirectory()
        let path = dir.write(
            "disagg.csv",
            """
            model,isl,osl,prefix,concurrency,ttft,tpot,tokens/s/gpu,(p)seq/s/worker,(d)seq/s/worker,(p)tp,(p)pp,(p)dp,(d)tp,(d)pp,(d)dp,(p)workers,(d)workers
            QWEN3_32B,4000,500,0,124,749,18.9,540.7,2.403,8.636,1,1,1,2,1,1,4,1
            QWEN3_32B,4000,500,0,64,700,12.0,400.0,2.0,5.0,1,1,1,2,1,1,4,1
            """)
        let profile = try MeasuredProfile.read(path: path)
        #expect(profile.prefill.count == 1)
        #expect(abs((profile.prefill(inputTokens: 4000)?.tokensPerSecondPerGPU ?? 0) - 9612) < 1)
        #expect(abs((profile.decode(context: 4250, itlMs: 20) ?? 0) - 2159) < 1)
        #expect(abs((profile.decode(context: 4250, itlMs: 15) ?? 0) - 1250) < 1)
        let missing = dir.write("bad.csv", "isl,osl,(p)seq/s/worker\n4000,500,2\n")
        #expect(throws: MeasuredProfile.ReadError.self) { _ = try MeasuredProfile.read(path: missing) }
    }

    @Test func measuredProfilesReplaceTheRooflineAndInterpolate() throws {
        let dir = TemporaryDirectory()
        let csv = dir.write(
            "profile.csv",
            """
            isl,ttft_ms,prefill_tokens_per_s_per_gpu
            1000,120,9000
            4000,480,8000
            context,itl_ms,decode_tokens_per_s_per_gpu
            2000,20,900
            2000,40,1600
            2000,60,2000
            6000,20,500
            6000,40,1000
            """)
        let measured = try MeasuredProfile.read(path: csv)
        // Halfway between 1000 and 4000 input tokens: halfway between 9000 and 8000.
        #expect(measured.prefill(inputTokens: 2500)?.tokensPerSecondPerGPU == 8500)
        // At ITL ≤ 45 ms the best is 1600 at context 2000 and 1000 at 6000; at 4000 halfway.
        #expect(measured.decode(context: 4000, itlMs: 45) == 1300)
        let estimator = CostEstimator(catalog: Self.catalog, measured: measured)
        let estimate = try estimator.estimate(
            DeploymentProfile(llm: "Llama-3.1-70B", gpu: "H100", ttftMs: 1000, itlMs: 45),
            workload: Workload(promptTokens: 2500, outputTokens: 3000))
        #expect(estimate.prefill.bound == .measured && estimate.decode.bound == .measured)
        #expect(estimate.prefill.inputTokensPerSecondPerGPU == 8500)
        #expect(estimate.decode.tokensPerSecondPerGPU == 1300)  // context 2500 + 1500

        let json = dir.write(
            "dynamo.json",
            #"{"prefill_isl": [1000, 4000], "prefill_ttft": [120, 480], "prefill_thpt_per_gpu": [9000, 8000], "x_kv_usage": [0.1, 0.5, 0.1], "y_context_length": [2000, 2000, 6000], "z_itl": [20, 40, 20], "z_thpt_per_gpu": [900, 1600, 500], "max_kv_tokens": [100000]}"#
        )
        let dynamo = try MeasuredProfile.read(path: json)
        #expect(dynamo.prefill(inputTokens: 1000)?.ttftMs == 120)
        #expect(dynamo.decode(context: 2000, itlMs: 45) == 1600)
        #expect(throws: MeasuredProfile.ReadError.self) {
            _ = try MeasuredProfile.read(path: dir.write("bad.csv", "a,b\n1,2\n"))
        }
    }
}
