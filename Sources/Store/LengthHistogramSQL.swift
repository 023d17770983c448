import CSQLite
import PhasecastCore

/// SQL functions over the JSON length histograms, registered on every connection phasecast opens:
///
/// - `phasecast_hist_merge(a, b)`: the sum of two histograms (NULL counts as empty);
/// - `phasecast_hist_sum(h)`: aggregate, the sum of a column of histograms;
/// - `phasecast_hist_quantile(h, q)`: the length below which a fraction q of the counts fall;
/// - `phasecast_hist_scale(h, n)`: every count of h multiplied by the integer n (sampled logs).
///
/// Plain `sqlite3` does not have them; the stored JSON stays readable there with `json_each`.
enum LengthHistogramSQL {
    static func register(on connection: Connection) throws(SQLiteError) {
        let flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC
        var code = sqlite3_create_function_v2(
            connection.handle, "phasecast_hist_merge", 2, flags, nil, mergeFunction, nil, nil, nil)
        guard code == SQLITE_OK else { throw connection.error(code, sql: nil) }
        code = sqlite3_create_function_v2(
            connection.handle, "phasecast_hist_sum", 1, flags, nil, nil, sumStep, sumFinal, nil)
        guard code == SQLITE_OK else { throw connection.error(code, sql: nil) }
        code = sqlite3_create_function_v2(
            connection.handle, "phasecast_hist_quantile", 2, flags, nil, quantileFunction, nil, nil, nil)
        guard code == SQLITE_OK else { throw connection.error(code, sql: nil) }
        code = sqlite3_create_function_v2(
            connection.handle, "phasecast_hist_scale", 2, flags, nil, scaleFunction, nil, nil, nil)
        guard code == SQLITE_OK else { throw connection.error(code, sql: nil) }
    }

    /// The histogram in an argument; empty for NULL, nil when the text is not a histogram.
    static func histogram(_ value: OpaquePointer?) -> LengthHistogram? {
        var dense = [Int64](repeating: 0, count: LengthHistogram.bucketCount)
        guard add(value, to: &dense) else { return nil }
        return LengthHistogram(dense: dense)
    }

    /// Adds the counts of the histogram in an argument to `dense`, read in place from SQLite's
    /// text (no copy); NULL adds nothing; false when the text is not a histogram.
    static func add(_ value: OpaquePointer?, to dense: inout [Int64]) -> Bool {
        guard sqlite3_value_type(value) != SQLITE_NULL, let text = sqlite3_value_text(value) else { return true }
        let length = Int(sqlite3_value_bytes(value))
        return LengthHistogram.addCounts(ofJSON: UnsafeBufferPointer(start: text, count: length), to: &dense)
    }

    static func setResult(_ context: OpaquePointer?, _ histogram: LengthHistogram) {
        sqlite3_result_text(context, histogram.json, -1, phasecast_sqlite_transient())
    }

    static let mergeFunction: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = {
        context, _, arguments in
        var dense = [Int64](repeating: 0, count: LengthHistogram.bucketCount)
        guard let arguments, add(arguments[0], to: &dense), add(arguments[1], to: &dense) else {
            sqlite3_result_error(context, "phasecast_hist_merge: argument is not a length histogram", -1)
            return
        }
        sqlite3_result_text(context, LengthHistogram.json(denseCounts: dense), -1, phasecast_sqlite_transient())
    }

    static let quantileFunction: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void =
        {
            context, _, arguments in
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

    static let scaleFunction: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = {
        context, _, arguments in
        guard let arguments, let histogram = histogram(arguments[0]) else {
            sqlite3_result_error(context, "phasecast_hist_scale: argument is not a length histogram", -1)
            return
        }
        setResult(context, histogram.scaled(by: sqlite3_value_int64(arguments[1])))
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
            setResult(context, LengthHistogram())
            return
        }
        let pointer = slot.assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
        guard let raw = pointer.pointee else {
            setResult(context, LengthHistogram())
            return
        }
        let state = Unmanaged<Accumulator>.fromOpaque(raw).takeRetainedValue()
        pointer.pointee = nil
        if state.failed {
            sqlite3_result_error(context, "phasecast_hist_sum: a value is not a length histogram", -1)
        } else {
            sqlite3_result_text(
                context, LengthHistogram.json(denseCounts: state.dense), -1, phasecast_sqlite_transient())
        }
    }
}
