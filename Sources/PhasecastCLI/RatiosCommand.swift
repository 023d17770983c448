import ArgumentParser
import Foundation
import PhasecastCore
import Reporting
import Store

/// `phasecast ratios`: the prefill:decode ratio by hour, day or week, with its trend and the
/// periods where it left its band.
struct RatiosCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ratios",
        abstract: "Show the prefill:decode ratio by hour, day or week, its trend, and where it shifted.",
        discussion: """
            token ratio = prefill (uncached prompt) tokens ÷ output tokens; GPU-time ratio = prefill GPU-hours ÷ \
            decode GPU-hours under each model's deployment profile. The trend is a log-linear fit over the last \
            28 days. A period is flagged when its ratio leaves the band (median ± 3 scaled MADs) of the periods \
            before it (28 days, 7 days of hours, or 8 weeks): 'decode-heavier' below, 'prefill-heavier' above. \
            Reads the marts that `phasecast transform` builds.
            """)

    enum Granularity: String, ExpressibleByArgument, CaseIterable {
        case hour, day, week
    }

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case md, csv, json
    }

    @Option(help: ArgumentHelp("SQLite database.", valueName: "path"))
    var db: String = ProcessInfo.processInfo.environment["PHASECAST_DB"] ?? "phasecast.db"

    @Option(help: ArgumentHelp("First day shown (YYYY-MM-DD).", valueName: "date"))
    var from: String?

    @Option(help: ArgumentHelp("Last day shown (YYYY-MM-DD).", valueName: "date"))
    var to: String?

    @Option(help: ArgumentHelp("A model name as in the logs, or all.", valueName: "name"))
    var model: String = "all"

    @Option(help: "Period: hour, day or week.")
    var by: Granularity = .day

    @Option(help: "Output: md, csv or json.")
    var format: Format = .md

    func validate() throws {
        for (name, value) in [("--from", from), ("--to", to)] {
            if let value, !Self.isDate(value) {
                throw ValidationError("\(name) must be a date YYYY-MM-DD (got '\(value)')")
            }
        }
    }

    static func isDate(_ text: String) -> Bool {
        text.count == 10 && text.range(of: #"^\d{4}-\d{2}-\d{2}$"#, options: .regularExpression) != nil
    }

    /// One period of the table.
    struct Row: Codable {
        var period: String
        var coverage: Double
        var requests: Int64
        var promptTokens: Int64
        var prefillTokens: Int64
        var outputTokens: Int64
        var tokenRatio: Double?
        /// Prompt tokens, cached ones included, ÷ output tokens.
        var rawTokenRatio: Double?
        var prefillGPUHours: Double?
        var decodeGPUHours: Double?
        var gpuTimeRatio: Double?
        var flag: String?
    }

    struct Output: Codable {
        var model: String
        var by: String
        var rows: [Row]
        var tokenRatioTrend: RatioAnalysis.Trend?
        var gpuTimeRatioTrend: RatioAnalysis.Trend?
    }

    func run() throws {
        guard FileManager.default.fileExists(atPath: db) else {
            throw fail(CommandError(message: "\(db): no such database; run phasecast ingest first", status: .noInput))
        }
        let output: Output
        do {
            let connection = try Connection(path: db, readOnly: true)
            connection.setBusyTimeout(milliseconds: 10_000)
            output = try collect(connection)
        } catch {
            throw fail(error)
        }
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            Console.output(String(decoding: try encoder.encode(output), as: UTF8.self) + "\n")
        case .csv:
            Console.output(Self.csv(output))
            Console.error(Self.trendLines(output).joined(separator: "\n"))
        case .md:
            Console.output(Self.markdown(output))
        }
    }

    func collect(_ connection: Connection) throws -> Output {
        let known =
            try connection.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'v_daily_phase'")?.integer ?? 0
        guard known > 0 else {
            throw CommandError(message: "\(db) has no marts; run phasecast transform", status: .dataError)
        }
        let names = try connection.rows("SELECT DISTINCT model FROM v_daily_phase").compactMap { $0[0].text }
        guard names.contains(model) else {
            throw CommandError(
                message: "no model '\(model)' in \(db); known: \(names.sorted().joined(separator: ", "))",
                status: .usage)
        }
        var filter = "model = ?"
        var arguments: [SQLValue] = [.text(model)]
        if let from {
            filter += by == .hour ? " AND substr(hour, 1, 10) >= ?" : " AND day >= ?"
            arguments.append(.text(from))
        }
        if let to {
            filter += by == .hour ? " AND substr(hour, 1, 10) <= ?" : " AND day <= ?"
            arguments.append(.text(to))
        }
        let view = by == .hour ? "v_hourly_phase" : "v_daily_phase"
        let period = by == .hour ? "hour" : "day"
        var rows = try connection.rows(
            """
            SELECT \(period), coverage, requests, prompt_tokens, prefill_tokens, output_tokens, prefill_gpu_hours,
                decode_gpu_hours
            FROM \(view) WHERE \(filter) ORDER BY \(period)
            """, arguments
        ).map { r in
            Row(
                period: r[0].text ?? "", coverage: r[1].real ?? 0, requests: r[2].integer ?? 0,
                promptTokens: r[3].integer ?? 0, prefillTokens: r[4].integer ?? 0, outputTokens: r[5].integer ?? 0,
                tokenRatio: nil, rawTokenRatio: nil, prefillGPUHours: r[6].real, decodeGPUHours: r[7].real,
                gpuTimeRatio: nil, flag: nil)
        }
        if by == .week { rows = Self.weekly(rows) }
        for index in rows.indices {
            let row = rows[index]
            rows[index].tokenRatio = row.outputTokens > 0 ? Double(row.prefillTokens) / Double(row.outputTokens) : nil
            rows[index].rawTokenRatio = row.outputTokens > 0 ? Double(row.promptTokens) / Double(row.outputTokens) : nil
            if let p = row.prefillGPUHours, let d = row.decodeGPUHours, d > 0 { rows[index].gpuTimeRatio = p / d }
        }
        let window = by == .hour ? 168 : by == .day ? 28 : 8
        let flags = RatioAnalysis.flags(rows.map(\.tokenRatio), window: window)
        for index in rows.indices { rows[index].flag = flags[index]?.rawValue }
        // The trend is over the last 28 days of daily values, whatever the table's period.
        let daily = try connection.rows(
            "SELECT prefill_tokens, output_tokens, prefill_gpu_hours, decode_gpu_hours FROM v_daily_phase WHERE \(filter.replacingOccurrences(of: "substr(hour, 1, 10)", with: "day")) ORDER BY day",
            arguments)
        let tokenRatios = daily.map { r -> Double? in
            guard let p = r[0].real, let o = r[1].real, o > 0 else { return nil }
            return p / o
        }
        let timeRatios = daily.map { r -> Double? in
            guard let p = r[2].real, let d = r[3].real, d > 0 else { return nil }
            return p / d
        }
        return Output(
            model: model, by: by.rawValue, rows: rows,
            tokenRatioTrend: RatioAnalysis.trend(tokenRatios, window: 28),
            gpuTimeRatioTrend: RatioAnalysis.trend(timeRatios, window: 28))
    }

    /// Days summed into ISO weeks (Monday first), labelled by their Monday.
    static func weekly(_ days: [Row]) -> [Row] {
        var weeks: [Row] = []
        var currentKey: Int?
        for day in days {
            let parts = day.period.split(separator: "-").compactMap { Int64($0) }
            guard parts.count == 3 else { continue }
            let dayNumber = UTCTime.daysFromCivil(year: parts[0], month: parts[1], day: parts[2])
            let key = Int(UTCTime.floorDiv(dayNumber + 3, 7))  // 1970-01-01 was a Thursday
            let monday = Int64(key * 7 - 3)
            if currentKey != key {
                currentKey = key
                weeks.append(
                    Row(
                        period: UTCTime.isoDate(micros: monday * UTCTime.microsPerDay), coverage: 0, requests: 0,
                        promptTokens: 0, prefillTokens: 0, outputTokens: 0, tokenRatio: nil, rawTokenRatio: nil,
                        prefillGPUHours: 0, decodeGPUHours: 0, gpuTimeRatio: nil, flag: nil))
            }
            weeks[weeks.count - 1].coverage += day.coverage / 7
            weeks[weeks.count - 1].requests += day.requests
            weeks[weeks.count - 1].promptTokens += day.promptTokens
            weeks[weeks.count - 1].prefillTokens += day.prefillTokens
            weeks[weeks.count - 1].outputTokens += day.outputTokens
            weeks[weeks.count - 1].prefillGPUHours =
                (weeks[weeks.count - 1].prefillGPUHours ?? 0) + (day.prefillGPUHours ?? 0)
            weeks[weeks.count - 1].decodeGPUHours =
                (weeks[weeks.count - 1].decodeGPUHours ?? 0) + (day.decodeGPUHours ?? 0)
        }
        return weeks
    }

    static func number(_ value: Double?, _ digits: Int = 2) -> String {
        guard let value, value.isFinite else { return "–" }
        return String(format: "%.\(digits)f", value)
    }

    static func markdown(_ output: Output) -> String {
        var text =
            "| \(output.by) | coverage | requests | prefill tokens | output tokens | token ratio | raw ratio (cached incl.) | prefill GPU-h | decode GPU-h | GPU-time ratio | shift |\n"
        text += "|---|---|---|---|---|---|---|---|---|---|---|\n"
        for row in output.rows {
            text +=
                "| \(row.period) | \(number(row.coverage)) | \(row.requests) | \(row.prefillTokens) | \(row.outputTokens) | "
            text +=
                "\(number(row.tokenRatio)) | \(number(row.rawTokenRatio)) | \(number(row.prefillGPUHours, 3)) | \(number(row.decodeGPUHours, 3)) | "
            text += "\(number(row.gpuTimeRatio)) | \(row.flag ?? "") |\n"
        }
        return text + "\n" + trendLines(output).joined(separator: "\n") + "\n"
    }

    static func csv(_ output: Output) -> String {
        var text =
            "\(output.by),coverage,requests,prompt_tokens,prefill_tokens,output_tokens,token_ratio,raw_token_ratio,prefill_gpu_hours,decode_gpu_hours,gpu_time_ratio,shift\n"
        for row in output.rows {
            let cells = [
                row.period, number(row.coverage, 4), String(row.requests), String(row.promptTokens),
                String(row.prefillTokens), String(row.outputTokens), row.tokenRatio.map { String($0) } ?? "",
                row.rawTokenRatio.map { String($0) } ?? "",
                row.prefillGPUHours.map { String($0) } ?? "", row.decodeGPUHours.map { String($0) } ?? "",
                row.gpuTimeRatio.map { String($0) } ?? "", row.flag ?? "",
            ]
            text += cells.joined(separator: ",") + "\n"
        }
        return text
    }

    static func trendLines(_ output: Output) -> [String] {
        var lines: [String] = []
        for (label, trend) in [("token ratio", output.tokenRatioTrend), ("GPU-time ratio", output.gpuTimeRatioTrend)] {
            guard let trend else {
                lines.append("\(label): not enough days for a trend")
                continue
            }
            let direction =
                trend.change < -0.05 ? "turning decode-heavy" : trend.change > 0.05 ? "turning prefill-heavy" : "steady"
            lines.append(
                "\(label) trend over the last \(trend.points) days: \(number(trend.start)) → \(number(trend.end)) "
                    + "(\(String(format: "%+.0f", trend.change * 100)) %, \(String(format: "%+.1f", trend.changePerPeriod * 700)) % a week): \(direction)"
            )
        }
        if let last = output.rows.last(where: { $0.flag != nil }) {
            lines.append("last shift: \(last.period) is \(last.flag!) than the band of the \(output.by)s before it")
        }
        return lines
    }
}
