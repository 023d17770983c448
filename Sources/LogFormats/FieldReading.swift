import PhasecastCore

/// Reads typed fields and words the reasons for rejecting them, shared by every format.
///
/// Each reader returns nil on failure and sets `reason`; strings are built only then.
public enum FieldReading {
    /// A token count, or nil with a reason naming `label`.
    @inlinable
    public static func count(
        _ raw: UnsafeRawBufferPointer, _ label: StaticString, reason: inout String?
    )
        -> Int64?
    {
        switch ByteParsing.tokenCount(raw) {
        case .value(let value): return value
        case .empty: reason = "\(label) is empty"
        case .notANumber: reason = "\(label) \(ByteParsing.display(raw)) is not a whole number"
        case .negative: reason = "\(label) \(ByteParsing.display(raw)) is negative"
        case .tooLarge:
            reason = "\(label) \(ByteParsing.display(raw)) is too large (limit \(ByteParsing.maxTokenCount))"
        }
        return nil
    }

    /// An ISO 8601 instant within 1990–2100, or nil with a reason.
    @inlinable
    public static func isoInstant(_ raw: UnsafeRawBufferPointer, reason: inout String?) -> Int64? {
        var reader = ISOTimestampReader()
        return isoInstant(raw, reader: &reader, reason: &reason)
    }

    /// An ISO 8601 instant within 1990–2100 read with a reader that remembers the last minute,
    /// or nil with a reason.
    @inlinable
    public static func isoInstant(
        _ raw: UnsafeRawBufferPointer, reader: inout ISOTimestampReader, reason: inout String?
    )
        -> Int64?
    {
        guard let micros = reader.read(raw) else {
            reason = "timestamp \(ByteParsing.display(raw)) is not ISO 8601 (YYYY-MM-DD HH:MM:SS[.f][Z|±HH:MM])"
            return nil
        }
        return plausible(micros, raw, reason: &reason)
    }

    /// An epoch number in `unit` within 1990–2100, or nil with a reason that suggests the unit
    /// the number fits when it is off by a factor of 1000.
    public static func epochInstant(
        _ raw: UnsafeRawBufferPointer, unit: TimeUnit, reason: inout String?
    ) -> Int64? {
        switch TimestampParsing.epoch(raw, unit: unit) {
        case .micros(let micros): return micros
        case .malformed:
            reason = "timestamp \(ByteParsing.display(raw)) is not a number"
        case .implausible(let hint):
            let unitName = unit == .auto ? "" : " in \(unitName(unit))"
            let suggestion = hint.map { "; it looks like \($0)" } ?? ""
            reason = "timestamp \(ByteParsing.display(raw)) is outside 1990–2100\(unitName)\(suggestion)"
        }
        return nil
    }

    /// A timestamp that is either ISO 8601 text or an epoch number (unit judged by magnitude).
    public static func anyInstant(_ value: JSONValue, reason: inout String?) -> Int64? {
        if value.kind == .number { return epochInstant(value.bytes, unit: .auto, reason: &reason) }
        if value.kind == .string {
            if let micros = TimestampParsing.iso8601(value.bytes) {
                return plausible(micros, value.bytes, reason: &reason)
            }
            if ByteParsing.scaledDecimal(value.bytes, scaleDigits: 0) != nil {
                return epochInstant(value.bytes, unit: .auto, reason: &reason)
            }
            return isoInstant(value.bytes, reason: &reason)
        }
        reason = "timestamp is \(value.kind == .null ? "null" : "not a string or number")"
        return nil
    }

    /// An offset from the start of a trace added to `start`, or nil with a reason.
    public static func relativeInstant(
        _ raw: UnsafeRawBufferPointer, unit: TimeUnit, start: Int64, reason: inout String?
    ) -> Int64? {
        guard let offset = TimestampParsing.relativeOffset(raw, unit: unit) else {
            reason = "timestamp \(ByteParsing.display(raw)) is not a non-negative number of \(unitName(unit))"
            return nil
        }
        let (micros, overflow) = start.addingReportingOverflow(offset)
        guard !overflow else {
            reason = "timestamp \(ByteParsing.display(raw)) is too far from --start"
            return nil
        }
        return plausible(micros, raw, reason: &reason)
    }

    @usableFromInline
    static func plausible(_ micros: Int64, _ raw: UnsafeRawBufferPointer, reason: inout String?) -> Int64? {
        guard micros >= TimestampParsing.earliestMicros && micros < TimestampParsing.latestMicros else {
            reason = "timestamp \(ByteParsing.display(raw)) is outside 1990–2100"
            return nil
        }
        return micros
    }

    /// Checks that cached tokens do not exceed prompt tokens.
    @inlinable
    public static func checkCached(_ cached: Int64, prompt: Int64, reason: inout String?) -> Bool {
        guard cached <= prompt else {
            reason = "cached tokens (\(cached)) exceed prompt tokens (\(prompt))"
            return false
        }
        return true
    }

    static func unitName(_ unit: TimeUnit) -> String {
        switch unit {
        case .seconds, .auto: "seconds"
        case .milliseconds: "milliseconds"
        case .microseconds: "microseconds"
        case .nanoseconds: "nanoseconds"
        }
    }
}
