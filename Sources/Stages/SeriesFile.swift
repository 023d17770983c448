import Extract
import Forecasting
import Foundation
import LogFormats
import PhasecastCore

/// Series read from a CSV (plain or gzipped) of `unique_id, ds, y` (many series, any order), with missing periods
/// filled by linear interpolation.
public struct SeriesFile: Sendable {
    public struct Series: Sendable {
        public var id: String
        /// Period starts, UTC µs, one per period without gaps.
        public var stamps: [Int64]
        public var values: [Double]
        /// Periods that were missing and were interpolated.
        public var filled: Int
    }

    public var series: [Series]

    /// Reads a series file; errors name the file and line.
    public static func read(path: String, frequency: Frequency) throws -> SeriesFile {
        let text = try readText(path)
        let table: CSVTable
        do {
            table = try CSVTable(text: text)
        } catch {
            throw SeriesFileError(path: path, reason: error.description)
        }
        for column in ["unique_id", "ds", "y"] where table.column(column) == nil {
            throw SeriesFileError(path: path, reason: "no column \(column) (expected unique_id, ds, y)")
        }
        var byID: [String: [(Int64, Double)]] = [:]
        var order: [String] = []
        for row in table.rows.indices {
            let id = table.cell(row, "unique_id")
            let stampText = table.cell(row, "ds")
            guard let stamp = Self.parseStamp(stampText) else {
                throw SeriesFileError(
                    path: path, reason: "line \(table.lines[row]): ds '\(stampText)' is not a date or time")
            }
            guard let value = Double(table.cell(row, "y")), value.isFinite else {
                throw SeriesFileError(
                    path: path, reason: "line \(table.lines[row]): y '\(table.cell(row, "y"))' is not a number")
            }
            if byID[id] == nil { order.append(id) }
            byID[id, default: []].append((stamp, value))
        }
        let step = frequency == .daily ? UTCTime.microsPerDay : UTCTime.microsPerHour
        var series: [Series] = []
        for id in order {
            let points = (byID[id] ?? []).sorted { $0.0 < $1.0 }
            var stamps: [Int64] = []
            var values: [Double] = []
            var filled = 0
            for (stamp, value) in points {
                if let last = stamps.last {
                    guard stamp != last else {
                        throw SeriesFileError(
                            path: path, reason: "series \(id) has two rows for \(UTCTime.iso8601(micros: stamp))")
                    }
                    let gap = Int((stamp - last) / step)
                    if gap > 1, let previous = values.last {
                        for k in 1..<gap {
                            stamps.append(last + Int64(k) * step)
                            values.append(previous + (value - previous) * Double(k) / Double(gap))
                        }
                        filled += gap - 1
                    }
                }
                stamps.append(stamp)
                values.append(value)
            }
            series.append(Series(id: id, stamps: stamps, values: values, filled: filled))
        }
        return SeriesFile(series: series)
    }

    /// The whole file as text, gunzipped when it is gzip (by its magic bytes), `-` for stdin.
    public static func readText(_ path: String) throws -> String {
        let source = path == "-" ? ByteSource(standardInputNamed: "stdin") : try ByteSource(path: path)
        return String(decoding: try DecompressingReader(source: source).readAll(), as: UTF8.self)
    }

    /// `2024-01-01`, `2024-01-01 05:00:00`, `2024-01-01T05:00:00Z`, …
    public static func parseStamp(_ text: String) -> Int64? {
        let candidate = text.trimmingSpaces()
        if let day = CalendarDay.parse(candidate) { return day * UTCTime.microsPerDay }
        var copy = candidate
        return copy.withUTF8 { TimestampParsing.iso8601(UnsafeRawBufferPointer($0)) }
    }

    /// How a period start is written: a date for daily series, a date and time for hourly ones.
    public static func format(_ micros: Int64, _ frequency: Frequency) -> String {
        switch frequency {
        case .daily: return UTCTime.isoDate(micros: micros)
        case .hourly:
            let text = UTCTime.iso8601(micros: micros)  // 2024-01-01T05:00:00Z
            return String(text.prefix(10)) + " " + String(text.dropFirst(11).prefix(8))
        }
    }
}

/// A file of event dates (holidays, launches): one `YYYY-MM-DD` a line, optionally a header and
/// more columns after the date.
public enum EventDates {
    /// Days since the epoch of the file's dates.
    public static func read(path: String) throws -> Set<Int64> {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw SeriesFileError(path: path, reason: "cannot read the events file", status: .noInput)
        }
        var days = Set<Int64>()
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let value =
                line.split(separator: ",").first.map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) }
                ?? ""
            if value.isEmpty || value.lowercased() == "date" || value.lowercased() == "ds" || value.hasPrefix("#") {
                continue
            }
            guard let micros = SeriesFile.parseStamp(value) else {
                throw SeriesFileError(path: path, reason: "line \(index + 1): '\(value)' is not a date")
            }
            days.insert(UTCTime.floorDiv(micros, UTCTime.microsPerDay))
        }
        return days
    }
}

/// A series or events file that cannot be read: the file, where in it and why.
public struct SeriesFileError: PhasecastError {
    public var path: String
    public var reason: String
    public var status: ExitStatus = .dataError

    public var description: String { "\(path): \(reason)" }
    public var exitStatus: ExitStatus { status }
}
