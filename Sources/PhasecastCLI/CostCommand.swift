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
            queueing (M/D/1) keeps TTFT within the target. Decode: the largest batch whose step (weight GEMMs, \
            attention over the KV cache, per-layer and per-sequence overheads, TP all-reduces or EP all-to-alls) \
            meets the ITL target and whose KV cache fits. Aggregated: one engine serving both phases, each token \
            also waiting for its share of the prefills. Worker layouts not given are chosen for the best \
            throughput per GPU. Reference data: the gpus, llms and calibration seeds (or a database's copies \
            with --db); docs/cost-model.md has the formulas.

            --validate scores the model against the published measurements in Pipelines/seeds/measurements.csv, \
            each source predicted by a calibration fitted without it (leave-one-source-out).

            Examples:
              phasecast cost --llm Llama-3.1-70B --gpu H100 --isl 2000 --osl 300 --ttft 800 --itl 40
              phasecast cost --llm DeepSeek-R1 --gpu GB200 --engine trtllm --tp-decode 16 --ep 16 --dp-attention true \
            --isl 4000 --osl 1000 --json
              phasecast cost --validate
            """)

    @OptionGroup var profile: ProfileOptions

    @Option(help: ArgumentHelp("Mean prompt (input) tokens per request, cached ones included.", valueName: "tokens"))
    var isl: Double?

    @Option(help: ArgumentHelp("Mean output tokens per request.", valueName: "tokens"))
    var osl: Double?

    @Option(help: ArgumentHelp("Mean prompt tokens per request served from a prefix cache.", valueName: "tokens"))
    var cached: Double = 0

    @Option(
        name: .customLong("measured-profile"),
        help: ArgumentHelp(
            "Measured per-GPU throughputs that replace the model: CSV, Dynamo profiler JSON, raw_data.npz or output directory, or an AIConfigurator result CSV.",
            valueName: "path")
    )
    var measuredProfile: String?

    @Option(
        help: ArgumentHelp("Use this database's GPUs, LLMs and calibrations (seeds plus your rows).", valueName: "path")
    )
    var db: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Flag(
        name: .customLong("validate"),
        help: "Score the cost model against the published measurements, leave-one-source-out, and exit.")
    var validateModel = false

    @Option(
        name: .customLong("write-calibration"),
        help: ArgumentHelp(
            "With --validate: write the calibration fitted on all measurements to this CSV (the calibration seed).",
            valueName: "path"))
    var writeCalibration: String?

    func validate() throws {
        if validateModel {
            guard profile.isEmpty, isl == nil, osl == nil else {
                throw ValidationError("--validate takes no profile or workload options")
            }
            return
        }
        guard writeCalibration == nil else { throw ValidationError("--write-calibration needs --validate") }
        guard profile.llm != nil, profile.gpu != nil else {
            throw ValidationError("--llm and --gpu are required (or --validate)")
        }
        guard let isl, let osl else { throw ValidationError("--isl and --osl are required") }
        guard isl >= 1, osl >= 1 else { throw ValidationError("--isl and --osl must be at least 1 token") }
        guard cached >= 0, cached < isl else { throw ValidationError("--cached must be from 0 to less than --isl") }
    }

    func run() throws {
        if validateModel { return try runValidation() }
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
            let workload = Workload(promptTokens: isl ?? 1, cachedTokens: cached, outputTokens: osl ?? 1)
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

    /// Scores the model and prints the per-point table and the summaries.
    func runValidation() throws {
        do {
            let catalog = try Catalog.bundled()
            let points = try MeasuredPoint.bundled(catalog: catalog)
            let validation = CostValidation.run(points)
            if json {
                Console.output(CostValidationTable.json(validation))
            } else {
                Console.output(CostValidationTable.text(validation))
            }
            if let writeCalibration {
                try CostValidationTable.calibrationCSV(
                    validation, points: points.filter { $0.supersededBy == nil }.count
                )
                .write(toFile: writeCalibration, atomically: true, encoding: .utf8)
            }
        } catch {
            throw fail(error)
        }
    }

    static func table(_ e: PhaseCostEstimate) -> String {
        let w = e.workload
        var text = "\(e.profile.summary)\n"
        text +=
            "workload: \(Int(w.promptTokens)) prompt tokens (\(Int(w.cachedTokens)) cached), \(Int(w.outputTokens)) output tokens\n\n"
        text += "| phase | worker | tokens/s per GPU at the SLA | bound | detail |\n|---|---|---|---|---|\n"
        let p = e.prefill
        var prefillDetail = String(
            format: "%d prompt%@ a batch, %.0f ms a batch; %.0f tok/s/GPU when always busy, ", p.batchRequests,
            p.batchRequests == 1 ? "" : "s", p.serviceMs, p.tokensPerSecondPerGPU)
        prefillDetail += String(format: "utilization ≤ %.2f keeps TTFT ≤ %.0f ms", p.maxUtilization, e.profile.ttftMs)
        if p.bound == .measured { prefillDetail = "measured profile" }
        if let note = p.note { prefillDetail += "; " + note }
        text +=
            "| prefill | \(p.layout) | \(Int(p.tokensPerSecondPerGPUAtSLA)) | \(p.bound.rawValue) | \(prefillDetail) |\n"
        let d = e.decode
        var decodeDetail = String(
            format: "batch %d (KV room for %d), step %.1f ms, %@-bound step", d.batch, d.kvBatchLimit, d.stepMs,
            d.stepBound.rawValue)
        if e.profile.speculative != nil { decodeDetail += String(format: ", %.1f ms between tokens", d.interTokenMs) }
        if d.bound == .measured { decodeDetail = "measured profile" }
        if let note = d.note { decodeDetail += "; " + note }
        text += "| decode | \(d.layout) | \(Int(d.tokensPerSecondPerGPU)) | \(d.bound.rawValue) | \(decodeDetail) |\n"
        if let a = e.aggregated {
            let detail = String(
                format: "%.0f requests at once, TPOT %.1f ms, TTFT %.0f ms; %.3f requests/s per GPU",
                a.point.concurrency,
                a.point.tpotMs, a.point.ttftMs, a.requestsPerSecondPerGPU)
            text +=
                "| aggregated | \(a.layout) | \(Int(a.point.tokensPerSecondPerGPU)) (prompt + output) | latency | \(detail) |\n"
        } else {
            text += "| aggregated | – | 0 | latency | no co-located engine meets both targets |\n"
        }
        text += "\n"
        if let ratio = e.prefillToDecodeGPURatio {
            text += String(
                format: "P:D GPU ratio %.2f : 1 (prefill GPUs per decode GPU at equal request rate)\n", ratio)
            if let disaggregated = e.disaggregatedRequestsPerSecondPerGPU, let a = e.aggregated {
                text += String(
                    format: "disaggregated %.3f requests/s per GPU vs aggregated %.3f (%.2f×)\n", disaggregated,
                    a.requestsPerSecondPerGPU, disaggregated / a.requestsPerSecondPerGPU)
            }
        } else {
            text += "not feasible: "
            text += [p.note.map { "prefill: \($0)" }, d.note.map { "decode: \($0)" }].compactMap { $0 }.joined(
                separator: "; ")
            text += "\n"
        }
        return text
    }
}
