import CSQLite
import PhasecastCore

/// SQL functions over length histograms, registered on every connection phasecast opens. Every
/// function reads both encodings: JSON text (`{"1024":5}`, the hour and day tables) and packed
/// BLOBs (`LengthHistogram.packed`, the minute rollups); NULL counts as empty.
///
/// - `phasecast_hist_merge(a, b)`: the sum of two histograms, in the encoding of the first
///   non-NULL argument;
/// - `phasecast_hist_sum(h)`: aggregate, the sum of a column of histograms, as JSON;
/// - `phasecast_hist_quantile(h, q)`: the length below which a fraction q of the counts fall;
/// - `phasecast_hist_scale(h, n)`: every count of h multiplied by the integer n (sampled logs),
///   in h's encoding;
/// - `phasecast_hist_json(h)` and `phasecast_hist_pack(h)`: h as JSON text, or packed.
///
/// Plain `sqlite3` does not have them; it reads the JSON of the hour and day tables with
/// `json_each`.
enum LengthHistogramSQL {
    typealias ScalarFunction = @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void

    static func register(on connection: Connection) throws(SQLiteError) {
        let flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC
        let scalars: [(name: String, arguments: Int32, function: ScalarFunction)] = [
            ("phasecast_hist_merge", 2, mergeFunction),
            ("phasecast_hist_quantile", 2, quantileFunction),
            ("phasecast_hist_scale", 2, scaleFunction),
            ("phasecast_hist_json", 1, jsonFunction),
            ("phasecast_hist_pack", 1, packFunction),
        ]
        for scalar in scalars {
            let code = sqlite3_create_function_v2(
                connection.handle, scalar.name, scalar.arguments, flags, nil, scalar.function, nil, nil, nil)
            guard code == SQLITE_OK else { throw connection.error(code, sql: nil) }
        }
        let code = sqlite3_create_function_v2(
            connection.handle, "phasecast_hist_sum", 1, flags, nil, nil, sumStep, sumFinal, nil)
        guard code == SQLITE_OK else { throw connection.error(code, sql: nil) }
    }

    /// How a histogram argument is stored.
    enum Encoding {
        case json, packed
    }

    /// The encoding of an argument; nil for NULL.
    static func encoding(of value: OpaquePointer?) -> Encoding? {
        switch sqlite3_value_type(value) {
        case SQLITE_NULL: nil
        case SQLITE_BLOB: .packed
        default: .json
        }
    }

    /// The histogram in an argument; empty for NULL, nil when it is not a histogram.
    static func histogram(_ value: OpaquePointer?) -> LengthHistogram? {
        var dense = [Int64](repeating: 0, count: LengthHistogram.bucketCount)
        guard add(value, to: &dense) else { return nil }
        return LengthHistogram(dense: dense)
    }

    /// Adds the counts of the histogram in an argument to `dense`, read in place from SQLite's
    /// bytes (no copy): a BLOB as packed, anything else as JSON text; NULL adds nothing; false
    /// when the value is not a histogram.
    static func add(_ value: OpaquePointer?, to dense: inout [Int64]) -> Bool {
        switch encoding(of: value) {
        case nil:
            return true
        case .packed:
            let length = Int(sqlite3_value_bytes(value))
            guard length > 0, let bytes = sqlite3_value_blob(value) else { return false }
            let buffer = UnsafeBufferPointer(start: bytes.assumingMemoryBound(to: UInt8.self), count: length)
            return LengthHistogram.addCounts(ofPacked: buffer, to: &dense)
        case .json:
            guard let text = sqlite3_value_text(value) else { return true }
            let length = Int(sqlite3_value_bytes(value))
            return LengthHistogram.addCounts(ofJSON: UnsafeBufferPointer(start: text, count: length), to: &dense)
        }
    }

    /// Returns a histogram in the given encoding.
    static func setResult(_ context: OpaquePointer?, _ histogram: LengthHistogram, as encoding: Encoding) {
        switch encoding {
        case .json:
            sqlite3_result_text(context, histogram.json, -1, phasecast_sqlite_transient())
        case .packed:
            let bytes = histogram.packed
            bytes.withUnsafeBytes {
                sqlite3_result_blob(context, $0.baseAddress, Int32($0.count), phasecast_sqlite_transient())
            }
        }
    }

