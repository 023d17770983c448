import Foundation
import TestSupport
import Testing

@testable import CostModel

@Suite struct CostEstimatorTests {
    static let catalog = try! Catalog.bundled()

    @Test func prefillFollowsTheFLOPsFormula() throws {
        // Llama-3.1-8B FP8 on H200, TP 1: n·F_lin/(MFU·peak) + A·n²/2/(MFU_attn·peak_bf16), by hand.
        let model = try RooflineModel(catalog: Self.catalog, llm: "Llama-3.1-8B", gpu: "H200", precision: .fp8)
        let n = 4096.0
        let expected = n * 15.01e9 / (0.60 * 1978.9e12) + 524_288 * n * n / 2 / (0.50 * 989.4e12)
        #expect(abs(model.prefillSeconds(newTokens: n, cached: 0, requests: 1, tp: 1) / expected - 1) < 1e-9)
        // Cached tokens cost no linear work, but new tokens attend to them.
        let withCache = model.prefillSeconds(newTokens: 1024, cached: 3072, requests: 1, tp: 1)
        let byHand = 1024 * 15.01e9 / (0.60 * 1978.9e12) + 524_288 * (1024 * 3072 + 1024 * 1024 / 2) / (0.50 * 989.4e12)
        #expect(abs(withCache / byHand - 1) < 1e-9)
    }

    @Test func decodeMeetsTheITLTargetAndNamesWhatBindsIt() throws {
        let model = try RooflineModel(catalog: Self.catalog, llm: "Llama-3.1-70B", gpu: "H100", precision: .fp8)
        let workload = Workload(promptTokens: 4000, outputTokens: 500)
        let tight = model.decode(workload, tp: 4, itlMs: 20)
        #expect(tight.bound == .latency)
        #expect(tight.stepMs <= 20)
        #expect(model.decodeStep(batch: Double(tight.batch + 1), context: 4250, tp: 4).seconds * 1000 > 20)
        let longContext = Workload(promptTokens: 16_000, outputTokens: 1000)
        let loose = model.decode(longContext, tp: 4, itlMs: 500)
        #expect(loose.bound == .kvCapacity)
        #expect(loose.batch == loose.kvBatchLimit)
        let capped = model.decode(Workload(promptTokens: 500, outputTokens: 100), tp: 4, itlMs: 500)
        #expect(capped.bound == .batchLimit && capped.batch == 256)
        let impossible = model.decode(workload, tp: 2, itlMs: 1)
        #expect(impossible.bound == .latency && impossible.tokensPerSecondPerGPU == 0)
        // 70.6 GB of FP8 weights fit one 80 GB GPU, but leave no room for KV.
        #expect(model.decode(workload, tp: 1, itlMs: 50).bound == .kvCapacity)
        let huge = try RooflineModel(catalog: Self.catalog, llm: "Llama-3.1-405B", gpu: "H100", precision: .fp8)
        #expect(huge.decode(workload, tp: 1, itlMs: 50).bound == .memory)
    }

    @Test func prefillUtilizationKeepsMD1QueueingWithinTheTTFT() throws {
        let model = try RooflineModel(catalog: Self.catalog, llm: "Llama-3.1-70B", gpu: "H200", precision: .fp8)
        let estimate = model.prefill(Workload(promptTokens: 4000, outputTokens: 200), tp: 2, ttftMs: 1000)
        let d = estimate.serviceMs / 1000
        let rho = estimate.maxUtilization
        #expect(rho > 0 && rho < 1)
        // M/D/1: D + ρD / (2(1 − ρ)) equals the target at the highest utilization.
        #expect(abs(d + rho * d / (2 * (1 - rho)) - 1.0) < 1e-9)
    }

    @Test func theEstimatorChoosesTPAndGivesThePDRatio() throws {
        let estimator = CostEstimator(catalog: Self.catalog)
        let profile = DeploymentProfile(llm: "Llama-3.1-70B", gpu: "H200", precision: .fp8, ttftMs: 1000, itlMs: 50)
        let workload = Workload(promptTokens: 4000, cachedTokens: 1000, outputTokens: 500)
        let estimate = try estimator.estimate(profile, workload: workload)
        let ratio = try #require(estimate.prefillToDecodeGPURatio)
        let byHand =
            (3000 / estimate.prefill.tokensPerSecondPerGPUAtSLA) / (500 / estimate.decode.tokensPerSecondPerGPU)
        #expect(abs(ratio / byHand - 1) < 1e-12)
        // No other TP does better per GPU.
        let model = try RooflineModel(catalog: Self.catalog, llm: "Llama-3.1-70B", gpu: "H200", precision: .fp8)
        for tp in model.candidateTensorParallelSizes() {
            #expect(
                model.decode(workload, tp: tp, itlMs: 50).tokensPerSecondPerGPU <= estimate.decode.tokensPerSecondPerGPU
            )
        }
        // The coefficients reproduce the decode rate at the workload's lengths.
        let c = estimate.coefficients
        let perToken = c.decodePerToken + c.decodePerContextToken * workload.decodeContext
        #expect(abs(perToken * estimate.decode.tokensPerSecondPerGPU - 1) < 1e-9)
    }

    @Test func unknownNamesAndMissingPrecisionsAreExplained() {
        #expect(throws: Catalog.CatalogError.self) { try Self.catalog.gpu(named: "Z9000") }
        #expect(throws: CostModelError.unsupportedPrecision(gpu: "H100 SXM", precision: .fp4)) {
            _ = try RooflineModel(catalog: Self.catalog, llm: "Llama-3.1-8B", gpu: "H100", precision: .fp4)
        }
        #expect(Self.catalog.matchingLLM("meta-llama/Llama-3.3-70B-Instruct")?.name == "Llama-3.1-70B")
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
