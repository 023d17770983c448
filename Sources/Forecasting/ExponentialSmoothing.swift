import Foundation

/// Exponential smoothing state-space models, ETS(error, trend, season) (Hyndman, Koehler, Ord &
/// Snyder, 2008): error additive or multiplicative; trend none, additive or additive-damped;
/// season none, additive or multiplicative. Smoothing parameters and the initial level and
/// trend are fitted by maximum likelihood; the model is chosen by AICc.
public struct ETSModel: Sendable, Equatable, CustomStringConvertible {
    public enum Component: String, Sendable { case none = "N", additive = "A", damped = "Ad", multiplicative = "M" }

    public var error: Component
    public var trend: Component
    public var season: Component
    public var period: Int

    public var description: String { "ETS(\(error.rawValue),\(trend.rawValue),\(season.rawValue))" }

    /// The combinations the automatic choice considers for a series: multiplicative parts only for
    /// positive data; additive errors never with multiplicative seasons (numerically unstable);
    /// seasons only with at least two full periods and periods up to 24.
    public static func candidates(period: Int, count: Int, positive: Bool, allowTrend: Bool = true) -> [ETSModel] {
        let seasonal = period > 1 && period <= 24 && count >= 2 * period + 2
        var result: [ETSModel] = []
        for error in positive ? [Component.additive, .multiplicative] : [.additive] {
            for trend in allowTrend ? [Component.none, .additive, .damped] : [.none] {
                for season in seasonal
                    ? (positive ? [Component.none, .additive, .multiplicative] : [.none, .additive]) : [.none]
                {
                    if error == .additive && season == .multiplicative { continue }
                    result.append(ETSModel(error: error, trend: trend, season: season, period: seasonal ? period : 1))
                }
            }
        }
        return result
    }
}

/// A fitted ETS model: its parameters, final states, residual scale and information criteria.
public struct ETSFit: Sendable {
    public var model: ETSModel
    public var alpha: Double
    public var beta: Double
    public var gamma: Double
    public var phi: Double
    var level: Double
    var slope: Double
    /// Seasonal states, most recent last: season[m − 1] is the season of the next period's… first step.
    var seasons: [Double]
    public var sigma: Double
    public var aicc: Double
    /// One-step-ahead in-sample errors (on the model's error scale).
    public var residuals: [Double]

    /// Point forecasts for the next `h` periods.
    public func forecast(_ h: Int) -> [Double] {
        (1...max(h, 1)).prefix(h).map { k in
            let trendPart: Double
            switch model.trend {
            case .none: trendPart = level
            case .additive: trendPart = level + Double(k) * slope
            case .damped:
                var sum = 0.0
                var power = phi
                for _ in 0..<k {
                    sum += power
                    power *= phi
                }
                trendPart = level + sum * slope
            case .multiplicative: trendPart = level
            }
            guard model.season != .none else { return trendPart }
            let m = model.period
            let s = seasons[(m - 1 + k) % m]  // seasons[0] is the oldest, for the next step
            return model.season == .additive ? trendPart + s : trendPart * s
        }
    }

    /// Forecast standard deviations, from the additive-model variance formula
    /// σ²(1 + Σ c_j²), c_j = α + β·(1 + φ + … + φ^(j−1)) + γ·[j divisible by m]; for
    /// multiplicative errors, relative to the point forecast.
    public func standardDeviations(_ h: Int, points: [Double]) -> [Double] {
        var sum = 0.0
        var result: [Double] = []
        for k in 1...max(h, 1) where k <= h {
            let sd = sigma * (1 + sum).squareRoot()
            result.append(model.error == .multiplicative ? sd * abs(points[k - 1]) : sd)
            var damped = 0.0
            var power = 1.0
            for _ in 0..<k {
                damped += power
                power *= (model.trend == .damped ? phi : 1)
            }
            var c = alpha
            if model.trend != .none { c += beta * damped }
            if model.season != .none && k % model.period == 0 { c += gamma }
            sum += c * c
        }
        return result
    }
}

