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
        name: .customLong("tp-prefill"),
        help: ArgumentHelp("Tensor parallelism of a prefill worker (default: best per GPU).", valueName: "n"))
    var tpPrefill: Int?

    @Option(
        name: .customLong("tp-decode"),
        help: ArgumentHelp("Tensor parallelism of a decode worker (default: best per GPU).", valueName: "n"))
    var tpDecode: Int?

    @Option(help: ArgumentHelp("Time-to-first-token target, queueing included.", valueName: "ms"))
    var ttft: Double?

    @Option(help: ArgumentHelp("Inter-token latency target.", valueName: "ms"))
    var itl: Double?

    var isEmpty: Bool {
        llm == nil && gpu == nil && precision == nil && tpPrefill == nil && tpDecode == nil && ttft == nil && itl == nil
    }

    func validate() throws {
        if let precision, Precision(rawValue: precision.lowercased()) == nil {
            throw ValidationError("--precision must be bf16, fp8 or fp4 (got '\(precision)')")
        }
        for (name, value) in [("--tp-prefill", tpPrefill), ("--tp-decode", tpDecode)] {
            if let value, ![1, 2, 4, 8].contains(value) { throw ValidationError("\(name) must be 1, 2, 4 or 8") }
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
            tpPrefill: tpPrefill ?? (llm == nil && gpu == nil ? base.tpPrefill : nil),
            tpDecode: tpDecode ?? (llm == nil && gpu == nil ? base.tpDecode : nil),
            ttftMs: ttft ?? base.ttftMs, itlMs: itl ?? base.itlMs)
    }
}
