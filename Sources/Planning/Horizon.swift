import Foundation
import PhasecastCore

/// A planning horizon: the days after the cutoff whose demand the plan must cover.
public struct Horizon: Sendable, Equatable, Codable {
    /// As written in the pipeline file: `30d`, `quarter`, `next-quarter`.
    public var key: String
    /// As shown in reports: "next 30 days", "by 31 Dec 2026".
    public var label: String
    /// Days since the epoch: the first and last day covered.
    public var firstDay: Int64
    public var lastDay: Int64
    /// True when the forecast ends before the horizon does and the horizon was cut to it.
    public var truncated: Bool

    /// Resolves `key` after `cutoffDay`, cut to `forecastLastDay`. Nil for an unknown key.
    public static func resolve(_ key: String, cutoffDay: Int64, forecastLastDay: Int64) -> Horizon? {
        let first = cutoffDay + 1
        var last: Int64
        var label: String
        switch key {
        case "quarter", "next-quarter":
            let end = quarterEnd(containing: first, skipping: key == "quarter" ? 0 : 1)
            last = end
            label = "by " + shortDate(end)
        default:
            guard let days = days(key) else { return nil }
            last = cutoffDay + Int64(days)
            label = "next \(days) days"
        }
        let truncated = last > forecastLastDay
        if truncated { last = forecastLastDay }
        guard last >= first else { return nil }
        return Horizon(key: key, label: label, firstDay: first, lastDay: last, truncated: truncated)
    }

    static func days(_ text: String) -> Int? {
        let lower = text.lowercased()
        if lower.hasSuffix("d"), let n = Int(lower.dropLast()), n > 0 { return n }
        if lower.hasSuffix("w"), let n = Int(lower.dropLast()), n > 0 { return 7 * n }
        return Int(lower).flatMap { $0 > 0 ? $0 : nil }
    }

    /// The last day of the quarter holding `day`, or of a later one.
    public static func quarterEnd(containing day: Int64, skipping quarters: Int) -> Int64 {
        let (year, month, _) = civil(day)
        var endMonth = ((month - 1) / 3) * 3 + 3 + 3 * quarters
        var endYear = year
        while endMonth > 12 {
            endMonth -= 12
            endYear += 1
        }
        // The day before the first of the following month.
        let nextMonth = endMonth == 12 ? 1 : endMonth + 1
        let nextYear = endMonth == 12 ? endYear + 1 : endYear
        return daysFromCivil(nextYear, nextMonth, 1) - 1
    }

    /// "31 Dec 2026".
    public static func shortDate(_ day: Int64) -> String {
        let (year, month, dayOfMonth) = civil(day)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return "\(dayOfMonth) \(months[month - 1]) \(year)"
    }

    /// "2026-12-31".
    public static func isoDate(_ day: Int64) -> String {
        let (year, month, dayOfMonth) = civil(day)
        return String(format: "%04d-%02d-%02d", year, month, dayOfMonth)
    }

    /// Year, month and day of a day since the epoch.
    public static func civil(_ day: Int64) -> (Int, Int, Int) {
        let date = UTCTime.civilFromDays(day)
        return (Int(date.year), Int(date.month), Int(date.day))
    }

    /// Days since the epoch of a civil date.
    public static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int64 {
        UTCTime.daysFromCivil(year: Int64(year), month: Int64(month), day: Int64(day))
    }
}
