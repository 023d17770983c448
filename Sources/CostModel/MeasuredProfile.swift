import Foundation
import PhasecastCore

/// Per-GPU throughputs measured on the real deployment, which replace the roofline when given:
/// prefill points (input length → TTFT, tokens/s/GPU) and decode points (context → ITL,
/// tokens/s/GPU), read from CSV or from the JSON that Dynamo's profiler writes.
public struct MeasuredProfile: Sendable, Codable, Equatable {
    public struct PrefillPoint: Sendable, Codable, Equatable {
        public var inputTokens: Double
        public var ttftMs: Double
        public var tokensPerSecondPerGPU: Double
    }

    public struct DecodePoint: Sendable, Codable, Equatable {
        public var context: Double
        public var itlMs: Double
        public var tokensPerSecondPerGPU: Double
    }

    public var prefill: [PrefillPoint]
    public var decode: [DecodePoint]

    public init(prefill: [PrefillPoint] = [], decode: [DecodePoint] = []) {
        self.prefill = prefill.sorted { $0.inputTokens < $1.inputTokens }
        self.decode = decode
    }

    /// Why a profile file could not be read.
    public struct ReadError: PhasecastError, Equatable, Sendable {
        public let file: String
        public let reason: String
        public var description: String { "\(file): \(reason)" }
        /// The file is absent or unreadable (66), or its content is wrong (65).
        public var exitStatus: ExitStatus { reason == "cannot read the file" ? .noInput : .dataError }
    }

