import ArgumentParser
import CostModel
import Foundation
import PhasecastCore
import Stages
import Store

/// `phasecast cost`: per-GPU throughput of each phase at an SLA, and the P:D ratio.
struct CostCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cost",
        abstract:
            "Per-GPU prefill and decode throughput of a model on a GPU at an SLA, and the prefill:decode GPU ratio.",
        discussion: """
            Prefill: FLOPs of the uncached prompt (linear layers from active parameters, attention n·c + n²/2) at \
            a calibrated MFU, in the smallest batch that saturates the GPU, at the highest utilization whose \
            queueing (M/D/1) keeps TTFT within the target. Decode: the largest batch whose step (weight and KV \
            bytes over bandwidth × MBU, or FLOPs, plus a per-layer floor) meets the ITL target and whose KV cache \
            fits. TP sizes not given are chosen for the best throughput per GPU. Reference data: the gpus, llms \
            and calibration seeds (or a database's copies with --db).
            """)

    @OptionGroup var profile: ProfileOptions

    @Option(help: ArgumentHelp("Mean prompt (input) tokens per request, cached ones included.", valueName: "tokens"))
    var isl: Double

    @Option(help: ArgumentHelp("Mean output tokens per request.", valueName: "tokens"))
    var osl: Double

    @Option(help: ArgumentHelp("Mean prompt tokens per request served from a prefix cache.", valueName: "tokens"))
    var cached: Double = 0

    @Option(
        name: .customLong("measured-profile"),
        help: ArgumentHelp(
            "Measured per-GPU throughputs (CSV, or Dynamo profiler JSON) that replace the roofline.", valueName: "file")
    )
    var measuredProfile: String?

    @Option(
        help: ArgumentHelp("Use this database's GPUs, LLMs and calibrations (seeds plus your rows).", valueName: "path")
    )
    var db: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func validate() throws {
        guard profile.llm != nil, profile.gpu != nil else {
            throw ValidationError("--llm and --gpu are required")
        }
        guard isl >= 1, osl >= 1 else { throw ValidationError("--isl and --osl must be at least 1 token") }
        guard cached >= 0, cached < isl else { throw ValidationError("--cached must be from 0 to less than --isl") }
    }

    func run() throws {
        do {
            let catalog: Catalog
            if let db {
                let connection = try Connection(path: db, readOnly: true)
                catalog = try CatalogTables.load(connection)
            } else {
                catalog = try Catalog.bundled()
            }
            var estimator = CostEstimator(catalog: catalog)
            if let measuredProfile { estimator.measured = try MeasuredProfile.read(path: measuredProfile) }
            let chosen = profile.profile(
                over: DeploymentProfile(
                    llm: profile.llm ?? "", gpu: profile.gpu ?? "", precision: .fp8, ttftMs: 1000, itlMs: 50))
            let workload = Workload(promptTokens: isl, cachedTokens: cached, outputTokens: osl)
            let estimate = try estimator.estimate(chosen, workload: workload)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                Console.output(String(decoding: try encoder.encode(estimate), as: UTF8.self) + "\n")
            } else {
                Console.output(Self.table(estimate))
            }
        } catch let error as ExitCode {
            throw error
        } catch {
            throw fail(error)
        }
    }

    static func table(_ e: PhaseCostEstimate) -> String {
        let w = e.workload
        var text = "\(e.profile.summary)\n"
        text +=
            "workload: \(Int(w.promptTokens)) prompt tokens (\(Int(w.cachedTokens)) cached), \(Int(w.outputTokens)) output tokens\n\n"
        text += "| phase | TP | tokens/s per GPU at the SLA | bound | detail |\n|---|---|---|---|---|\n"
        let p = e.prefill
        var prefillDetail = String(
            format: "%d prompts a batch, %.0f ms a batch; %.0f tok/s/GPU when always busy, ", p.batchRequests,
            p.serviceMs, p.tokensPerSecondPerGPU)
        prefillDetail += String(format: "utilization ≤ %.2f keeps TTFT ≤ %.0f ms", p.maxUtilization, e.profile.ttftMs)
        if p.bound == .measured { prefillDetail = "measured profile" }
        if let note = p.note { prefillDetail += "; " + note }
        text +=
            "| prefill | \(p.tp) | \(Int(p.tokensPerSecondPerGPUAtSLA)) | \(p.bound.rawValue) | \(prefillDetail) |\n"
        let d = e.decode
        var decodeDetail = String(
            format: "batch %d (KV room for %d), step %.1f ms, %@-bound step", d.batch, d.kvBatchLimit, d.stepMs,
            d.stepBound.rawValue)
        if d.bound == .measured { decodeDetail = "measured profile" }
        if let note = d.note { decodeDetail += "; " + note }
        text += "| decode | \(d.tp) | \(Int(d.tokensPerSecondPerGPU)) | \(d.bound.rawValue) | \(decodeDetail) |\n\n"
        if let ratio = e.prefillToDecodeGPURatio {
            text += String(
                format: "P:D GPU ratio %.2f : 1 (prefill GPUs per decode GPU at equal request rate)\n", ratio)
        } else {
            text += "P:D GPU ratio: undefined (a phase cannot meet its target)\n"
        }
        return text
    }
}
