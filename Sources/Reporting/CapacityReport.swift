import Foundation
import PhasecastCore
import Planning

/// The capacity report of one pipeline run: `capacity.md`, `capacity.html`, and the CSV and SVG
/// files the Markdown links.
/// Pure: every file is a function of the `ReportInput`, so the same input writes the same bytes.
public struct CapacityReport: Sendable {
    public let input: ReportInput

    public init(_ input: ReportInput) { self.input = input }

    /// File name → contents: `capacity.md`, the same report as one self-contained
    /// `capacity.html` (charts inline), the CSV tables and the SVG charts.
    public func files() -> [(name: String, text: String)] {
        let markdown = markdown()
        let charts = [
            ("ratio.svg", ratioChart()), ("gpu_hours.svg", gpuHoursChart()), ("intraday.svg", intradayChart()),
        ]
        let html = MarkdownHTML.document(markdown: markdown, figures: Dictionary(uniqueKeysWithValues: charts))
        return [
            ("capacity.md", markdown), ("capacity.html", html), ("plan.csv", planCSV()), ("daily.csv", dailyCSV()),
            ("forecast.csv", forecastCSV()), ("plan_backtest.csv", planBacktestCSV()),
        ] + charts
    }

    var plan: CapacityPlan { input.plan }

    /// The horizon the headline speaks of: the one reaching furthest.
    var headlineHorizon: Horizon? { plan.horizons.max { $0.lastDay < $1.lastDay } }

    var headlineCell: PlanCell? {
        headlineHorizon.flatMap { plan.baseline.cell($0.key, plan.headlineQuantile) }
    }

    // MARK: - Sentences

    /// "16 H200" or "8 H100 + 16 H200".
    static func gpuList(_ pools: [FleetPool], phase: Phase) -> String {
        let members = pools.filter { $0.phase == phase && $0.gpus > 0 }
        guard !members.isEmpty else { return "0" }
        var byType: [String: Int] = [:]
        for pool in members { byType[pool.gpu, default: 0] += pool.gpus }
        return byType.sorted { $0.key < $1.key }.map { "\($0.value) \(MarkdownText.escape($0.key))" }
            .joined(separator: " + ")
    }

    /// ", up from 16 + 32 needed at today's demand" — or down from, or the same as.
    static func comparedWithToday(planned: Int, today: (prefill: Int, decode: Int)) -> String {
        let now = today.prefill + today.decode
        let word = planned > now ? "up from" : planned < now ? "down from" : "the same as"
        return ", \(word) the \(today.prefill) + \(today.decode) needed at today's demand"
    }

    static func total(_ pools: [FleetPool], _ phase: Phase) -> Int {
        pools.filter { $0.phase == phase }.reduce(0) { $0 + $1.gpus }
    }

    /// The trend of the token ratio over the last 28 whole days (fewer when the history is
    /// shorter), as a phrase, its two ends and the days it spans.
    func ratioTrend() -> (phrase: String, start: Double, end: Double, days: Int)? {
        let ratios = input.history.filter { $0.coverage >= 0.98 }.map(\.tokenRatio)
        guard let trend = RatioAnalysis.trend(ratios, window: 28) else { return nil }
        let phrase: String
        if trend.change <= -0.1 {
            phrase = "traffic is turning decode-heavy"
        } else if trend.change >= 0.1 {
            phrase = "traffic is turning prefill-heavy"
        } else {
            phrase = "the prefill:decode mix is steady"
        }
        return (phrase, trend.start, trend.end, trend.points)
    }

    /// The report's first sentence: GPUs by the furthest horizon, against today, and the ratio's drift.
    public func headline() -> String {
        guard let horizon = headlineHorizon, let cell = headlineCell else {
            return "No plan: the forecast covers no day."
        }
        let q = plan.headlineQuantile
        var text =
            "\(horizon.label.prefix(1).uppercased() + horizon.label.dropFirst()): \(Self.gpuList(cell.pools, phase: .prefill)) prefill + \(Self.gpuList(cell.pools, phase: .decode)) decode GPUs at P\(q)"
        text += Self.comparedWithToday(
            planned: Self.total(cell.pools, .prefill) + Self.total(cell.pools, .decode),
            today: (Self.total(plan.current, .prefill), Self.total(plan.current, .decode)))
        if let trend = ratioTrend() {
            text += String(
                format: "; %@: prefill:decode %.1f → %.1f over the last %d days", trend.phrase, trend.start, trend.end,
                trend.days)
        }
        return text + "."
    }

