/// Finds and replaces gross outliers before fitting, in the manner of Hyndman's tsclean: a robust
/// STL (or a robust trend for series without a season) fits the series; a point is replaced by
/// the fitted value when its remainder lies more than `width` interquartile ranges outside the
/// quartiles, and more than `width` times the noise of the series (from its seasonal
/// differences) and 1 % of its median level off the fit. The width is wide (5, not tsclean's
/// 3): replacing points that are merely unusual cost accuracy on the forecast bench. The last
/// point is kept unless the caller knows it is an event: it may be the start of a change.
public enum OutlierCleaner {
    public struct Cleaned: Sendable {
        public var values: [Double]
        /// Indices of the replaced points.
        public var replaced: [Int]
    }

    /// `lastMayChange`: the last point may be replaced too (it is a known event day, not the
    /// start of a change).
    public static func clean(_ y: [Double], period: Int, width: Double = 5, lastMayChange: Bool = false) -> Cleaned {
        let n = y.count
        guard n >= 16 else { return Cleaned(values: y, replaced: []) }
        let fitted: [Double]
        if period > 1 && n >= 2 * period + 2 {
            let d = STL(period: period, seasonalWindow: 7, robust: true, outerIterations: 5).decompose(y)
            fitted = (0..<n).map { d.trend[$0] + d.seasonal[$0] }
        } else {
            let d = STL(period: 2, seasonalWindow: 7, trendWindow: 15, robust: true, outerIterations: 5).decompose(y)
            fitted = (0..<n).map { d.trend[$0] + d.seasonal[$0] }
        }
        let residuals = (0..<n).map { y[$0] - fitted[$0] }
        let sorted = residuals.sorted()
        let q1 = sorted[n / 4]
        let q3 = sorted[(3 * n) / 4]
        let iqr = q3 - q1
        guard iqr > 0 else { return Cleaned(values: y, replaced: []) }
        // A flexible fit of a short series follows its noise, so its residuals understate it:
        // the point must also stand `width` noise units off the fit, the noise measured from
        // seasonal differences, which no fit can shrink; and more than 1 % of the median level
        // (on a nearly exact series rounding would pass for outliers).
        let lag = period > 1 && n > 2 * period ? period : 1
        let differences = (lag..<n).map { abs(y[$0] - y[$0 - lag]) }.sorted()
        let noise = 1.4826 * differences[differences.count / 2] / 2.0.squareRoot()
        let floor = max(width * noise, 0.01 * y.map(abs).sorted()[n / 2])
        let flagged = (0..<n).map { t in
            (residuals[t] < q1 - width * iqr || residuals[t] > q3 + width * iqr) && abs(residuals[t]) > floor
        }
        // Only isolated spikes (runs of one or two points): longer runs are changes of level or
        // pattern, which the methods should see.
        var values = y
        var replaced: [Int] = []
        var t = 0
        while t < n {
            guard flagged[t] else {
                t += 1
                continue
            }
            var end = t
            while end + 1 < n && flagged[end + 1] { end += 1 }
            if end - t + 1 <= 2 && (end < n - 1 || lastMayChange) {
                for i in t...end {
                    values[i] = fitted[i]
                    replaced.append(i)
                }
            }
            t = end + 1
        }
        return Cleaned(values: values, replaced: replaced)
    }
}
