import Foundation

/// Whether the prefill:decode mix is drifting: a trend over a window, and a flag on each period
/// whose ratio leaves the band of the periods before it.
public enum RatioAnalysis {
    /// A fitted trend of a ratio over a window.
    public struct Trend: Sendable, Equatable, Codable {
        /// Periods the fit used.
        public var points: Int
        /// Fitted value at the start and at the end of the window.
        public var start: Double
        public var end: Double
        /// Relative change per period (of the log-linear fit).
        public var changePerPeriod: Double

        /// Relative change from start to end.
        public var change: Double { end / start - 1 }
    }

    /// Which side of its band a period fell on.
    public enum Flag: String, Sendable, Codable {
        /// The ratio rose above its band: more prefill per decode (prefill-heavier).
        case prefillHeavier = "prefill-heavier"
        /// The ratio fell below its band: decode-heavier.
        case decodeHeavier = "decode-heavier"
    }

    /// Fits log(ratio) = a + b·t by least squares over the last `window` periods with a ratio.
    /// Needs at least 3 points.
    public static func trend(_ ratios: [Double?], window: Int) -> Trend? {
        let recent = Array(ratios.suffix(window))
        let points = recent.enumerated().compactMap { index, value -> (Double, Double)? in
            guard let value, value > 0, value.isFinite else { return nil }
            return (Double(index), log(value))
        }
        guard points.count >= 3 else { return nil }
        let n = Double(points.count)
        let meanT = points.reduce(0) { $0 + $1.0 } / n
        let meanY = points.reduce(0) { $0 + $1.1 } / n
        let sxx = points.reduce(0) { $0 + ($1.0 - meanT) * ($1.0 - meanT) }
        let sxy = points.reduce(0) { $0 + ($1.0 - meanT) * ($1.1 - meanY) }
        guard sxx > 0 else { return nil }
        let slope = sxy / sxx
        let intercept = meanY - slope * meanT
        let lastT = Double(recent.count - 1)
        return Trend(
            points: points.count, start: exp(intercept), end: exp(intercept + slope * lastT),
            changePerPeriod: exp(slope) - 1)
    }

    /// For each period, whether its ratio is outside the band of the `window` periods before it:
    /// median ± `width` × the scaled median absolute deviation (robust to single outliers). Needs
    /// at least `minimum` earlier ratios; earlier periods get no flag.
    public static func flags(_ ratios: [Double?], window: Int, width: Double = 3, minimum: Int = 7) -> [Flag?] {
        ratios.indices.map { index in
            guard let value = ratios[index] else { return nil }
            let history = ratios[max(0, index - window)..<index].compactMap { $0 }
            guard history.count >= minimum else { return nil }
            let median = Self.median(history)
            let spread = 1.4826 * Self.median(history.map { abs($0 - median) })
            let tolerance = max(width * spread, 0.02 * abs(median))
            if value > median + tolerance { return .prefillHeavier }
            if value < median - tolerance { return .decodeHeavier }
            return nil
        }
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let n = sorted.count
        guard n > 0 else { return .nan }
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }
}