    /// Reads a CSV (`isl, ttft_ms, prefill_tokens_per_s_per_gpu` and/or `context, itl_ms,
    /// decode_tokens_per_s_per_gpu`, the two tables one after the other, each with its header),
    /// Dynamo profiler results — its JSON (`prefill_isl`, `prefill_ttft`, `prefill_thpt_per_gpu`;
    /// `x_kv_usage`, `y_context_length`, `z_itl`, `z_thpt_per_gpu`) or the `raw_data.npz` files
    /// holding the same arrays — or a directory (the profiler's output), whose `.npz` and `.json`
    /// files are merged.
    public static func read(path: String) throws(ReadError) -> MeasuredProfile {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            return try directory(path)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReadError(file: path, reason: "cannot read the file")
        }
        return try parse(data, file: path)
    }

    /// Reads a profile's bytes: `.npz` (a zip), Dynamo JSON, or CSV; `file` names it in errors.
    public static func parse(_ data: Data, file path: String) throws(ReadError) -> MeasuredProfile {
        if data.starts(with: [0x50, 0x4b, 0x03, 0x04]) || data.starts(with: [0x50, 0x4b, 0x05, 0x06]) {
            do {
                return try arrays(NumpyArchive.arrays(data), file: path)
            } catch let error as ReadError {
                throw error
            } catch {
                throw ReadError(file: path, reason: "\(error)")
            }
        }
        let text = String(decoding: data, as: UTF8.self)
        if text.drop(while: { $0.isWhitespace }).first == "{" {
            return try dynamoJSON(data, file: path)
        }
        return try csv(text, file: path)
    }

    /// Merges the `.npz` and `.json` profiles under a directory (Dynamo writes one per phase).
    static func directory(_ path: String) throws(ReadError) -> MeasuredProfile {
        let files = (FileManager.default.enumerator(atPath: path)?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix(".npz") || $0.hasSuffix(".json") }.sorted()
        var merged = MeasuredProfile()
        for file in files {
            let profile: MeasuredProfile
            do {
                profile = try read(path: (path as NSString).appendingPathComponent(file))
            } catch  where error.reason.hasPrefix("no prefill_*") {
                continue  // a result file of the profiler that holds no throughput arrays
            }
            merged = MeasuredProfile(prefill: merged.prefill + profile.prefill, decode: merged.decode + profile.decode)
        }
        guard !merged.prefill.isEmpty || !merged.decode.isEmpty else {
            throw ReadError(file: path, reason: "no .npz or .json file with prefill_* or y_context_length/z_* arrays")
        }
        return merged
    }

    static func csv(_ text: String, file: String) throws(ReadError) -> MeasuredProfile {
        let header = text.prefix { $0 != "\n" && $0 != "\r" }
        if header.contains("(p)seq/s/worker") { return try aiConfiguratorDisaggregated(text, file: file) }
        // Split where a line starts a new header.
        var sections: [[Substring]] = []
        for line in text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline) {
            let lower = line.lowercased()
            if lower.hasPrefix("isl") || lower.hasPrefix("context") || sections.isEmpty {
                sections.append([line])
            } else {
                sections[sections.count - 1].append(line)
            }
        }
        var profile = MeasuredProfile()
        for section in sections {
            let table: CSVTable
            do {
                table = try CSVTable(text: section.joined(separator: "\n"))
            } catch {
                throw ReadError(file: file, reason: error.description)
            }
            func number(_ row: Int, _ column: String) throws(ReadError) -> Double {
                guard let value = Double(table.cell(row, column)) else {
                    throw ReadError(file: file, reason: "\(column) of row \(row + 1) is not a number")
                }
                return value
            }
            if table.column("isl") != nil {
                for row in table.rows.indices {
                    profile.prefill.append(
                        PrefillPoint(
                            inputTokens: try number(row, "isl"), ttftMs: try number(row, "ttft_ms"),
                            tokensPerSecondPerGPU: try number(row, "prefill_tokens_per_s_per_gpu")))
                }
            } else if table.column("context") != nil {
                for row in table.rows.indices {
                    profile.decode.append(
                        DecodePoint(
                            context: try number(row, "context"), itlMs: try number(row, "itl_ms"),
                            tokensPerSecondPerGPU: try number(row, "decode_tokens_per_s_per_gpu")))
                }
            } else {
                throw ReadError(
                    file: file,
                    reason:
                        "expected a header isl,ttft_ms,prefill_tokens_per_s_per_gpu or context,itl_ms,decode_tokens_per_s_per_gpu"
                )
            }
        }
        guard !profile.prefill.isEmpty || !profile.decode.isEmpty else {
            throw ReadError(file: file, reason: "no measurements")
        }
        return MeasuredProfile(prefill: profile.prefill, decode: profile.decode)
    }

    /// An AIConfigurator disaggregated result CSV (`aiconfigurator cli` writes one row per
    /// configuration): each row is a prefill point at its ISL and TTFT, (p)seq/s/worker × ISL ÷
    /// the prefill worker's GPUs, and a decode point at context ISL + OSL/2 and ITL = TPOT,
    /// (d)seq/s/worker × OSL ÷ the decode worker's GPUs (GPUs per worker: tp × pp × dp).
    static func aiConfiguratorDisaggregated(_ text: String, file: String) throws(ReadError) -> MeasuredProfile {
        let table: CSVTable
        do {
            table = try CSVTable(text: text)
        } catch {
            throw ReadError(file: file, reason: error.description)
        }
        for column in ["isl", "osl", "ttft", "tpot", "(p)seq/s/worker", "(d)seq/s/worker", "(p)tp", "(d)tp"]
        where table.column(column) == nil {
            throw ReadError(file: file, reason: "an AIConfigurator result without the column \(column)")
        }
        func number(_ row: Int, _ column: String, default value: Double? = nil) throws(ReadError) -> Double {
            let cell = table.cell(row, column)
            if cell.isEmpty, let value { return value }
            guard let number = Double(cell), number.isFinite, number >= 0 else {
                throw ReadError(file: file, reason: "line \(table.lines[row]): \(column) '\(cell)' is not a number")
            }
            return number
        }
        var prefill: [PrefillPoint] = []
        var decode: [DecodePoint] = []
        for row in table.rows.indices {
            let isl = try number(row, "isl")
            let osl = try number(row, "osl")
            let prefillGPUs =
                try number(row, "(p)tp") * number(row, "(p)pp", default: 1) * number(row, "(p)dp", default: 1)
            let decodeGPUs =
                try number(row, "(d)tp") * number(row, "(d)pp", default: 1) * number(row, "(d)dp", default: 1)
            guard prefillGPUs >= 1, decodeGPUs >= 1 else {
                throw ReadError(file: file, reason: "line \(table.lines[row]): a worker of no GPUs")
            }
            prefill.append(
                PrefillPoint(
                    inputTokens: isl, ttftMs: try number(row, "ttft"),
                    tokensPerSecondPerGPU: try number(row, "(p)seq/s/worker") * isl / prefillGPUs))
            decode.append(
                DecodePoint(
                    context: isl + osl / 2, itlMs: try number(row, "tpot"),
                    tokensPerSecondPerGPU: try number(row, "(d)seq/s/worker") * osl / decodeGPUs))
        }
        guard !prefill.isEmpty else { throw ReadError(file: file, reason: "no measurements") }
        // Several configurations at one ISL: the best prefill rate of each.
        var best: [Double: PrefillPoint] = [:]
        for point in prefill where point.tokensPerSecondPerGPU > (best[point.inputTokens]?.tokensPerSecondPerGPU ?? -1)
        {
            best[point.inputTokens] = point
        }
        return MeasuredProfile(prefill: Array(best.values), decode: decode)
    }

    static func dynamoJSON(_ data: Data, file: String) throws(ReadError) -> MeasuredProfile {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ReadError(file: file, reason: "not a JSON object")
        }
        var arrays: [String: [Double]] = [:]
        for (key, value) in object {
            if let list = value as? [Any] { arrays[key] = list.compactMap { ($0 as? NSNumber)?.doubleValue } }
        }
        return try Self.arrays(arrays, file: file)
    }

    /// The profile in Dynamo's arrays, from its JSON or its `.npz`.
    static func arrays(_ arrays: [String: [Double]], file: String) throws(ReadError) -> MeasuredProfile {
        var prefill: [PrefillPoint] = []
        if let isl = arrays["prefill_isl"], let ttft = arrays["prefill_ttft"], let thpt = arrays["prefill_thpt_per_gpu"]
        {
            guard isl.count == ttft.count && ttft.count == thpt.count else {
                throw ReadError(
                    file: file, reason: "prefill_isl, prefill_ttft and prefill_thpt_per_gpu differ in length")
            }
            prefill = isl.indices.map {
                PrefillPoint(inputTokens: isl[$0], ttftMs: ttft[$0], tokensPerSecondPerGPU: thpt[$0])
            }
        }
        var decode: [DecodePoint] = []
        if let context = arrays["y_context_length"], let itl = arrays["z_itl"], let thpt = arrays["z_thpt_per_gpu"] {
            guard context.count == itl.count && itl.count == thpt.count else {
                throw ReadError(file: file, reason: "y_context_length, z_itl and z_thpt_per_gpu differ in length")
            }
            decode = context.indices.map {
                DecodePoint(context: context[$0], itlMs: itl[$0], tokensPerSecondPerGPU: thpt[$0])
            }
        }
        let all =
            prefill.flatMap { [$0.inputTokens, $0.ttftMs, $0.tokensPerSecondPerGPU] }
            + decode.flatMap { [$0.context, $0.itlMs, $0.tokensPerSecondPerGPU] }
        guard all.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw ReadError(file: file, reason: "a measurement is negative or not a finite number")
        }
        guard !prefill.isEmpty || !decode.isEmpty else {
            throw ReadError(file: file, reason: "no prefill_* or x_kv_usage/y_context_length/z_* arrays")
        }
        return MeasuredProfile(prefill: prefill, decode: decode)
    }

    /// Linear interpolation over sorted (x, y) points, clamped at the ends.
    static func interpolate(_ points: [(x: Double, y: Double)], at x: Double) -> Double? {
        guard let first = points.first, let last = points.last else { return nil }
        if x <= first.x { return first.y }
        if x >= last.x { return last.y }
        for (a, b) in zip(points, points.dropFirst()) where x <= b.x {
            let t = b.x == a.x ? 0 : (x - a.x) / (b.x - a.x)
            return a.y + t * (b.y - a.y)
        }
        return last.y
    }

    /// Prefill tokens/s/GPU and TTFT at an input length, interpolated; nil without prefill points.
    public func prefill(inputTokens: Double) -> (tokensPerSecondPerGPU: Double, ttftMs: Double)? {
        guard
            let rate = Self.interpolate(prefill.map { ($0.inputTokens, $0.tokensPerSecondPerGPU) }, at: inputTokens),
            let ttft = Self.interpolate(prefill.map { ($0.inputTokens, $0.ttftMs) }, at: inputTokens)
        else { return nil }
        return (rate, ttft)
    }

    /// Decode tokens/s/GPU at a context within an ITL target: at each measured context the best
    /// throughput whose ITL meets the target, interpolated across contexts; nil without decode points.
    public func decode(context: Double, itlMs: Double) -> Double? {
        let contexts = Set(decode.map(\.context)).sorted()
        guard !contexts.isEmpty else { return nil }
        let best = contexts.map { value in
            (value, decode.filter { $0.context == value && $0.itlMs <= itlMs }.map(\.tokensPerSecondPerGPU).max() ?? 0)
        }
        return Self.interpolate(best, at: context)
    }
}
