import Foundation

/// The Theta method (Assimakopoulos & Nikolopoulos, 2000) in its exponential-smoothing form
/// (Hyndman & Billah, 2003): simple exponential smoothing with a drift of (1 − 1/θ) times the
/// series' linear slope. θ = 2 is the classic method; the optimized variant chooses θ by
/// in-sample one-step error. Seasonality is removed first by a classical multiplicative
/// decomposition when the series is positive and an autocorrelation test finds it.
public struct ThetaFit: Sendable {
    public var theta: Double
    public var alpha: Double
    var level: Double
    var slope: Double
    var count: Int
    /// Seasonal indices to multiply back, by position of the next periods.
    var seasonal: [Double]
    var seasonalPhase: Int
    public var residuals: [Double]

    public func forecast(_ h: Int) -> [Double] {
        let n = Double(count)
        let drift = (1 - 1 / theta) * slope
        let decay = (1 - pow(1 - alpha, n)) / alpha
        return (1...max(h, 1)).prefix(h).map { k in
            let value = level + drift * (Double(k) - 1 + decay)
            guard !seasonal.isEmpty else { return value }
            return value * seasonal[(seasonalPhase + k - 1) % seasonal.count]
        }
    }
}

public enum Theta {
    /// Fits the Theta method; `optimized` searches θ in [1, 5].
    public static func fit(_ y: [Double], period: Int, optimized: Bool) -> ThetaFit? {
        let n = y.count
        guard n >= 4 else { return nil }
        var seasonal: [Double] = []
        var adjusted = y
        if period > 1, n >= 3 * period, y.allSatisfy({ $0 > 0 }), SeasonalityTest.isSeasonal(y, period: period) {
            let indices = ExponentialSmoothing.classicalSeasonal(y, period: period, multiplicative: true)
            seasonal = indices
            adjusted = (0..<n).map { y[$0] / indices[$0 % period] }
        }
        let (_, slope) = ExponentialSmoothing.linearFit(adjusted)
        let steps = 3  // the fit minimizes the mean squared error 1, 2 and 3 steps ahead, as statsforecast does
        // Simple exponential smoothing by least squares over a grid refined once.
        func ses(_ alpha: Double, theta: Double) -> (sse: Double, level: Double, residuals: [Double]) {
            var level = adjusted[0]
            var sse = 0.0
            var residuals = [Double](repeating: 0, count: n)
            let drift = (1 - 1 / theta) * slope
            for t in 1..<n {
                // One-step forecast of the method at time t.
                let decay = (1 - pow(1 - alpha, Double(t))) / alpha
                let forecast = level + drift * decay
                let error = adjusted[t] - forecast
                residuals[t] = error
                sse += error * error
                // Errors two and three steps ahead from the same origin.
                for k in 1..<steps where t + k < n {
                    let ahead = adjusted[t + k] - (forecast + drift * Double(k))
                    sse += ahead * ahead
                }
                level += alpha * (adjusted[t] - level)
            }
            return (sse, level, residuals)
        }
        var bestAlpha = 0.5
        var bestTheta = 2.0
        var bestSSE = Double.infinity
        let thetas = optimized ? stride(from: 1.0, through: 5.0, by: 0.25).map { $0 } : [2.0]
        for theta in thetas {
            for alpha in stride(from: 0.05, through: 0.95, by: 0.05) {
                let sse = ses(alpha, theta: theta).sse
                if sse < bestSSE {
                    bestSSE = sse
                    bestAlpha = alpha
                    bestTheta = theta
                }
            }
        }
        // Refine alpha around the best grid point.
        for alpha in stride(from: max(0.01, bestAlpha - 0.05), through: min(0.99, bestAlpha + 0.05), by: 0.01) {
            let sse = ses(alpha, theta: bestTheta).sse
            if sse < bestSSE {
                bestSSE = sse
                bestAlpha = alpha
            }
        }
        let run = ses(bestAlpha, theta: bestTheta)
        return ThetaFit(
            theta: bestTheta, alpha: bestAlpha, level: run.level, slope: slope, count: n, seasonal: seasonal,
            seasonalPhase: n % max(period, 1), residuals: run.residuals)
    }
}

/// M4's 90 % test of seasonality: the autocorrelation at lag m against its standard error.
public enum SeasonalityTest {
    public static func isSeasonal(_ y: [Double], period m: Int) -> Bool {
        let n = y.count
        guard m > 1, n >= 3 * m else { return false }
        let mean = y.reduce(0, +) / Double(n)
        let x = y.map { $0 - mean }
        let denominator = x.reduce(0) { $0 + $1 * $1 }
        guard denominator > 0 else { return false }
        var acf: [Double] = []
        for lag in 1...m {
            var sum = 0.0
            for t in 0..<(n - lag) { sum += x[t] * x[t + lag] }
            acf.append(sum / denominator)
        }
        let squares = acf.prefix(m - 1).reduce(0) { $0 + $1 * $1 }
        let limit = 1.645 / Double(n).squareRoot() * (1 + 2 * squares).squareRoot()
        return abs(acf[m - 1]) > limit
    }
}
