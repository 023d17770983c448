import ArgumentParser
import CostModel
import Foundation

/// Flags that describe a deployment profile, shared by `transform` and `cost`.
struct ProfileOptions: ParsableArguments {
    @Option(help: ArgumentHelp("LLM served (a name or alias of the llms seed, e.g. Llama-3.1-70B).", valueName: "name"))
    var llm: String?

    @Option(
        help: ArgumentHelp("GPU type (a name or alias of the gpus seed, e.g. H100, H200, B200).", valueName: "name"))
    var gpu: String?

    @Option(help: ArgumentHelp("Weight and GEMM precision: bf16, fp8 or fp4.", valueName: "precision"))
    var precision: String?

    @Option(
        help: ArgumentHelp(
            "Serving engine whose calibration applies: vllm, sglang or trtllm (default: vllm).", valueName: "engine"))
    var engine: String?

    @Option(
        name: .customLong("tp-prefill"),
        help: ArgumentHelp(
            "GPUs per prefill worker, its tensor-parallel group; more than a node spans nodes (default: best per GPU).",
            valueName: "n"))
    var tpPrefill: Int?

    @Option(
        name: .customLong("tp-decode"),
        help: ArgumentHelp("GPUs per decode worker (default: best per GPU).", valueName: "n"))
    var tpDecode: Int?

    @Option(
        name: .customLong("ep"),
        help: ArgumentHelp(
            "Expert parallelism of MoE workers: routed experts sharded over this many of a worker's GPUs (default: chosen).",
            valueName: "n"))
    var expertParallel: Int?

    @Option(
        name: .customLong("dp-attention"),
        help: ArgumentHelp(
            "Data-parallel attention in MoE workers: each GPU serves its own sequences (true/false; default: chosen).",
            valueName: "bool"))
    var dataParallelAttention: Bool?

    @Option(
        name: .customLong("draft-tokens"),
        help: ArgumentHelp("Speculative decoding / MTP: tokens proposed per step and sequence.", valueName: "k"))
    var draftTokens: Int?

    @Option(
        name: .customLong("draft-acceptance"),
        help: ArgumentHelp(
            "Speculative decoding: chance each proposed token is accepted (default 0.7).", valueName: "p"))
    var draftAcceptance: Double?

    @Option(help: ArgumentHelp("Time-to-first-token target, queueing included.", valueName: "ms"))
    var ttft: Double?

    @Option(help: ArgumentHelp("Inter-token latency target.", valueName: "ms"))
    var itl: Double?

    var isEmpty: Bool {
        llm == nil && gpu == nil && precision == nil && engine == nil && tpPrefill == nil && tpDecode == nil
            && expertParallel == nil && dataParallelAttention == nil && draftTokens == nil && ttft == nil && itl == nil
    }

    func validate() throws {
        if let precision, Precision(rawValue: precision.lowercased()) == nil {
            throw ValidationError("--precision must be bf16, fp8 or fp4 (got '\(precision)')")
        }
        if let engine, Engine(rawValue: engine.lowercased()) == nil {
            throw ValidationError(
                "--engine must be \(Engine.allCases.map(\.rawValue).joined(separator: ", ")) (got '\(engine)')")
        }
        for (name, value) in [("--tp-prefill", tpPrefill), ("--tp-decode", tpDecode), ("--ep", expertParallel)] {
            if let value, !(1...576).contains(value) { throw ValidationError("\(name) must be from 1 to 576 GPUs") }
        }
        if let draftTokens, !(1...16).contains(draftTokens) {
            throw ValidationError("--draft-tokens must be from 1 to 16")
        }
        if let draftAcceptance, !(0..<1).contains(draftAcceptance) {
            throw ValidationError("--draft-acceptance must be at least 0 and below 1")
        }
        if draftAcceptance != nil, draftTokens == nil {
            throw ValidationError("--draft-acceptance needs --draft-tokens")
        }
        for (name, value) in [("--ttft", ttft), ("--itl", itl)] {
            if let value, value <= 0 { throw ValidationError("\(name) must be a positive number of milliseconds") }
        }
    }

    /// The profile these flags describe, filling what they leave out from `base`.
    func profile(over base: DeploymentProfile) -> DeploymentProfile {
        DeploymentProfile(
            llm: llm ?? base.llm, gpu: gpu ?? base.gpu,
            precision: precision.flatMap { Precision(rawValue: $0.lowercased()) } ?? base.precision,
            engine: engine.flatMap { Engine(rawValue: $0.lowercased()) } ?? base.engine,
            tpPrefill: tpPrefill ?? (llm == nil && gpu == nil ? base.tpPrefill : nil),
            tpDecode: tpDecode ?? (llm == nil && gpu == nil ? base.tpDecode : nil),
            expertParallel: expertParallel ?? (llm == nil && gpu == nil ? base.expertParallel : nil),
            dataParallelAttention: dataParallelAttention ?? base.dataParallelAttention,
            speculative: draftTokens.map { SpeculativeDecoding(draftTokens: $0, acceptance: draftAcceptance ?? 0.7) }
                ?? base.speculative,
            ttftMs: ttft ?? base.ttftMs, itlMs: itl ?? base.itlMs)
    }
}