    static let mergeFunction: ScalarFunction = { context, _, arguments in
        var dense = [Int64](repeating: 0, count: LengthHistogram.bucketCount)
        guard let arguments, add(arguments[0], to: &dense), add(arguments[1], to: &dense) else {
            sqlite3_result_error(context, "phasecast_hist_merge: argument is not a length histogram", -1)
            return
        }
        let encoding = encoding(of: arguments[0]) ?? encoding(of: arguments[1]) ?? .json
        setResult(context, LengthHistogram(dense: dense), as: encoding)
    }

    static let quantileFunction: ScalarFunction = { context, _, arguments in
        guard let arguments, let histogram = histogram(arguments[0]) else {
            sqlite3_result_error(context, "phasecast_hist_quantile: argument is not a length histogram", -1)
            return
        }
        guard let value = histogram.quantile(sqlite3_value_double(arguments[1])) else {
            sqlite3_result_null(context)
            return
        }
        sqlite3_result_double(context, value)
    }

    static let scaleFunction: ScalarFunction = { context, _, arguments in
        guard let arguments, let histogram = histogram(arguments[0]) else {
            sqlite3_result_error(context, "phasecast_hist_scale: argument is not a length histogram", -1)
            return
        }
        setResult(
            context, histogram.scaled(by: sqlite3_value_int64(arguments[1])), as: encoding(of: arguments[0]) ?? .json)
    }

    static let jsonFunction: ScalarFunction = { context, _, arguments in
        guard let arguments, let histogram = histogram(arguments[0]) else {
            sqlite3_result_error(context, "phasecast_hist_json: argument is not a length histogram", -1)
            return
        }
        setResult(context, histogram, as: .json)
    }

    static let packFunction: ScalarFunction = { context, _, arguments in
        guard let arguments, let histogram = histogram(arguments[0]) else {
            sqlite3_result_error(context, "phasecast_hist_pack: argument is not a length histogram", -1)
            return
        }
        setResult(context, histogram, as: .packed)
    }

    /// Running sum of an aggregate, one count a bucket, kept behind a pointer in SQLite's
    /// aggregate context.
    final class Accumulator {
        var dense = [Int64](repeating: 0, count: LengthHistogram.bucketCount)
        var failed = false
    }

    static func accumulator(_ context: OpaquePointer?, create: Bool) -> Accumulator? {
        let size = Int32(create ? MemoryLayout<UnsafeMutableRawPointer?>.size : 0)
        guard let slot = sqlite3_aggregate_context(context, size) else { return nil }
        let pointer = slot.assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
        if let existing = pointer.pointee { return Unmanaged<Accumulator>.fromOpaque(existing).takeUnretainedValue() }
        guard create else { return nil }
        let fresh = Accumulator()
        pointer.pointee = Unmanaged.passRetained(fresh).toOpaque()
        return fresh
    }

    static let sumStep: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = {
        context, _, arguments in
        guard let arguments, let state = accumulator(context, create: true), !state.failed else { return }
        if !add(arguments[0], to: &state.dense) { state.failed = true }
    }

    static let sumFinal: @convention(c) (OpaquePointer?) -> Void = { context in
        guard let slot = sqlite3_aggregate_context(context, 0) else {
            setResult(context, LengthHistogram(), as: .json)
            return
        }
        let pointer = slot.assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
        guard let raw = pointer.pointee else {
            setResult(context, LengthHistogram(), as: .json)
            return
        }
        let state = Unmanaged<Accumulator>.fromOpaque(raw).takeRetainedValue()
        pointer.pointee = nil
        if state.failed {
            sqlite3_result_error(context, "phasecast_hist_sum: a value is not a length histogram", -1)
        } else {
            setResult(context, LengthHistogram(dense: state.dense), as: .json)
        }
    }
}
