import PhasecastCore

/// Units of numeric timestamps (epoch or relative offsets).
public enum TimeUnit: String, Sendable, CaseIterable {
    case seconds = "s"
    case milliseconds = "ms"
    case microseconds = "us"
    /// Nanoseconds (OpenTelemetry's `startTimeUnixNano`); below a microsecond is dropped.
    case nanoseconds = "ns"
    /// Chosen per value by magnitude (for absolute epoch values only).
    case auto

    /// Decimal digits that scale this unit to microseconds.
    var scaleDigits: Int {
        switch self {
        case .seconds, .auto: 6
        case .milliseconds: 3
        case .microseconds: 0
        case .nanoseconds: -3
        }
    }
}

/// Byte-level timestamp parsing into UTC microseconds.
public enum TimestampParsing {
    /// Earliest absolute instant accepted: 1990-01-01T00:00:00Z.
    public static let earliestMicros: Int64 = 631_152_000 * UTCTime.microsPerSecond
    /// Latest absolute instant accepted: 2100-01-01T00:00:00Z.
    public static let latestMicros: Int64 = 4_102_444_800 * UTCTime.microsPerSecond

    /// Parses ISO 8601 / RFC 3339 text: `YYYY-MM-DD[T ]HH:MM[:SS[.f…]]` followed by nothing
    /// (taken as UTC), `Z`, ` UTC`, `±HH:MM`, `±HHMM` or `±HH`. Returns nil when malformed.
    public static func iso8601(_ raw: UnsafeRawBufferPointer) -> Int64? {
        let b = ByteParsing.trimmed(raw)
        guard let minute = isoMinute(b), let rest = isoAfterMinute(b) else { return nil }
        return minute + rest
    }

    @inline(__always)
    static func digits(_ b: UnsafeRawBufferPointer, _ at: Int, _ count: Int) -> Int64? {
        var value: Int64 = 0
        for k in at..<(at + count) {
            let d = b[k] &- 48
            if d > 9 { return nil }
            value = value * 10 + Int64(d)
        }
        return value
    }

