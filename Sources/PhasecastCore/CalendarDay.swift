/// Calendar dates written `YYYY-MM-DD`, the one parser of day text in phasecast.
public enum CalendarDay {
    /// Days since 1970-01-01 of a date `YYYY-MM-DD` (a real date: no 2026-02-30), or nil.
    public static func parse(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for byte in bytes[range] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            (1...12).contains(month), day >= 1, day <= UTCTime.daysInMonth(year: year, month: month)
        else { return nil }
        return UTCTime.daysFromCivil(year: year, month: month, day: day)
    }

    /// The text `YYYY-MM-DD` of a day number (days since 1970-01-01).
    public static func format(_ day: Int64) -> String {
        UTCTime.isoDate(micros: day * UTCTime.microsPerDay)
    }

    /// A duration in days written `90d`, `13w` or `90`; nil when it is none or not positive.
    public static func duration(_ text: String) -> Int? {
        let lower = text.lowercased().trimmingSpaces()
        if lower.hasSuffix("d"), let n = Int(lower.dropLast()), n > 0 { return n }
        if lower.hasSuffix("w"), let n = Int(lower.dropLast()), n > 0, n <= Int.max / 7 { return n * 7 }
        if let n = Int(lower), n > 0 { return n }
        return nil
    }

    /// A duration in seconds written `36h`, `2d`, `1w`, `90m` or `600s`; nil when it is none or
    /// not positive.
    public static func seconds(_ text: String) -> Int? {
        let lower = text.lowercased().trimmingSpaces()
        let units: [(suffix: String, seconds: Int)] = [("s", 1), ("m", 60), ("h", 3600), ("d", 86_400), ("w", 604_800)]
        for unit in units where lower.hasSuffix(unit.suffix) {
            guard let n = Int(lower.dropLast()), n > 0, n <= Int.max / unit.seconds else { return nil }
            return n * unit.seconds
        }
        return nil
    }

    /// Seconds as a short duration: `36 h`, `3.2 days`, `2.1 years`.
    public static func describe(seconds: Double) -> String {
        let hours = seconds / 3600
        if hours < 48 { return hours < 1 ? String(format: "%.0f min", seconds / 60) : String(format: "%.0f h", hours) }
        let days = hours / 24
        if days < 730 { return String(format: "%.1f days", days) }
        return String(format: "%.1f years", days / 365.25)
    }

    /// A duration in whole minutes written `180s`, `3m` or `180` (seconds); nil when it is none,
    /// not a whole number of minutes, or not positive.
    public static func wholeMinutes(_ text: String) -> Int? {
        let lower = text.lowercased().trimmingSpaces()
        var seconds: Int?
        if lower.hasSuffix("s") {
            seconds = Int(lower.dropLast())
        } else if lower.hasSuffix("m") {
            seconds = Int(lower.dropLast()).flatMap { $0 <= Int.max / 60 ? $0 * 60 : nil }
        } else {
            seconds = Int(lower)
        }
        guard let seconds, seconds > 0, seconds % 60 == 0 else { return nil }
        return seconds / 60
    }
}
