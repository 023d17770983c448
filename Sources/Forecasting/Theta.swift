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
        // The level's recursion does not depend on the drift, so for a given α the errors 1, 2
        // and 3 steps ahead (statsforecast's criterion) are A − drift·G, and the sum of their
        // squares is a parabola in the drift: its minimum over θ ∈ [1, 5], that is a drift
        // between 0 and 0.8 × slope, is found in closed form.
        let steps = 3
        func sums(_ alpha: Double) -> (aa: Double, ag: Double, gg: Double, level: Double) {
            var level = adjusted[0]
            var aa = 0.0
            var ag = 0.0
            var gg = 0.0
            var remaining = 1 - alpha  // (1 − α)^t
            for t in 1..<n {
                let decay = (1 - remaining) / alpha
                for k in 0..<steps where t + k < n {
                    let a = adjusted[t + k] - level
                    let g = decay + Double(k)
                    aa += a * a
                    ag += a * g
                    gg += g * g
                }
                level += alpha * (adjusted[t] - level)
                remaining *= 1 - alpha
            }
            return (aa, ag, gg, level)
        }
        func best(_ alpha: Double) -> (sse: Double, theta: Double) {
            let s = sums(alpha)
            guard optimized, slope != 0, s.gg > 0 else {
                let drift = 0.5 * slope
                return (s.aa - 2 * drift * s.ag + drift * drift * s.gg, 2)
            }
            let ratio = min(0.8, max(0, s.ag / s.gg / slope))
            let drift = ratio * slope
            return (s.aa - 2 * drift * s.ag + drift * drift * s.gg, 1 / (1 - ratio))
        }
        var bestAlpha = 0.5
        var bestTheta = 2.0
        var bestSSE = Double.infinity
        for alpha in stride(from: 0.05, through: 0.95, by: 0.05) {
            let candidate = best(alpha)
            if candidate.sse < bestSSE {
                (bestSSE, bestAlpha, bestTheta) = (candidate.sse, alpha, candidate.theta)
            }
        }
        // Refine alpha around the best grid point.
        for alpha in stride(from: max(0.01, bestAlpha - 0.05), through: min(0.99, bestAlpha + 0.05), by: 0.01) {
            let candidate = best(alpha)
            if candidate.sse < bestSSE {
                (bestSSE, bestAlpha, bestTheta) = (candidate.sse, alpha, candidate.theta)
            }
        }
        // The one-step residuals of the chosen fit.
        let drift = (1 - 1 / bestTheta) * slope
        var level = adjusted[0]
        var residuals = [Double](repeating: 0, count: n)
        var remaining = 1 - bestAlpha
        for t in 1..<n {
            residuals[t] = adjusted[t] - (level + drift * (1 - remaining) / bestAlpha)
            level += bestAlpha * (adjusted[t] - level)
            remaining *= 1 - bestAlpha
        }
        let run = (level: level, residuals: residuals)
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
