import PhasecastCore
import PhasecastResources

/// One published measurement of a serving deployment (`Pipelines/seeds/measurements.csv`): what
/// ran, how, and the figure measured, with where it was published. The cost model is fitted to
/// these and scored against them (`phasecast cost --validate`).
public struct MeasuredPoint: Sendable, Equatable {
    /// How the measurement loaded the engine.
    public enum Mode: String, Sendable {
        /// Every request queued at once; the engine runs its largest batch.
        case offline
        /// An aggregated engine holding a fixed number of requests.
        case concurrency
        /// Decode workers of a disaggregated deployment, each holding `batch` sequences.
        case disaggregated
    }

    /// What was measured.
    public enum Figure: String, Sendable {
        /// Prompt and output tokens per second per GPU.
        case tokensPerSecondPerGPU = "tokens_per_s_per_gpu"
        /// Mean time per output token, ms.
        case tpotMs = "tpot_ms"
    }

    public var source: String
    public var llm: LLMSpec
    public var gpu: GPUSpec
    public var engine: Engine
    public var precision: Precision
    public var mode: Mode
    public var layout: WorkerLayout
    public var inputTokens: Double
    public var outputTokens: Double
    public var batch: Double?
    public var figure: Figure
    public var measured: Double
    public var citation: String
    /// The later run of the same benchmark, hardware, engine, model and precision that replaces
    /// this one (engines get faster release by release); nil for current measurements.
    public var supersededBy: String?
    /// The seed's line, for messages.
    public var line: Int

    /// Which part of the cost model the figure tests: decode for step times, prefill for
    /// throughputs of prompt-dominated runs (output ≤ 10 % of the tokens), aggregated otherwise.
    public var kind: ValidationFigure {
        if figure == .tpotMs { return .decode }
        return outputTokens / (inputTokens + outputTokens) <= 0.1 ? .prefill : .aggregated
    }

    /// The model's figure for this point under `model` (whose calibration the caller chose).
    public func predicted(by model: RooflineModel) -> Double {
        let workload = Workload(promptTokens: inputTokens, outputTokens: outputTokens)
        switch (mode, figure) {
        case (.offline, _):
            return model.offlineThroughputPerGPU(inputTokens: inputTokens, outputTokens: outputTokens, layout: layout)
        case (.concurrency, .tpotMs):
            return model.aggregated(workload, layout: layout, concurrency: batch ?? 1).tpotMs
        case (.concurrency, .tokensPerSecondPerGPU):
            return model.aggregated(workload, layout: layout, concurrency: batch ?? 1).tokensPerSecondPerGPU
        case (.disaggregated, .tpotMs):
            return model.decodeStep(batch: batch ?? 1, context: workload.decodeContext, layout: layout)
                .interTokenSeconds * 1000
        case (.disaggregated, .tokensPerSecondPerGPU):
            let step = model.decodeStep(batch: batch ?? 1, context: workload.decodeContext, layout: layout)
            return (batch ?? 1) * step.tokensPerStep / (step.seconds * Double(layout.gpus))
        }
    }

    /// The measurements compiled into phasecast.
    public static func bundled(catalog: Catalog) throws -> [MeasuredPoint] {
        try read(
            EmbeddedFiles.text(at: "Pipelines/seeds/measurements.csv") ?? "", file: "measurements.csv", catalog: catalog
        )
    }

    /// Reads a measurements CSV; every row must name a known LLM and GPU.
    public static func read(_ text: String, file: String, catalog: Catalog) throws -> [MeasuredPoint] {
        let table: CSVTable
        do {
            table = try CSVTable(text: text)
        } catch {
            throw Catalog.CatalogError.malformed(file: file, line: error.line, reason: error.reason)
        }
        return try table.rows.indices.map { row in
            let line = table.lines[row]
            func fail(_ reason: String) -> Catalog.CatalogError { .malformed(file: file, line: line, reason: reason) }
            func number(_ column: String) throws -> Double {
                guard let value = Double(table.cell(row, column)) else {
                    throw fail("\(column) '\(table.cell(row, column))' is not a number")
                }
                return value
            }
            guard let engine = Engine(rawValue: table.cell(row, "engine")) else { throw fail("unknown engine") }
            guard let precision = Precision(rawValue: table.cell(row, "precision")) else {
                throw fail("unknown precision")
            }
            guard let mode = Mode(rawValue: table.cell(row, "mode")) else { throw fail("unknown mode") }
            guard let figure = Figure(rawValue: table.cell(row, "figure")) else { throw fail("unknown figure") }
            let gpus = Int(try number("tp"))
            let layout = WorkerLayout(
                gpus: gpus, expertParallel: Int(table.cell(row, "ep")) ?? 1,
                dataParallelAttention: table.cell(row, "dp_attention") == "1")
            return MeasuredPoint(
                source: table.cell(row, "source_id"), llm: try catalog.llm(named: table.cell(row, "llm")),
                gpu: try catalog.gpu(named: table.cell(row, "gpu")), engine: engine, precision: precision, mode: mode,
                layout: layout, inputTokens: try number("isl"), outputTokens: try number("osl"),
                batch: Double(table.cell(row, "batch")), figure: figure, measured: try number("measured"),
                citation: table.cell(row, "citation"),
                supersededBy: table.cell(row, "superseded_by").isEmpty ? nil : table.cell(row, "superseded_by"),
                line: line)
        }
    }
}

/// The three figures the cost model is scored on.
public enum ValidationFigure: String, Sendable, CaseIterable {
    case prefill, decode, aggregated
}
