import Foundation

/// Forecasts a series with the method that did best in a rolling-origin backtest on the series
/// itself, with prediction intervals calibrated on that backtest's errors (split conformal):
/// errors at each horizon are scaled by a fitted growth curve, and their empirical quantiles give
/// the 80 % and 95 % bounds. Bounds are never negative for a non-negative series.
public struct AutoForecaster: Sendable {
    public var methods: [ForecastMethod]
    /// Season of the MASE scale (1 for none).
    public var scaleSeason: Int
    /// Backtest windows; each forecasts `h` points (or fewer on a short series).
    public var windows: Int
    /// Also consider the median of all methods, and the mean of the best three.
    public var combinations: Bool
    /// Further windows, before the selection windows, on which only the chosen method runs: more
    /// errors, out of the selection, to calibrate the intervals on.
    public var calibrationWindows: Int
    /// Replace outliers before fitting.
    public var cleanOutliers = true
    /// The method kept unless another's backtest MASE is lower by more than `challengerMargin`
    /// (a fraction); nil lets the lowest backtest error win.
    public var incumbent: String?
    public var challengerMargin = 0.10
    /// Indices of known event days (holidays, launches) in the history and beyond it.
    public var events: Set<Int> = []

    public init(
        methods: [ForecastMethod], scaleSeason: Int, windows: Int = 3, combinations: Bool = true,
        calibrationWindows: Int = 3
    ) {
        self.methods = methods
        self.scaleSeason = scaleSeason
        self.windows = windows
        self.combinations = combinations
        self.calibrationWindows = calibrationWindows
    }

    /// The automatic forecaster of a frequency: `MethodCatalog.automatic`'s methods, MASE scaled by
    /// the first season, and the frequency's incumbent.
    public static func automatic(frequency: Frequency, seasons: [Int], events: Set<Int> = []) -> AutoForecaster {
        var forecaster = AutoForecaster(
            methods: MethodCatalog.automatic(frequency: frequency, seasons: seasons, events: events),
            scaleSeason: seasons.first ?? 1)
        forecaster.incumbent = MethodCatalog.incumbent(frequency: frequency)
        forecaster.events = events
        return forecaster
    }

    /// The forecast of a method or of a combination named as the backtest names them.
    func forecast(named name: String, _ y: [Double], _ h: Int) -> [Double]? {
        if name == "Median" {
            let all = methods.compactMap { $0.forecast(y, h) }
            return all.count >= 3 ? Self.median(all) : nil
        }
        if name.hasPrefix("Mean(") {
            let members = name.dropFirst(5).dropLast().components(separatedBy: ", ")
            let parts = methods.filter { members.contains($0.name) }.compactMap { $0.forecast(y, h) }
            return parts.count == members.count ? Self.mean(parts) : nil
        }
        if let method = methods.first(where: { $0.name == name }) { return method.forecast(y, h) }
        return name == ForecastMethod.naive.name ? ForecastMethod.naive.forecast(y, h) : nil
    }

    /// The result of forecasting one series.
    public struct Result: Sendable {
        public var point: [Double]
        public var lower80: [Double]
        public var upper80: [Double]
        public var lower95: [Double]
        public var upper95: [Double]
        /// The method chosen.
        public var model: String
        /// Its mean MASE over the backtest windows (nil without a backtest).
        public var backtestMASE: Double?
        /// What the forecaster had to decide and why (short history, fallback, …).
        public var notes: [String]
    }

    /// Forecasts `h` periods after `raw`, after replacing its outliers (see `OutlierCleaner`).
    public func forecast(_ raw: [Double], h: Int) -> Result {
        // A history ending on a known event day (a holiday) must not start the forecast from it.
        let cleaned =
            cleanOutliers
            ? OutlierCleaner.clean(raw, period: scaleSeason, lastMayChange: events.contains(raw.count - 1))
            : OutlierCleaner.Cleaned(values: raw, replaced: [])
        var result = forecastClean(cleaned.values, actual: raw, h: h)
        if !cleaned.replaced.isEmpty {
            let shown = cleaned.replaced.prefix(5).map { String($0 + 1) }.joined(separator: ", ")
            result.notes.append(
                "\(cleaned.replaced.count) outlier\(cleaned.replaced.count == 1 ? "" : "s") replaced by the fitted value before fitting (period \(shown)\(cleaned.replaced.count > 5 ? ", …" : ""))"
            )
        }
        return result
    }

    /// Forecasts from `y` (outliers replaced); backtest errors are measured against `actual`.
    /// The steps: backtest every method, choose one, forecast with it from the whole history,
    /// and put intervals around that forecast from out-of-selection backtest errors.
    func forecastClean(_ y: [Double], actual: [Double], h: Int) -> Result {
        let n = y.count
        let nonNegative = y.allSatisfy { $0 >= 0 }
        var notes: [String] = []
        guard n >= 2 else {
            let value = y.first ?? 0
            notes.append("\(n) observation\(n == 1 ? "" : "s"): the last value is repeated, with no interval")
            let flat = [Double](repeating: value, count: h)
            return Result(
                point: flat, lower80: flat, upper80: flat, lower95: flat, upper95: flat, model: "Naive",
                backtestMASE: nil, notes: notes)
        }
        let backtest = self.backtest(y, actual: actual, h: h)
        let chosen = choose(backtest, y, h, notes: &notes)
        if backtest.horizon < h && !backtest.scores.isEmpty {
            notes.insert(
                "backtest horizon shortened to \(backtest.horizon) of \(h) periods: the history is short", at: 0)
        }
        var point = finalForecast(named: chosen, y, h, notes: &notes)
        if nonNegative { point = point.map { max(0, $0) } }
        let errors = intervalErrors(backtest, chosen: chosen, y, actual: actual)
        var result = Result(
            point: point, lower80: [], upper80: [], lower95: [], upper95: [], model: chosen,
            backtestMASE: backtest.scores[chosen], notes: notes)
        let bands = ConformalIntervals.bands(
            errors: errors, horizon: h, fallbackScale: Self.fallbackScale(y, season: scaleSeason))
        for k in 0..<h {
            result.lower80.append(point[k] + bands.lower80[k])
            result.upper80.append(point[k] + bands.upper80[k])
            result.lower95.append(point[k] + bands.lower95[k])
            result.upper95.append(point[k] + bands.upper95[k])
        }
        if nonNegative {
            result.lower80 = result.lower80.map { max(0, $0) }
            result.lower95 = result.lower95.map { max(0, $0) }
        }
        if errors.isEmpty {
            result.notes.append("intervals from the series' seasonal differences: too short to backtest")
        }
        return result
    }