    // MARK: - Markdown

    public func markdown() -> String {
        var md = "# Capacity plan: \(input.pipeline), as of \(Horizon.shortDate(input.asOfDay))\n\n"
        md += "**\(headline())**\n\n"
        if let horizon = headlineHorizon, horizon.truncated {
            md +=
                "> The forecast ends on \(Horizon.shortDate(horizon.lastDay)), before the horizon does: the plan covers the days up to then.\n\n"
        }
        let disaggregated = headlineCell.map { plan.dollarsPerMonth($0.pools) } ?? 0
        md += String(
            format:
                "Prefill and decode sized separately (disaggregated serving), %@ of demand, %d spare worker%@ per pool; $%@ a month at list prices. Forecast run %lld.\n\n",
            "P\(plan.headlineQuantile)", input.policy.spareWorkers, input.policy.spareWorkers == 1 ? "" : "s",
            Self.money(disaggregated), input.forecastRunID)
        md += aggregatedComparison()
        md += whatChanged()
        md += ratioSection()
        md += forecastSection()
        md += planSection()
        md += installedSection()
        md += stackSection()
        md += backtestSection()
        md += aggregatedSection()
        md += scenarioSection()
        md += costSection()
        md += intradaySection()
        md += assumptionsSection()
        md += qualitySection()
        return md
    }

    /// One sentence under the headline: what co-located serving of the same demand would need.
    func aggregatedComparison() -> String {
        guard let cell = headlineCell,
            let aggregated = plan.aggregated.first(where: {
                $0.horizon.key == cell.horizon.key && $0.quantile == cell.quantile
            })
        else { return "" }
        let separate = cell.gpus(.prefill) + cell.gpus(.decode)
        let together = aggregated.gpusByType.values.reduce(0, +)
        let unmet = aggregated.pools.contains { $0.busyGPUs == nil }
        let comparison =
            together < separate
            ? "\(separate - together) fewer than"
            : together > separate ? "\(together - separate) more than" : "as many as"
        return
            "Aggregated (co-located) serving of the same demand would need \(together) GPUs, \(comparison) the \(separate) sized separately\(unmet ? ", though a model's ITL target cannot be met co-located" : "") (see Against aggregated serving).\n\n"
    }

    // MARK: - Formatting

    static func money(_ value: Double) -> String {
        let rounded = Int64(value.rounded())
        var digits = String(abs(rounded))
        var groups: [String] = []
        while digits.count > 3 {
            groups.insert(String(digits.suffix(3)), at: 0)
            digits = String(digits.dropLast(3))
        }
        groups.insert(digits, at: 0)
        return (rounded < 0 ? "−" : "") + groups.joined(separator: ",")
    }

    static func signed(_ value: Int) -> String { value > 0 ? "+\(value)" : value < 0 ? "−\(-value)" : "0" }

    static func decimal(_ value: Double) -> String {
        abs(value) >= 100
            ? String(format: "%.0f", value)
            : abs(value) >= 10 ? String(format: "%.1f", value) : String(format: "%.2f", value)
    }

    static func plain(_ value: Double) -> String { String(format: "%.6g", value) }

    /// A count held as a Double (a SQL sum) written in full: every digit of a token count, where
    /// `plain` would round it to six.
    static func whole(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 9_007_199_254_740_992 ? String(Int64(value)) : plain(value)
    }

    /// "1 worker", "3 workers".
    static func counted(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }

    /// A text cell of a CSV file (a model, GPU or scenario name), per RFC 4180: quoted when it
    /// holds a comma, a quote or a line break. A cell that a spreadsheet would run as a formula
    /// (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`.
    static func csvField(_ text: String) -> String {
        var cell = text
        if let first = cell.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { cell = "'" + cell }
        let needsQuotes = cell.contains { $0 == "," || $0 == "\"" || $0.isNewline }
        return needsQuotes ? "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : cell
    }
}
