/// Classical seasonal adjustment, as M4's benchmarks apply it: when the autocorrelation test
/// finds the period, seasonal indices from a centred moving average divide a positive series
/// (multiplicative) or are subtracted from any other (additive).
struct SeasonalAdjustment: Sendable {
    /// Index of each position in the cycle: `indices[t % period]` for period t.
    var indices: [Double]
    var multiplicative: Bool
    var period: Int

    /// The adjustment of `y`, or nil when the series shows no season at `period` (or is too
    /// short to tell: three cycles are needed).
    static func of(_ y: [Double], period: Int) -> SeasonalAdjustment? {
        guard period > 1, y.count >= 3 * period, SeasonalityTest.isSeasonal(y, period: period) else { return nil }
        let positive = y.allSatisfy { $0 > 0 }
        let indices = ExponentialSmoothing.classicalSeasonal(y, period: period, multiplicative: positive)
        return SeasonalAdjustment(indices: indices, multiplicative: positive, period: period)
    }

    /// The series without its season.
    func adjust(_ y: [Double]) -> [Double] {
        (0..<y.count).map { t in
            multiplicative ? y[t] / indices[t % period] : y[t] - indices[t % period]
        }
    }

    /// Puts the season back on forecasts of the periods after the first `count`.
    func reseasonalize(_ forecast: [Double], after count: Int) -> [Double] {
        forecast.enumerated().map { k, value in
            let index = indices[(count + k) % period]
            return multiplicative ? value * index : value + index
        }
    }
}

/// Simple exponential smoothing with its smoothing weight chosen by least squares.
enum SimpleExponentialSmoothing {
    /// The smoothed level after the last value, and the weight α (golden-section search over
    /// [0.01, 1] of the one-step sum of squares).
    static func level(_ x: [Double]) -> (level: Double, alpha: Double) {
        guard let first = x.first else { return (0, 1) }
        func run(_ alpha: Double) -> (sse: Double, level: Double) {
            var level = first
            var sse = 0.0
            for value in x.dropFirst() {
                let error = value - level
                sse += error * error
                level += alpha * error
            }
            return (sse, level)
        }
        let ratio = (5.0.squareRoot() - 1) / 2
        var low = 0.01
        var high = 1.0
        var a = high - ratio * (high - low)
        var b = low + ratio * (high - low)
        var fa = run(a).sse
        var fb = run(b).sse
        for _ in 0..<24 {
            if fa <= fb {
                high = b
                b = a
                fb = fa
                a = high - ratio * (high - low)
                fa = run(a).sse
            } else {
                low = a
                a = b
                fa = fb
                b = low + ratio * (high - low)
                fb = run(b).sse
            }
        }
        let alpha = (low + high) / 2
        return (run(alpha).level, alpha)
    }
}
