import Foundation
import PhasecastCore
import Planning

/// A line chart as standalone SVG (renders on GitHub and in browsers): lines, shaded bands, a
/// vertical marker, axes with ticks and a legend. Pure: it returns the SVG text.
public struct SVGChart: Sendable {
    public struct Line: Sendable {
        public var label: String
        public var color: String
        public var points: [(x: Double, y: Double)]
        public var dashed: Bool

        public init(label: String, color: String, points: [(x: Double, y: Double)], dashed: Bool = false) {
            self.label = label
            self.color = color
            self.points = points
            self.dashed = dashed
        }
    }

    /// A shaded region between a lower and an upper curve over the same x values.
    public struct Band: Sendable {
        public var label: String
        public var color: String
        public var opacity: Double
        public var points: [(x: Double, lower: Double, upper: Double)]

        public init(label: String, color: String, opacity: Double, points: [(x: Double, lower: Double, upper: Double)])
        {
            self.label = label
            self.color = color
            self.opacity = opacity
            self.points = points
        }
    }

    public var title: String
    public var yLabel: String
    public var lines: [Line] = []
    public var bands: [Band] = []
    /// A vertical line with a caption (the forecast's cutoff).
    public var marker: (x: Double, label: String)?
    /// How x values are written on the axis (days since the epoch → a date, by default).
    public var xFormat: @Sendable (Double) -> String = { SVGChart.dayLabel($0) }
    public var width = 860.0
    public var height = 320.0

    public init(title: String, yLabel: String) {
        self.title = title
        self.yLabel = yLabel
    }

    /// "3 Mar" for a day since the epoch.
    public static func dayLabel(_ day: Double) -> String {
        let (_, month, dayOfMonth) = Horizon.civil(Int64(day.rounded(.down)))
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return "\(dayOfMonth) \(months[month - 1])"
    }

