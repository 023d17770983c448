import PhasecastCore
import PhasecastResources

/// The GPUs, LLMs and calibrations phasecast knows, read from the seed CSVs (or the user's
/// extended copies in the database).
public struct Catalog: Sendable {
    public var gpus: [GPUSpec]
    public var llms: [LLMSpec]
    public var calibrations: [Calibration]

    /// Why a catalog or a lookup failed.
    public enum CatalogError: PhasecastError, Equatable, Sendable {
        case malformed(file: String, line: Int, reason: String)
        case unknownGPU(String, known: [String])
        case unknownLLM(String, known: [String])
        case noCalibration(Engine, GPUVendor, ArchitectureClass, Precision)

        public var description: String {
            switch self {
            case .malformed(let file, let line, let reason): "\(file): line \(line): \(reason)"
            case .unknownGPU(let name, let known):
                "unknown GPU '\(name)'; known: \(known.joined(separator: ", "))"
            case .unknownLLM(let name, let known):
                "unknown LLM '\(name)'; known: \(known.joined(separator: ", "))"
            case .noCalibration(let engine, let vendor, let architecture, let precision):
                "no calibration for \(architecture.rawValue) models at \(precision.rawValue) on \(engine.rawValue) with \(vendor.rawValue) GPUs; engines: "
                    + Engine.allCases.map(\.rawValue).joined(separator: ", ")
            }
        }

        /// A malformed seed is bad data; an unknown name was asked for by the user.
        public var exitStatus: ExitStatus {
            switch self {
            case .malformed: .dataError
            case .unknownGPU, .unknownLLM, .noCalibration: .usage
            }
        }
    }

    public init(gpus: [GPUSpec], llms: [LLMSpec], calibrations: [Calibration]) {
        self.gpus = gpus
        self.llms = llms
        self.calibrations = calibrations
    }

    /// The catalog of the seeds compiled into phasecast (`Pipelines/seeds`).
    public static func bundled() throws -> Catalog {
        try Catalog(
            gpuCSV: EmbeddedFiles.text(at: "Pipelines/seeds/gpus.csv") ?? "",
            llmCSV: EmbeddedFiles.text(at: "Pipelines/seeds/llms.csv") ?? "",
            calibrationCSV: EmbeddedFiles.text(at: "Pipelines/seeds/calibration.csv") ?? "")
    }

    /// Reads the three seed files.
    public init(gpuCSV: String, llmCSV: String, calibrationCSV: String) throws {
        gpus = try Self.rows(gpuCSV, "gpus.csv") { t, r, number in
            GPUSpec(
                name: t.cell(r, "name"), aliases: Self.list(t.cell(r, "aliases")),
                vendor: try Self.vendor(t.cell(r, "vendor"), line: t.lines[r]),
                bf16Tflops: try number("bf16_dense_tflops"), fp8Tflops: try? number("fp8_dense_tflops"),
                fp4Tflops: try? number("fp4_dense_tflops"), hbmGB: try number("hbm_gb"),
                hbmTBs: try number("hbm_tb_s"), scaleupGBs: try number("scaleup_gb_s_unidir"),
                tdpWatts: try number("tdp_w"), gpusPerNode: Int(try number("gpus_per_node")),
                scaleupDomain: Int(try number("scaleup_domain")), scaleoutGBs: try number("scaleout_gb_s_unidir"),
                pricePerHour: try number("price_per_gpu_hour_usd"), source: t.cell(r, "source"))
        }
        llms = try Self.rows(llmCSV, "llms.csv") { t, r, number in
            let architecture = ArchitectureClass(rawValue: t.cell(r, "architecture")) ?? .dense
            return LLMSpec(
                name: t.cell(r, "name"), aliases: Self.list(t.cell(r, "aliases")), architecture: architecture,
                totalParams: try number("total_params_b") * 1e9, activeParams: try number("active_params_b") * 1e9,
                layers: Int(try number("layers")), hiddenSize: Int(try number("hidden_size")),
                kvHeads: Int(try number("kv_heads")), experts: (try? number("experts")).map(Int.init),
                activeExperts: (try? number("active_experts")).map(Int.init),
                moeLayers: (try? number("moe_layers")).map(Int.init),
                kvBytesPerTokenBF16: try number("kv_bytes_per_token_bf16"),
                linearFlopsPerToken: try number("linear_gflops_per_token") * 1e9,
                attentionFlopsPerPair: try number("attention_flops_per_token_per_context_token"),
                maxContext: Int(try number("max_context")), source: t.cell(r, "source"))
        }
        calibrations = try Self.rows(calibrationCSV, "calibration.csv") { t, r, number in
            guard let engine = Engine(rawValue: t.cell(r, "engine")),
                let vendor = GPUVendor(rawValue: t.cell(r, "vendor")),
                let architecture = ArchitectureClass(rawValue: t.cell(r, "architecture")),
                let precision = Precision(rawValue: t.cell(r, "precision"))
            else {
                throw CatalogError.malformed(
                    file: "calibration.csv", line: t.lines[r],
                    reason: "unknown engine, vendor, architecture or precision")
            }
            return Calibration(
                engine: engine, vendor: vendor, architecture: architecture, precision: precision,
                mfuPrefill: try number("mfu_prefill"), mfuAttention: try number("mfu_attention"),
                mbu: try number("mbu"), mfuDecode: try number("mfu_decode"),
                stepFloorMicrosPerLayer: try number("step_floor_us_per_layer"),
                sequenceMicrosPerLayer: try number("sequence_us_per_layer"),
                expertImbalance: try number("expert_imbalance"), kvMemoryFraction: try number("kv_memory_fraction"),
                maxBatch: Int(try number("max_batch")),
                uncertaintyP90: try number("uncertainty_p90"),
                source: t.cell(r, "source"))
        }
    }

