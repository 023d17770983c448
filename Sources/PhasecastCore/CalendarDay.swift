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