    /// The chart's SVG text.
    public func render() -> String {
        let left = 70.0
        let right = 20.0
        let top = 40.0
        let plotWidth = width - left - right
        // The legend wraps into as many rows as its entries need; each row below the first
        // makes the picture taller, not the plot smaller.
        let legend = legendRows(from: left, to: width - right)
        let bottom = 60.0
        let plotHeight = self.height - top - bottom
        let pictureHeight = self.height + 18 * Double(max(legend.count - 1, 0))
        let xs =
            lines.flatMap { $0.points.map(\.x) } + bands.flatMap { $0.points.map(\.x) } + (marker.map { [$0.x] } ?? [])
        let ys = lines.flatMap { $0.points.map(\.y) } + bands.flatMap { $0.points.flatMap { [$0.lower, $0.upper] } }
        let finiteYs = ys.filter(\.isFinite)
        let xMin = xs.min() ?? 0
        let xMax = max(xs.max() ?? 1, xMin + 1)
        let yTicks = Self.niceTicks(low: min(0, finiteYs.min() ?? 0), high: max(finiteYs.max() ?? 1, 1e-9))
        let yMin = yTicks.first ?? 0
        let yMax = max(yTicks.last ?? 1, yMin + 1e-9)
        func px(_ x: Double) -> Double { left + (x - xMin) / (xMax - xMin) * plotWidth }
        func py(_ y: Double) -> Double { top + plotHeight - (y - yMin) / (yMax - yMin) * plotHeight }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }

        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(pictureHeight))" viewBox="0 0 \(Int(width)) \(Int(pictureHeight))" font-family="Helvetica, Arial, sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(f(left))" y="22" font-size="15" font-weight="bold">\(XMLText.escape(title))</text>

            """
        // Grid and y axis.
        for tick in yTicks {
            svg +=
                "<line x1=\"\(f(left))\" y1=\"\(f(py(tick)))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(py(tick)))\" stroke=\"#e5e5e5\"/>\n"
            svg +=
                "<text x=\"\(f(left - 6))\" y=\"\(f(py(tick) + 4))\" text-anchor=\"end\" fill=\"#555\">\(Self.number(tick))</text>\n"
        }
        svg +=
            "<text x=\"16\" y=\"\(f(top + plotHeight / 2))\" transform=\"rotate(-90 16 \(f(top + plotHeight / 2)))\" text-anchor=\"middle\" fill=\"#555\">\(XMLText.escape(yLabel))</text>\n"
        // x ticks: about eight, at whole values.
        let step = max(1, ((xMax - xMin) / 8).rounded(.up))
        var x = xMin.rounded(.up)
        while x <= xMax {
            svg +=
                "<line x1=\"\(f(px(x)))\" y1=\"\(f(top + plotHeight))\" x2=\"\(f(px(x)))\" y2=\"\(f(top + plotHeight + 4))\" stroke=\"#999\"/>\n"
            svg +=
                "<text x=\"\(f(px(x)))\" y=\"\(f(top + plotHeight + 18))\" text-anchor=\"middle\" fill=\"#555\">\(XMLText.escape(xFormat(x)))</text>\n"
            x += step
        }
        svg +=
            "<line x1=\"\(f(left))\" y1=\"\(f(top + plotHeight))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(top + plotHeight))\" stroke=\"#999\"/>\n"
        for band in bands where !band.points.isEmpty {
            let upper = band.points.map { "\(f(px($0.x))),\(f(py($0.upper)))" }
            let lower = band.points.reversed().map { "\(f(px($0.x))),\(f(py($0.lower)))" }
            svg +=
                "<polygon points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(band.color)\" fill-opacity=\"\(band.opacity)\" stroke=\"none\"/>\n"
        }
        for line in lines where !line.points.isEmpty {
            let points = line.points.filter { $0.y.isFinite }.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(
                separator: " ")
            let dash = line.dashed ? " stroke-dasharray=\"6 4\"" : ""
            svg +=
                "<polyline points=\"\(points)\" fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"1.8\"\(dash)/>\n"
        }
        if let marker {
            svg +=
                "<line x1=\"\(f(px(marker.x)))\" y1=\"\(f(top))\" x2=\"\(f(px(marker.x)))\" y2=\"\(f(top + plotHeight))\" stroke=\"#333\" stroke-dasharray=\"3 3\"/>\n"
            svg +=
                "<text x=\"\(f(px(marker.x) + 4))\" y=\"\(f(top + 12))\" fill=\"#333\">\(XMLText.escape(marker.label))</text>\n"
        }
        // Legend under the axis.
        for (row, entries) in legend.enumerated() {
            let legendY = top + plotHeight + 44 + 18 * Double(row)
            for entry in entries {
                switch entry.kind {
                case .line(let line):
                    svg +=
                        "<line x1=\"\(f(entry.x))\" y1=\"\(f(legendY - 4))\" x2=\"\(f(entry.x + 18))\" y2=\"\(f(legendY - 4))\" stroke=\"\(line.color)\" stroke-width=\"2\"\(line.dashed ? " stroke-dasharray=\"6 4\"" : "")/>\n"
                case .band(let band):
                    svg +=
                        "<rect x=\"\(f(entry.x))\" y=\"\(f(legendY - 10))\" width=\"18\" height=\"10\" fill=\"\(band.color)\" fill-opacity=\"\(band.opacity)\"/>\n"
                }
                svg += "<text x=\"\(f(entry.x + 22))\" y=\"\(f(legendY))\">\(XMLText.escape(entry.label))</text>\n"
            }
        }
        svg += "</svg>\n"
        return svg
    }

    /// One legend entry: its swatch, label and left edge.
    struct LegendEntry {
        enum Kind {
            case line(Line)
            case band(Band)
        }
        var kind: Kind
        var label: String
        var x: Double
    }

    /// The legend's entries, lines then bands, in rows that fit between `left` and `right`
    /// (an entry is as wide as its swatch and about 6.5 px a character).
    func legendRows(from left: Double, to right: Double) -> [[LegendEntry]] {
        let entries = lines.map { (LegendEntry.Kind.line($0), $0.label) } + bands.map { (.band($0), $0.label) }
        var rows: [[LegendEntry]] = []
        var x = left
        for (kind, label) in entries {
            let width = 30 + Double(label.count) * 6.5
            if rows.isEmpty || (x + width > right && !(rows.last?.isEmpty ?? true)) {
                rows.append([])
                x = left
            }
            rows[rows.count - 1].append(LegendEntry(kind: kind, label: label, x: x))
            x += width
        }
        return rows
    }

    /// Round tick values covering low…high (1, 2 or 5 times a power of ten apart).
    static func niceTicks(low: Double, high: Double) -> [Double] {
        let span = max(high - low, 1e-9)
        let rough = span / 5
        let magnitude = pow(10, (log10(rough)).rounded(.down))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? 10 * magnitude
        let start = (low / step).rounded(.down) * step
        var ticks: [Double] = []
        var value = start
        while value < high + step * 0.999 && ticks.count < 20 {
            ticks.append(value)
            value += step
        }
        return ticks
    }

    static func number(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude >= 1e9 { return String(format: "%.1fG", value / 1e9) }
        if magnitude >= 1e6 { return String(format: "%.1fM", value / 1e6) }
        if magnitude >= 1e4 { return String(format: "%.0fk", value / 1e3) }
        if magnitude >= 100 || value == value.rounded() { return String(format: "%.0f", value) }
        if magnitude >= 1 { return String(format: "%.1f", value) }
        return String(format: "%.2g", value)
    }

}
