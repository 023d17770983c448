import Extract
import Foundation
import PhasecastCore
import Reporting
import Store

/// A run's report input as stored in `report_snapshots`, so that `phasecast report` renders it
/// again without recomputing: the same snapshot renders the same bytes.
public enum ReportSnapshot {
    /// The layout of the stored JSON; bumped when `ReportInput` changes in a way older
    /// snapshots cannot be read with.
    public static let format: Int64 = 1

    /// One stored report: which run made it, for which pipeline and day, and where it was written.
    public struct Entry: Sendable, Equatable {
        public var runID: Int64
        public var pipeline: String
        public var asOfDay: Int64
        public var finishedAt: String?
        public var exitCode: Int64?
        /// The folder the run wrote the report to.
        public var directory: String?
    }

    /// Why a stored report cannot be rendered.
    public enum Problem: PhasecastError, Equatable {
        case noReports(pipeline: String?)
        case noSuchRun(Int64)
        case unreadable(runID: Int64, format: Int64, reason: String)

        public var description: String {
            switch self {
            case .noReports(let pipeline):
                "no stored report\(pipeline.map { " of pipeline \($0)" } ?? "") in this database: a run stores its "
                    + "report when it reaches the report stage (phasecast run)"
            case .noSuchRun(let id):
                "run \(id) stored no report (phasecast report --list shows the runs that did)"
            case .unreadable(let id, let format, let reason):
                "the report of run \(id) was stored in snapshot format \(format), which this phasecast "
                    + "(format \(ReportSnapshot.format)) cannot read: \(reason); run the pipeline again to store a new one"
            }
        }

        public var exitStatus: ExitStatus {
            switch self {
            case .noReports, .noSuchRun: .noInput
            case .unreadable: .dataError
            }
        }
    }

    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }

    /// Stores (or replaces) the report input of pipeline run `runID`.
    public static func save(_ input: ReportInput, runID: Int64, in connection: Connection) throws {
        let json = GzipData.compress(Array(try encoder().encode(input)))
        try connection.run(
            """
            INSERT OR REPLACE INTO report_snapshots (run_id, pipeline, as_of_day, format, input)
            VALUES (?, ?, ?, ?, ?)
            """,
            [.integer(runID), .text(input.pipeline), .integer(input.asOfDay), .integer(format), .blob(json)])
    }

    /// The stored reports, newest run first; only `pipeline`'s when given.
    public static func list(in connection: Connection, pipeline: String? = nil) throws -> [Entry] {
        // A database of a phasecast before stored reports, opened read-only, has no such table.
        guard
            try connection.queryFirst(
                "SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = 'report_snapshots'") != nil
        else { return [] }
        return try connection.query(
            """
            SELECT s.run_id, s.pipeline, s.as_of_day, r.finished_at, r.exit_code, r.report
            FROM report_snapshots s LEFT JOIN pipeline_runs r ON r.run_id = s.run_id
            WHERE ?1 IS NULL OR s.pipeline = ?1
            ORDER BY s.run_id DESC
            """, [pipeline.map { .text($0) } ?? .null]
        ).map { row in
            Entry(
                runID: try row.int("run_id"), pipeline: try row.text("pipeline"), asOfDay: try row.int("as_of_day"),
                finishedAt: try row.optionalText("finished_at"), exitCode: try row.optionalInt("exit_code"),
                directory: try row.optionalText("report"))
        }
    }

    /// The stored input of run `runID`, or of the newest run (of `pipeline`, when given).
    public static func load(
        from connection: Connection, runID: Int64? = nil, pipeline: String? = nil
    ) throws -> (entry: Entry, input: ReportInput) {
        let (entry, json, storedFormat) = try stored(from: connection, runID: runID, pipeline: pipeline)
        do {
            return (entry, try decoder().decode(ReportInput.self, from: Data(json)))
        } catch let error as DecodingError {
            throw Problem.unreadable(runID: entry.runID, format: storedFormat, reason: Self.describe(error))
        }
    }

    /// Run `runID`'s stored report, or the newest run's (of `pipeline`, when given): its entry,
    /// its JSON uncompressed, and the snapshot format it was stored in.
    public static func stored(
        from connection: Connection, runID: Int64? = nil, pipeline: String? = nil
    ) throws -> (entry: Entry, json: [UInt8], format: Int64) {
        let entries = try list(in: connection, pipeline: pipeline)
        let chosen: Entry
        if let runID {
            guard let entry = entries.first(where: { $0.runID == runID }) else { throw Problem.noSuchRun(runID) }
            chosen = entry
        } else {
            guard let newest = entries.first else { throw Problem.noReports(pipeline: pipeline) }
            chosen = newest
        }
        let row = try connection.queryOne(
            "SELECT format, input FROM report_snapshots WHERE run_id = ?", [.integer(chosen.runID)])
        let storedFormat = try row.int("format")
        guard storedFormat <= format else {
            throw Problem.unreadable(runID: chosen.runID, format: storedFormat, reason: "it is newer")
        }
        guard case .blob(let compressed) = try row.value("input"), let json = GzipData.decompress(compressed) else {
            throw Problem.unreadable(
                runID: chosen.runID, format: storedFormat, reason: "it is not gzip-compressed JSON")
        }
        return (chosen, json, storedFormat)
    }

    /// A decoding error as one line: what was wrong and where in the JSON.
    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
        }
        switch error {
        case .keyNotFound(let key, let context): return "no \(key.stringValue) at \(path(context.codingPath))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(context.debugDescription) at \(path(context.codingPath))"
        @unknown default: return String(describing: error)
        }
    }
}