public enum ExponentialSmoothing {
    /// Fits one model; nil when it cannot be fitted (too short, non-positive data for a
    /// multiplicative part).
    public static func fit(_ y: [Double], model: ETSModel) -> ETSFit? {
        let n = y.count
        let m = model.season == .none ? 1 : model.period
        guard n >= max(4, 2 * m + 2) else { return nil }
        if model.error == .multiplicative || model.season == .multiplicative {
            guard y.allSatisfy({ $0 > 0 }) else { return nil }
        }
        // Initial seasonal states from a classical decomposition of the first periods; level and
        // trend from a regression on the first deseasonalized values (as Hyndman's ets does).
        var initialSeasons = [Double](repeating: model.season == .multiplicative ? 1 : 0, count: m)
        if model.season != .none {
            initialSeasons = classicalSeasonal(
                Array(y.prefix(min(n, 4 * m))), period: m, multiplicative: model.season == .multiplicative)
        }
        let head = min(n, max(10, 2 * m))
        let adjusted = (0..<head).map { i -> Double in
            switch model.season {
            case .additive: return y[i] - initialSeasons[i % m]
            case .multiplicative: return y[i] / initialSeasons[i % m]
            default: return y[i]
            }
        }
        let (intercept, slope0) = linearFit(adjusted)
        let hasTrend = model.trend != .none
        // Parameters: alpha, [beta], [gamma], [phi], level0, [slope0].
        var start: [Double] = [0.3]
        var steps: [Double] = [0.1]
        if hasTrend {
            start.append(0.05)
            steps.append(0.03)
        }
        if model.season != .none {
            start.append(0.05)
            steps.append(0.03)
        }
        if model.trend == .damped {
            start.append(0.95)
            steps.append(0.02)
        }
        let scale = max(abs(intercept), 1e-6)
        start.append(intercept)
        steps.append(0.05 * scale)
        if hasTrend {
            start.append(slope0)
            steps.append(0.05 * scale / Double(max(head, 1)) + 1e-9)
        }
        func unpack(_ p: [Double]) -> (Double, Double, Double, Double, Double, Double) {
            var i = 0
            let alpha = p[i]
            i += 1
            var beta = 0.0
            var gamma = 0.0
            var phi = 1.0
            if hasTrend {
                beta = p[i]
                i += 1
            }
            if model.season != .none {
                gamma = p[i]
                i += 1
            }
            if model.trend == .damped {
                phi = p[i]
                i += 1
            }
            let level = p[i]
            i += 1
            let slope = hasTrend ? p[i] : 0
            return (alpha, beta, gamma, phi, level, slope)
        }
        func objective(_ p: [Double]) -> Double {
            let (alpha, beta, gamma, phi, level, slope) = unpack(p)
            guard alpha > 1e-4, alpha < 0.9999, beta >= 0, beta < alpha, gamma >= 0, gamma < 1 - alpha,
                phi >= 0.8, phi <= 0.98 || model.trend != .damped
            else { return .infinity }
            let value = likelihood(y, model, alpha, beta, gamma, phi, level, slope, initialSeasons)
            return value.isFinite ? value : .infinity
        }
        let best = NelderMead.minimize(objective, start: start, step: steps, iterations: 300)
        guard best.value.isFinite else { return nil }
        let (alpha, beta, gamma, phi, level, slope) = unpack(best.point)
        let run = recurse(y, model, alpha, beta, gamma, phi, level, slope, initialSeasons)
        let parameters = Double(best.point.count + (model.season == .none ? 0 : m - 1) + 1)
        let aic = run.likelihood + 2 * parameters
        let denominator = Double(n) - parameters - 1
        let aicc = denominator > 0 ? aic + 2 * parameters * (parameters + 1) / denominator : .infinity
        let sigma = (run.residuals.reduce(0) { $0 + $1 * $1 } / Double(max(n - Int(parameters), 1))).squareRoot()
        return ETSFit(
            model: model, alpha: alpha, beta: beta, gamma: gamma, phi: model.trend == .damped ? phi : 1,
            level: run.level,
            slope: run.slope, seasons: run.seasons, sigma: sigma, aicc: aicc, residuals: run.residuals)
    }

