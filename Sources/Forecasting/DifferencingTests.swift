import Foundation

/// How many differences a series needs before an ARMA model suits it: seasonal differences by
/// the strength of its seasonality, ordinary ones by the KPSS test, as Hyndman & Khandakar's
/// automatic ARIMA chooses them.
public enum DifferencingTests {
    /// Seasonal differences (0 or 1): one when an STL decomposition's seasonal strength
    /// max(0, 1 − Var(remainder) / Var(seasonal + remainder)) exceeds 0.64.
    public static func seasonalDifferences(_ y: [Double], period m: Int) -> Int {
        guard m > 1, y.count >= 2 * m + 2 else { return 0 }
        return seasonalStrength(y, period: m) > 0.64 ? 1 : 0
    }

    /// The seasonal strength of `y` at period `m`, between 0 and 1.
    public static func seasonalStrength(_ y: [Double], period m: Int) -> Double {
        guard m > 1, y.count >= 2 * m + 2 else { return 0 }
        let decomposition = STL(period: m, seasonalWindow: 7, robust: false).decompose(y)
        let remainder = decomposition.remainder
        let detrended = (0..<y.count).map { decomposition.seasonal[$0] + remainder[$0] }
        let denominator = variance(detrended)
        guard denominator > 0 else { return 0 }
        return max(0, 1 - variance(remainder) / denominator)
    }

    /// Ordinary differences (0 to `maximum`): while the KPSS test rejects level stationarity at
    /// 5 %, difference once more.
    public static func differences(_ y: [Double], maximum: Int = 2) -> Int {
        var series = y
        var d = 0
        while d < maximum, series.count > 10, kpssStatistic(series) > 0.463 {
            series = (1..<series.count).map { series[$0] - series[$0 - 1] }
            d += 1
            // A series that differencing left constant needs no more.
            if variance(series) <= 1e-12 * (1 + abs(series.first ?? 0)) { break }
        }
        return d
    }

    /// The KPSS statistic for level stationarity (Kwiatkowski, Phillips, Schmidt & Shin, 1992),
    /// with a Bartlett long-run variance over ⌊4·(n/100)^¼⌋ lags.
    public static func kpssStatistic(_ y: [Double]) -> Double {
        let n = y.count
        guard n >= 3 else { return 0 }
        let mean = y.reduce(0, +) / Double(n)
        let e = y.map { $0 - mean }
        var partial = 0.0
        var sumOfPartials = 0.0
        for value in e {
            partial += value
            sumOfPartials += partial * partial
        }
        let lags = min(n - 1, Int(4 * pow(Double(n) / 100, 0.25)))
        var longRun = e.reduce(0) { $0 + $1 * $1 } / Double(n)
        if lags > 0 {
            for lag in 1...lags {
                var covariance = 0.0
                for t in lag..<n { covariance += e[t] * e[t - lag] }
                longRun += 2 * (1 - Double(lag) / Double(lags + 1)) * covariance / Double(n)
            }
        }
        guard longRun > 0 else { return 0 }
        return sumOfPartials / (Double(n) * Double(n) * longRun)
    }

    static func variance(_ x: [Double]) -> Double {
        guard x.count > 1 else { return 0 }
        let mean = x.reduce(0, +) / Double(x.count)
        return x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(x.count - 1)
    }
}
