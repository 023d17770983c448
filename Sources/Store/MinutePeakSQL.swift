import CSQLite

/// Aggregates over the minutes of one hour, registered on every connection phasecast opens, so
/// that an hour's peaks come out of the same GROUP BY as its sums instead of a second grouping of
/// every minute row:
///
/// - `phasecast_minute_peak(minute, n)`: the largest per-minute sum of n, where rows of the same
///   minute (several files, several models) are added first;
/// - `phasecast_minute_count(minute)`: how many distinct minutes have rows.
///
/// Both hold one slot per minute of the hour, by `minute` modulo 60: rows of a group must lie in
/// 60 consecutive minutes (an hour, in any time zone), or minutes 60 apart share a slot.
enum MinutePeakSQL {
    /// Per-group state, kept in SQLite's zero-filled aggregate context: no allocation per group.
    struct Slots {
        var sums:
            (
                Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64,
                Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64,
                Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64,
                Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64
            )
        /// Bit i set: minute slot i has rows.
        var seen: UInt64
    }

    static func register(on connection: Connection) throws(SQLiteError) {
        let flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC
        var code = sqlite3_create_function_v2(
            connection.handle, "phasecast_minute_peak", 2, flags, nil, nil, peakStep, peakFinal, nil)
        guard code == SQLITE_OK else { throw connection.error(code, sql: nil) }
        code = sqlite3_create_function_v2(
            connection.handle, "phasecast_minute_count", 1, flags, nil, nil, countStep, countFinal, nil)
        guard code == SQLITE_OK else { throw connection.error(code, sql: nil) }
    }

    /// The group's slots; nil when SQLite could not allocate them (or, with `create` false, when
    /// the group had no rows).
    static func slots(_ context: OpaquePointer?, create: Bool) -> UnsafeMutablePointer<Slots>? {
        let size = Int32(create ? MemoryLayout<Slots>.size : 0)
        return sqlite3_aggregate_context(context, size)?.assumingMemoryBound(to: Slots.self)
    }

    /// The slot of a minute: its position in its hour, 0 ... 59, for minutes before 1970 too.
    @inline(__always)
    static func slot(of minute: Int64) -> Int { Int(((minute % 60) + 60) % 60) }

    static let peakStep: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = {
        context, _, arguments in
        guard let arguments, sqlite3_value_type(arguments[0]) != SQLITE_NULL,
            sqlite3_value_type(arguments[1]) != SQLITE_NULL
        else { return }
        guard let state = slots(context, create: true) else {
            sqlite3_result_error_nomem(context)
            return
        }
        let index = slot(of: sqlite3_value_int64(arguments[0]))
        let value = sqlite3_value_int64(arguments[1])
        state.pointee.seen |= 1 << UInt64(index)
        withUnsafeMutableBytes(of: &state.pointee.sums) { raw in
            let sums = raw.bindMemory(to: Int64.self)
            let (sum, overflow) = sums[index].addingReportingOverflow(value)
            sums[index] = overflow ? (value > 0 ? Int64.max : Int64.min) : sum
        }
    }

    static let peakFinal: @convention(c) (OpaquePointer?) -> Void = { context in
        guard let state = slots(context, create: false), state.pointee.seen != 0 else {
            sqlite3_result_null(context)
            return
        }
        var peak = Int64.min
        let seen = state.pointee.seen
        withUnsafeBytes(of: &state.pointee.sums) { raw in
            let sums = raw.bindMemory(to: Int64.self)
            for index in 0..<60 where seen & (1 << UInt64(index)) != 0 { peak = max(peak, sums[index]) }
        }
        sqlite3_result_int64(context, peak)
    }

    static let countStep: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = {
        context, _, arguments in
        guard let arguments, sqlite3_value_type(arguments[0]) != SQLITE_NULL else { return }
        guard let state = slots(context, create: true) else {
            sqlite3_result_error_nomem(context)
            return
        }
        state.pointee.seen |= 1 << UInt64(slot(of: sqlite3_value_int64(arguments[0])))
    }

    static let countFinal: @convention(c) (OpaquePointer?) -> Void = { context in
        let seen = slots(context, create: false)?.pointee.seen ?? 0
        sqlite3_result_int64(context, Int64(seen.nonzeroBitCount))
    }
}