    /// Fits every candidate and keeps the lowest AICc.
    public static func auto(_ y: [Double], period: Int, allowTrend: Bool = true, additiveOnly: Bool = false) -> ETSFit?
    {
        let positive = !additiveOnly && y.allSatisfy { $0 > 0 }
        var best: ETSFit?
        for model in ETSModel.candidates(period: period, count: y.count, positive: positive, allowTrend: allowTrend) {
            guard let fit = fit(y, model: model) else { continue }
            if let current = best, !(fit.aicc < current.aicc) { continue }
            best = fit
        }
        return best
    }

    struct Run {
        var likelihood: Double
        var residuals: [Double]
        var level: Double
        var slope: Double
        var seasons: [Double]
    }

    /// Runs the state recursion over `y`: the one-step errors, −2 log-likelihood (up to a
    /// constant) and the final states.
    static func recurse(
        _ y: [Double], _ model: ETSModel, _ alpha: Double, _ beta: Double, _ gamma: Double, _ phi: Double,
        _ level0: Double, _ slope0: Double, _ seasons0: [Double]
    ) -> Run {
        let n = y.count
        var level = level0
        var slope = slope0
        var seasons = seasons0  // seasons[0]: the one used for the next observation
        let m = seasons.count
        var sse = 0.0
        var logSum = 0.0
        var residuals = [Double](repeating: 0, count: n)
        let dampedPhi = model.trend == .damped ? phi : 1
        for t in 0..<n {
            let q: Double  // level + trend
            switch model.trend {
            case .none: q = level
            default: q = level + dampedPhi * slope
            }
            let s = model.season == .none ? 0 : seasons[0]
            let forecast: Double
            switch model.season {
            case .none: forecast = q
            case .additive: forecast = q + s
            default: forecast = q * s
            }
            let error = model.error == .additive ? y[t] - forecast : (y[t] - forecast) / forecast
            if !error.isFinite || (model.error == .multiplicative && forecast <= 0) {
                return Run(likelihood: .infinity, residuals: residuals, level: level, slope: slope, seasons: seasons)
            }
            residuals[t] = error
            sse += error * error
            if model.error == .multiplicative { logSum += log(abs(forecast)) }
            // Update, in terms of the observation (the same for both error types).
            let deseasonalized: Double
            switch model.season {
            case .none: deseasonalized = y[t]
            case .additive: deseasonalized = y[t] - s
            default: deseasonalized = y[t] / s
            }
            let newLevel = q + alpha * (deseasonalized - q)
            if model.trend != .none {
                slope = dampedPhi * slope + (beta / alpha) * (newLevel - level - dampedPhi * slope)
            }
            if model.season != .none {
                let observedSeason = model.season == .additive ? y[t] - q : y[t] / q
                let updated = s + gamma * (observedSeason - s)
                seasons.removeFirst()
                seasons.append(updated)
            }
            level = newLevel
        }
        _ = m
        let likelihood = Double(n) * log(max(sse, 1e-300)) + 2 * logSum
        return Run(likelihood: likelihood, residuals: residuals, level: level, slope: slope, seasons: seasons)
    }

