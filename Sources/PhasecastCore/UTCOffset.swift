/// An offset from UTC where days begin, in minutes east of UTC.
public enum UTCOffset {
    /// Reads `+08:00`, `-05:30`, `+0800`, `UTC`, `Z` or a number of minutes; nil when it is none.
    public static func parse(_ text: String) -> Int? {
        let trimmed = text.trimmingSpaces()
        if ["utc", "z", "0", "+00:00", "-00:00"].contains(trimmed.lowercased()) { return 0 }
        let signed = trimmed.first == "+" || trimmed.first == "-"
        let digits = String(trimmed.dropFirst().filter { $0 != ":" })
        // A signed four-digit offset is hours and minutes (`+0800`); another whole number is minutes.
        if !(signed && digits.count == 4), let minutes = Int(trimmed), abs(minutes) <= 14 * 60 { return minutes }
        guard let sign = trimmed.first, signed else { return nil }
        guard digits.count == 4 || digits.count == 2, digits.allSatisfy(\.isASCII), let value = Int(digits) else {
            return nil
        }
        let hours = digits.count == 4 ? value / 100 : value
        let minutes = digits.count == 4 ? value % 100 : 0
        guard hours <= 14, minutes < 60 else { return nil }
        return (sign == "-" ? -1 : 1) * (hours * 60 + minutes)
    }
}
