import Foundation
import PhasecastCore
import Planning

/// The report's SVG charts: the ratio, GPU-hours per phase, and the intraday profile.
extension CapacityReport {
    public func ratioChart() -> String {
        var chart = SVGChart(title: "Prefill:decode ratio, all models", yLabel: "prefill per decode")
        let whole = input.history.filter { $0.coverage >= 0.98 }
        chart.lines.append(
            .init(
                label: "tokens (prefill ÷ output)", color: "#1f77b4",
                points: whole.compactMap { d in d.tokenRatio.map { (Double(d.day), $0) } }))
        chart.lines.append(
            .init(
                label: "GPU-time (prefill ÷ decode)", color: "#d62728",
                points: whole.compactMap { d in d.gpuTimeRatio.map { (Double(d.day), $0) } }))
        // The tokens ratio's 28-day trend, as a dashed line over its window.
        if let trend = RatioAnalysis.trend(whole.map(\.tokenRatio), window: 28), let last = whole.last {
            let first = Double(whole.suffix(28).first?.day ?? last.day)
            let points = [(x: first, y: trend.start), (x: Double(last.day), y: trend.end)]
            chart.lines.append(.init(label: "28-day trend", color: "#333333", points: points, dashed: true))
        }
        return chart.render()
    }

    public func gpuHoursChart() -> String {
        var chart = SVGChart(title: "Busy GPU-hours a day, all models", yLabel: "GPU-hours")
        let whole = input.history.filter { $0.coverage >= 0.98 }
        for phase in Phase.allCases {
            let forecast = input.forecast[phase] ?? []
            chart.bands.append(
                .init(
                    label: "\(phase.rawValue) 95 %", color: Self.color(phase), opacity: 0.12,
                    points: forecast.map { (Double($0.day), $0.lower95, $0.upper95) }))
            chart.bands.append(
                .init(
                    label: "\(phase.rawValue) 80 %", color: Self.color(phase), opacity: 0.25,
                    points: forecast.map { (Double($0.day), $0.lower80, $0.upper80) }))
        }
        for phase in Phase.allCases {
            let history = whole.map {
                (x: Double($0.day), y: phase == .prefill ? $0.prefillGPUHours : $0.decodeGPUHours)
            }
            chart.lines.append(.init(label: phase.rawValue, color: Self.color(phase), points: history))
            chart.lines.append(
                .init(
                    label: "\(phase.rawValue) forecast", color: Self.color(phase),
                    points: (input.forecast[phase] ?? []).map { (Double($0.day), $0.median) }, dashed: true))
        }
        chart.marker = (Double(input.asOfDay) + 0.5, "cutoff")
        return chart.render()
    }

    public func intradayChart() -> String {
        var chart = SVGChart(
            title: "Share of a day's busy GPU-time by hour (UTC), last \(input.lookbackDays) days",
            yLabel: "% of the day")
        chart.xFormat = { String(format: "%02.0f:00", $0) }
        for phase in Phase.allCases {
            let shares = input.intraday[phase] ?? []
            chart.lines.append(
                .init(
                    label: phase.rawValue, color: Self.color(phase),
                    points: shares.enumerated().map { (Double($0.offset), 100 * $0.element) }))
        }
        return chart.render()
    }

    /// The colour a phase is drawn in.
    static func color(_ phase: Phase) -> String { phase == .prefill ? "#1f77b4" : "#ff7f0e" }
}