    /// Mean absolute seasonal difference of the training data: the MASE scale (1 when it is 0).
    public static func scale(_ y: [Double], season: Int) -> Double {
        let m = y.count > season ? season : 1
        guard y.count > m else { return 1 }
        var sum = 0.0
        for t in m..<y.count { sum += abs(y[t] - y[t - m]) }
        let value = sum / Double(y.count - m)
        return value > 0 ? value : 1
    }

    static func fallbackScale(_ y: [Double], season: Int) -> Double { scale(y, season: season) }

    static func meanMASE(_ forecasts: [[Double]], _ actuals: [[Double]], _ scales: [Double]) -> Double {
        guard !forecasts.isEmpty else { return .infinity }
        var total = 0.0
        for w in forecasts.indices {
            let mae = zip(forecasts[w], actuals[w]).reduce(0) { $0 + abs($1.0 - $1.1) } / Double(actuals[w].count)
            total += mae / scales[w]
        }
        return total / Double(forecasts.count)
    }

    static func median(_ forecasts: [[Double]]) -> [Double] {
        guard let first = forecasts.first else { return [] }
        return (0..<first.count).map { k in
            let values = forecasts.map { $0[k] }.sorted()
            let n = values.count
            return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2
        }
    }

    static func mean(_ forecasts: [[Double]]) -> [Double] {
        guard let first = forecasts.first else { return [] }
        return (0..<first.count).map { k in forecasts.reduce(0) { $0 + $1[k] } / Double(forecasts.count) }
    }
}

/// Interval offsets from backtest errors (split conformal with a horizon scale).
enum ConformalIntervals {
    struct Bands {
        var lower80: [Double]
        var upper80: [Double]
        var lower95: [Double]
        var upper95: [Double]
    }

    /// Errors[window][step] → offsets per step 1…h. The spread of errors grows with the horizon
    /// as a·k^b (fitted to the mean absolute error per step, b between 0 and 1); errors divided by
    /// that curve are pooled, and their empirical quantiles (with the finite-sample correction)
    /// scale it back.
    static func bands(errors: [[Double]], horizon h: Int, fallbackScale: Double) -> Bands {
        let steps = errors.first?.count ?? 0
        guard steps > 0, errors.count * steps >= 8 else {
            // No backtest: ±z·scale·√k, a random walk's growth.
            let z80 = 1.2816
            let z95 = 1.96
            let grow = (1...max(h, 1)).prefix(h).map { fallbackScale * Double($0).squareRoot() }
            return Bands(
                lower80: grow.map { -z80 * $0 }, upper80: grow.map { z80 * $0 }, lower95: grow.map { -z95 * $0 },
                upper95: grow.map { z95 * $0 })
        }
        // Mean absolute error per step, and a power-law fit of it.
        var mae = [Double](repeating: 0, count: steps)
        for k in 0..<steps { mae[k] = errors.reduce(0) { $0 + abs($1[k]) } / Double(errors.count) + 1e-12 }
        let xs = (1...steps).map { log(Double($0)) }
        let ys = mae.map { log($0) }
        var b = 0.0
        if steps >= 2 {
            let mx = xs.reduce(0, +) / Double(steps)
            let my = ys.reduce(0, +) / Double(steps)
            var sxy = 0.0
            var sxx = 0.0
            for i in 0..<steps {
                sxy += (xs[i] - mx) * (ys[i] - my)
                sxx += (xs[i] - mx) * (xs[i] - mx)
            }
            b = sxx > 0 ? min(1, max(0, sxy / sxx)) : 0
        }
        // Level a so that the curve matches the errors' overall size.
        let meanRatio = (0..<steps).reduce(0) { $0 + mae[$1] / pow(Double($1 + 1), b) } / Double(steps)
        let curve = { (k: Int) -> Double in max(meanRatio * pow(Double(k), b), 1e-12) }
        var scaled: [Double] = []
        for window in errors { for k in 0..<steps { scaled.append(window[k] / curve(k + 1)) } }
        scaled.sort()
        func quantile(_ p: Double) -> Double {
            // Split-conformal rank: ⌈(n + 1)p⌉ of n, clamped.
            let n = scaled.count
            let rank = min(max(Int((Double(n + 1) * p).rounded(.up)), 1), n)
            return scaled[rank - 1]
        }
        let q = (lo80: quantile(0.10), hi80: quantile(0.90), lo95: quantile(0.025), hi95: quantile(0.975))
        let grow = (1...max(h, 1)).prefix(h).map { curve($0) }
        return Bands(
            lower80: grow.map { min(0, q.lo80) * $0 }, upper80: grow.map { max(0, q.hi80) * $0 },
            lower95: grow.map { min(0, q.lo95) * $0 }, upper95: grow.map { max(0, q.hi95) * $0 })
    }
}