    /// −2 log-likelihood (up to a constant) of the state recursion over `y`, as `recurse`
    /// computes it, without keeping residuals: the optimizer's inner loop. Seasonal states
    /// rotate in a ring instead of shifting.
    static func likelihood(
        _ y: [Double], _ model: ETSModel, _ alpha: Double, _ beta: Double, _ gamma: Double, _ phi: Double,
        _ level0: Double, _ slope0: Double, _ seasons0: [Double]
    ) -> Double {
        var level = level0
        var slope = slope0
        let m = seasons0.count
        let hasTrend = model.trend != .none
        let dampedPhi = model.trend == .damped ? phi : 1
        let additiveError = model.error == .additive
        let betaOverAlpha = beta / alpha
        var sse = 0.0
        var logSum = 0.0
        return seasons0.withUnsafeBufferPointer { initial -> Double in
            var ring = [Double](initial)
            return ring.withUnsafeMutableBufferPointer { seasons -> Double in
                var head = 0  // seasons[head]: the one used for the next observation
                for value in y {
                    let q = hasTrend ? level + dampedPhi * slope : level
                    let s: Double
                    let forecast: Double
                    switch model.season {
                    case .none:
                        s = 0
                        forecast = q
                    case .additive:
                        s = seasons[head]
                        forecast = q + s
                    default:
                        s = seasons[head]
                        forecast = q * s
                    }
                    let error = additiveError ? value - forecast : (value - forecast) / forecast
                    if !error.isFinite || (!additiveError && forecast <= 0) { return .infinity }
                    sse += error * error
                    if !additiveError { logSum += log(abs(forecast)) }
                    let deseasonalized: Double
                    switch model.season {
                    case .none: deseasonalized = value
                    case .additive: deseasonalized = value - s
                    default: deseasonalized = value / s
                    }
                    let newLevel = q + alpha * (deseasonalized - q)
                    if hasTrend { slope = dampedPhi * slope + betaOverAlpha * (newLevel - level - dampedPhi * slope) }
                    if model.season != .none {
                        let observed = model.season == .additive ? value - q : value / q
                        seasons[head] = s + gamma * (observed - s)
                        head = head + 1 == m ? 0 : head + 1
                    }
                    level = newLevel
                }
                return Double(y.count) * log(max(sse, 1e-300)) + 2 * logSum
            }
        }
    }

    /// Seasonal indices of a classical decomposition (centred moving average), normalized.
    static func classicalSeasonal(_ y: [Double], period m: Int, multiplicative: Bool) -> [Double] {
        let n = y.count
        var sums = [Double](repeating: 0, count: m)
        var counts = [Double](repeating: 0, count: m)
        let half = m / 2
        for t in half..<(n - half) where t + half < n && t - half >= 0 {
            var ma: Double
            if m % 2 == 0 {
                ma = 0.5 * y[t - half] + 0.5 * y[t + half]
                for j in (t - half + 1)..<(t + half) { ma += y[j] }
                ma /= Double(m)
            } else {
                ma = y[(t - half)...(t + half)].reduce(0, +) / Double(m)
            }
            guard ma != 0 || !multiplicative else { continue }
            sums[t % m] += multiplicative ? y[t] / ma : y[t] - ma
            counts[t % m] += 1
        }
        var indices = (0..<m).map { counts[$0] > 0 ? sums[$0] / counts[$0] : (multiplicative ? 1 : 0) }
        if multiplicative {
            let mean = indices.reduce(0, +) / Double(m)
            indices = indices.map { $0 / mean }
        } else {
            let mean = indices.reduce(0, +) / Double(m)
            indices = indices.map { $0 - mean }
        }
        return indices
    }

    /// Intercept and slope of a least-squares line through y against 0, 1, 2, …
    static func linearFit(_ y: [Double]) -> (Double, Double) {
        let n = Double(y.count)
        guard y.count >= 2 else { return (y.first ?? 0, 0) }
        let meanT = (n - 1) / 2
        let meanY = y.reduce(0, +) / n
        var sxy = 0.0
        var sxx = 0.0
        for (t, value) in y.enumerated() {
            sxy += (Double(t) - meanT) * (value - meanY)
            sxx += (Double(t) - meanT) * (Double(t) - meanT)
        }
        let slope = sxx > 0 ? sxy / sxx : 0
        return (meanY - slope * meanT, slope)
    }
}