    private static func vendor(_ text: String, line: Int) throws -> GPUVendor {
        guard let vendor = GPUVendor(rawValue: text) else {
            throw CatalogError.malformed(
                file: "gpus.csv", line: line,
                reason: "vendor '\(text)' is not \(GPUVendor.allCases.map(\.rawValue).joined(separator: " or "))")
        }
        return vendor
    }

    private static func list(_ text: String) -> [String] {
        text.split(separator: ";").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
    }

    /// Reads the rows of a seed, giving `make` a number reader that names the file, line and column.
    private static func rows<T>(
        _ text: String, _ file: String,
        _ make: (CSVTable, Int, (String) throws -> Double) throws -> T
    ) throws -> [T] {
        let table: CSVTable
        do {
            table = try CSVTable(text: text)
        } catch {
            throw CatalogError.malformed(file: file, line: error.line, reason: error.reason)
        }
        return try table.rows.indices.map { row in
            try make(table, row) { column in
                let text = table.cell(row, column)
                guard let value = Double(text) else {
                    throw CatalogError.malformed(
                        file: file, line: table.lines[row],
                        reason: text.isEmpty ? "no \(column)" : "\(column) '\(text)' is not a number")
                }
                return value
            }
        }
    }

    private static func normalized(_ name: String) -> String {
        String(name.lowercased().filter { $0.isLetter || $0.isNumber })
    }

    /// This catalog with the entries of `other` whose names it lacks (the database's own rows
    /// beside the seeds).
    public func adding(_ other: Catalog) -> Catalog {
        let gpuNames = Set(gpus.map(\.name))
        let llmNames = Set(llms.map(\.name))
        func key(_ c: Calibration) -> String {
            "\(c.engine.rawValue)/\(c.vendor.rawValue)/\(c.architecture.rawValue)/\(c.precision.rawValue)"
        }
        let calibrated = Set(calibrations.map(key))
        return Catalog(
            gpus: gpus + other.gpus.filter { !gpuNames.contains($0.name) },
            llms: llms + other.llms.filter { !llmNames.contains($0.name) },
            calibrations: calibrations
                + other.calibrations.filter { !calibrated.contains(key($0)) })
    }

    /// A GPU by name or alias (case, spaces and punctuation ignored).
    public func gpu(named name: String) throws(CatalogError) -> GPUSpec {
        let key = Self.normalized(name)
        if let found = gpus.first(where: { ([$0.name] + $0.aliases).contains { Self.normalized($0) == key } }) {
            return found
        }
        throw .unknownGPU(name, known: gpus.map(\.name))
    }

    /// An LLM by name or alias (case, spaces and punctuation ignored).
    public func llm(named name: String) throws(CatalogError) -> LLMSpec {
        if let found = matchingLLM(name) { return found }
        throw .unknownLLM(name, known: llms.map(\.name))
    }

    /// The LLM a model name in the logs refers to, if any.
    public func matchingLLM(_ name: String) -> LLMSpec? {
        let key = Self.normalized(name)
        return llms.first { ([$0.name] + $0.aliases).contains { Self.normalized($0) == key } }
    }

    /// The calibration of an engine on a vendor's GPUs for an architecture class at a precision.
    public func calibration(
        _ engine: Engine, _ vendor: GPUVendor, _ architecture: ArchitectureClass, _ precision: Precision
    ) throws(CatalogError)
        -> Calibration
    {
        if let found = calibrations.first(where: {
            $0.engine == engine && $0.vendor == vendor && $0.architecture == architecture && $0.precision == precision
        }) {
            return found
        }
        throw .noCalibration(engine, vendor, architecture, precision)
    }
}