    /// The instant of the first 16 bytes, `YYYY-MM-DD HH:MM` (with `T` or a space), in UTC µs.
    @inline(__always)
    static func isoMinute(_ b: UnsafeRawBufferPointer) -> Int64? {
        guard b.count >= 16, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
            b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: " ") || b[10] == UInt8(ascii: "t"),
            b[13] == UInt8(ascii: ":"),
            let year = digits(b, 0, 4), let month = digits(b, 5, 2), let day = digits(b, 8, 2),
            let hour = digits(b, 11, 2), let minute = digits(b, 14, 2)
        else { return nil }
        guard month >= 1, month <= 12, day >= 1, day <= UTCTime.daysInMonth(year: year, month: month),
            hour <= 23, minute <= 59
        else { return nil }
        let days = UTCTime.daysFromCivil(year: year, month: month, day: day)
        return ((days * 24 + hour) * 60 + minute) * 60 * UTCTime.microsPerSecond
    }

    /// What follows the minute, from byte 16: `[:SS[.f…]]` and the zone, as µs to add.
    @inline(__always)
    static func isoAfterMinute(_ b: UnsafeRawBufferPointer) -> Int64? {
        let n = b.count
        var i = 16
        var second: Int64 = 0
        var fraction: Int64 = 0
        if i < n && b[i] == UInt8(ascii: ":") {
            guard i + 3 <= n, let s = digits(b, i + 1, 2), s <= 60 else { return nil }
            second = min(s, 59)  // a leap second is folded into the one before it
            i += 3
            if i < n && (b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",")) {
                i += 1
                var scale: Int64 = 100_000
                let start = i
                while i < n, b[i] &- 48 <= 9 {
                    fraction += Int64(b[i] &- 48) * scale
                    scale /= 10
                    i += 1
                }
                if i == start { return nil }
            }
        }
        var offsetMinutes: Int64 = 0
        if i < n {
            let c = b[i]
            if c == UInt8(ascii: "Z") || c == UInt8(ascii: "z") {
                i += 1
            } else if c == UInt8(ascii: " ") && n - i == 4 && b[i + 1] == UInt8(ascii: "U")
                && b[i + 2] == UInt8(ascii: "T") && b[i + 3] == UInt8(ascii: "C")
            {
                i = n
            } else if c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
                let sign: Int64 = c == UInt8(ascii: "-") ? -1 : 1
                guard i + 3 <= n, let oh = digits(b, i + 1, 2) else { return nil }
                i += 3
                var om: Int64 = 0
                if i < n && b[i] == UInt8(ascii: ":") {
                    guard i + 3 <= n, let m = digits(b, i + 1, 2) else { return nil }
                    om = m
                    i += 3
                } else if i + 2 <= n, let m = digits(b, i, 2) {
                    om = m
                    i += 2
                }
                guard oh <= 23, om <= 59 else { return nil }
                offsetMinutes = sign * (oh * 60 + om)
            } else {
                return nil
            }
        }
        guard i == n else { return nil }
        return (second - offsetMinutes * 60) * UTCTime.microsPerSecond + fraction
    }

    /// The unit an absolute epoch number is most likely in, judged by its magnitude
    /// (seconds until year 5138, then milliseconds, microseconds, nanoseconds).
    static func likelyEpochUnitDigits(wholePart: Int64) -> Int {
        let magnitude = abs(wholePart)
        if magnitude < 100_000_000_000 { return 6 }  // seconds
        if magnitude < 100_000_000_000_000 { return 3 }  // milliseconds
        if magnitude < 100_000_000_000_000_000 { return 0 }  // microseconds
        return -3  // nanoseconds
    }

    /// Outcome of reading an absolute epoch timestamp.
    public enum Epoch: Equatable, Sendable {
        case micros(Int64)
        case malformed
        /// A number outside 1990–2100 in the stated unit; `hint` names the unit it fits.
        case implausible(hint: String?)
    }

    /// Reads an absolute epoch number (`1700158546`, `1700158546.25`, `1.7e9`) in `unit`.
    public static func epoch(_ raw: UnsafeRawBufferPointer, unit: TimeUnit) -> Epoch {
        // The common case: ten digits of whole seconds.
        if unit == .seconds && raw.count == 10, let seconds = ByteParsing.plainDigits(raw) {
            let micros = seconds * UTCTime.microsPerSecond
            if micros >= earliestMicros && micros < latestMicros { return .micros(micros) }
        }
        var scaleDigits = unit.scaleDigits
        if unit == .auto {
            guard let whole = ByteParsing.scaledDecimal(raw, scaleDigits: 0) else { return .malformed }
            scaleDigits = likelyEpochUnitDigits(wholePart: whole)
        }
        let value: Int64?
        if scaleDigits >= 0 {
            value = ByteParsing.scaledDecimal(raw, scaleDigits: scaleDigits)
        } else {
            value = ByteParsing.scaledDecimal(raw, scaleDigits: 0).map { $0 / 1000 }
        }
        guard let micros = value else {
            return ByteParsing.scaledDecimal(raw, scaleDigits: 0) == nil
                ? .malformed : .implausible(hint: nil)
        }
        if micros >= earliestMicros && micros < latestMicros { return .micros(micros) }
        // Say which unit would have made sense, if any.
        guard let whole = ByteParsing.scaledDecimal(raw, scaleDigits: 0) else { return .implausible(hint: nil) }
        let fittingDigits = likelyEpochUnitDigits(wholePart: whole)
        let fittingMicros: Int64
        let fittingName: String
        switch fittingDigits {
        case 6:
            (fittingMicros, fittingName) = (whole.multipliedReportingOverflow(by: 1_000_000).partialValue, "seconds")
        case 3:
            (fittingMicros, fittingName) = (whole.multipliedReportingOverflow(by: 1000).partialValue, "milliseconds")
        case 0: (fittingMicros, fittingName) = (whole, "microseconds")
        default: (fittingMicros, fittingName) = (whole / 1000, "nanoseconds")
        }
        let fits = fittingMicros >= earliestMicros && fittingMicros < latestMicros
        return .implausible(hint: fits ? fittingName : nil)
    }

    /// Reads an offset from the start of a trace (`82`, `3.5`, `"82"`) in `unit` as microseconds;
    /// nil when malformed or negative.
    public static func relativeOffset(_ raw: UnsafeRawBufferPointer, unit: TimeUnit) -> Int64? {
        let scaled =
            unit.scaleDigits >= 0
            ? ByteParsing.scaledDecimal(raw, scaleDigits: unit.scaleDigits)
            : ByteParsing.scaledDecimal(raw, scaleDigits: 0).map { $0 / 1000 }
        guard let value = scaled, value >= 0 else {
            return nil
        }
        return value
    }
}

/// Reads ISO 8601 timestamps of a file, remembering the minute of the last one: log lines come
/// in time order, so most share the date, hour and minute of the line before and only the
/// seconds need reading.
public struct ISOTimestampReader: Sendable {
    private var cachedPrefix: (UInt64, UInt64) = (0, 0)
    private var cachedMinute: Int64?

    public init() {}

    /// The instant of `raw`, or nil when it is not ISO 8601.
    @inline(__always)
    public mutating func read(_ raw: UnsafeRawBufferPointer) -> Int64? {
        var b = raw
        if b.count > 0 && (b[0] == 0x20 || b[b.count - 1] == 0x20 || b[0] == 0x09 || b[b.count - 1] == 0x09) {
            b = ByteParsing.trimmed(b)
        }
        guard b.count >= 16, let base = b.baseAddress else { return nil }
        let prefix = (base.loadUnaligned(as: UInt64.self), base.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        let minute: Int64
        if let cachedMinute, prefix == cachedPrefix {
            minute = cachedMinute
        } else {
            guard let fresh = TimestampParsing.isoMinute(b) else { return nil }
            minute = fresh
            cachedPrefix = prefix
            cachedMinute = fresh
        }
        guard let rest = TimestampParsing.isoAfterMinute(b) else { return nil }
        return minute + rest
    }
}
