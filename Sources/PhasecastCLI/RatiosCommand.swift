import ArgumentParser
import Foundation
import PhasecastCore
import Reporting
import Stages
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
            before it (28 days, 7 days of hours, or 8 weeks): 'decode-heavier' below, 'prefill-heavier' above; \
            the flag of a period depends only on the periods before it, whatever --from shows, and periods the \
            logs cover only in part are neither flagged nor in a band. The trend uses whole days only, up to --to. \
            Reads the marts that `phasecast transform` builds.

            Examples:
              phasecast ratios --db fleet.db --from 2026-11-01
              phasecast ratios --db fleet.db --by week --model chat-70b --format csv > weekly.csv
              phasecast ratios --db fleet.db --format json | jq '.rows[] | select(.shift != null)'
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
            if let value, CalendarDay.parse(value) == nil {
                throw ValidationError("\(name) must be a date YYYY-MM-DD (got '\(value)')")
            }
        }
    }

    func run() throws {
        guard FileManager.default.fileExists(atPath: db) else {
            throw fail(CommandError(message: "\(db): no such database; run phasecast ingest first", status: .noInput))
        }
        let output: RatioTable.Output
        do {
            let connection = try Connection(path: db, readOnly: true)
            connection.setBusyTimeout(milliseconds: 10_000)
            output = try RatioTable.read(connection, model: model, from: from, to: to, by: by.rawValue)
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

    static func number(_ value: Double?, _ digits: Int = 2) -> String {
        guard let value, value.isFinite else { return "–" }
        return String(format: "%.\(digits)f", value)
    }

    static func markdown(_ output: RatioTable.Output) -> String {
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

    static func csv(_ output: RatioTable.Output) -> String {
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

    static func trendLines(_ output: RatioTable.Output) -> [String] {
        var lines: [String] = []
        for (label, trend) in [("token ratio", output.tokenRatioTrend), ("GPU-time ratio", output.gpuTimeRatioTrend)] {
            guard let trend else {
                lines.append("\(label): not enough days for a trend")
                continue
            }
            let direction =
                trend.change < -0.05 ? "turning decode-heavy" : trend.change > 0.05 ? "turning prefill-heavy" : "steady"
            // One rate, two spans: the week's change compounds the fitted daily change, as the
            // whole span's does.
            let weekly = pow(1 + trend.changePerPeriod, 7) - 1
            lines.append(
                "\(label) trend over the last \(trend.points) whole days: \(number(trend.start)) → \(number(trend.end)) "
                    + "(\(String(format: "%+.0f", trend.change * 100)) % in all, \(String(format: "%+.1f", weekly * 100)) % a week): \(direction)"
            )
        }
        if let last = output.rows.last(where: { $0.flag != nil }), let flag = last.flag {
            lines.append("last shift: \(last.period) is \(flag) than the band of the \(output.by)s before it")
        }
        return lines
    }
}
