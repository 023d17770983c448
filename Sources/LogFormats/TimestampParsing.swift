import PhasecastCore

/// Units of numeric timestamps (epoch or relative offsets).
public enum TimeUnit: String, Sendable, CaseIterable {
    case seconds = "s"
    case milliseconds = "ms"
    case microseconds = "us"
    /// Chosen per value by magnitude (for absolute epoch values only).
    case auto

    /// Decimal digits that scale this unit to microseconds.
    var scaleDigits: Int {
        switch self {
        case .seconds, .auto: 6
        case .milliseconds: 3
        case .microseconds: 0
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
        let n = b.count
        guard n >= 16 else { return nil }
        @inline(__always) func digits(_ at: Int, _ count: Int) -> Int64? {
            var value: Int64 = 0
            for k in at..<(at + count) {
                let d = b[k] &- 48
                if d > 9 { return nil }
                value = value * 10 + Int64(d)
            }
            return value
        }
        guard b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
            b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: " ") || b[10] == UInt8(ascii: "t"),
            b[13] == UInt8(ascii: ":"),
            let year = digits(0, 4), let month = digits(5, 2), let day = digits(8, 2),
            let hour = digits(11, 2), let minute = digits(14, 2)
        else { return nil }
        guard month >= 1, month <= 12, day >= 1, day <= UTCTime.daysInMonth(year: year, month: month),
            hour <= 23, minute <= 59
        else { return nil }
        var i = 16
        var second: Int64 = 0
        var fraction: Int64 = 0
        if i < n && b[i] == UInt8(ascii: ":") {
            guard i + 3 <= n, let s = digits(i + 1, 2), s <= 60 else { return nil }
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
                guard i + 3 <= n, let oh = digits(i + 1, 2) else { return nil }
                i += 3
                var om: Int64 = 0
                if i < n && b[i] == UInt8(ascii: ":") {
                    guard i + 3 <= n, let m = digits(i + 1, 2) else { return nil }
                    om = m
                    i += 3
                } else if i + 2 <= n, let m = digits(i, 2) {
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
        let days = UTCTime.daysFromCivil(year: year, month: month, day: day)
        let seconds = ((days * 24 + hour) * 60 + minute) * 60 + second - offsetMinutes * 60
        return seconds * UTCTime.microsPerSecond + fraction
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
        case 6: (fittingMicros, fittingName) = (whole.multipliedReportingOverflow(by: 1_000_000).partialValue, "seconds")
        case 3: (fittingMicros, fittingName) = (whole.multipliedReportingOverflow(by: 1000).partialValue, "milliseconds")
        case 0: (fittingMicros, fittingName) = (whole, "microseconds")
        default: (fittingMicros, fittingName) = (whole / 1000, "nanoseconds")
        }
        let fits = fittingMicros >= earliestMicros && fittingMicros < latestMicros
        return .implausible(hint: fits ? fittingName : nil)
    }

    /// Reads an offset from the start of a trace (`82`, `3.5`, `"82"`) in `unit` as microseconds;
    /// nil when malformed or negative.
    public static func relativeOffset(_ raw: UnsafeRawBufferPointer, unit: TimeUnit) -> Int64? {
        guard let value = ByteParsing.scaledDecimal(raw, scaleDigits: unit.scaleDigits), value >= 0 else {
            return nil
        }
        return value
    }
}
