import Foundation

/// A way to forecast a series: given its history, the next `h` values. Intervals and the choice
/// between methods come from backtests, in `AutoForecaster`.
public struct ForecastMethod: Sendable {
    public let name: String
    /// Fewest observations the method needs.
    public let minimumLength: Int
    let run: @Sendable ([Double], Int) -> [Double]?
    /// Fixes what the method chooses about a series' form (an ETS model, ARIMA orders) from a
    /// history, so that later fits only estimate parameters; nil for methods with nothing to fix.
    let specialize: (@Sendable ([Double]) -> ForecastMethod?)?

    public init(
        name: String, minimumLength: Int, specialize: (@Sendable ([Double]) -> ForecastMethod?)? = nil,
        run: @escaping @Sendable ([Double], Int) -> [Double]?
    ) {
        self.name = name
        self.minimumLength = minimumLength
        self.specialize = specialize
        self.run = run
    }

    /// The method with its form chosen on `history` (the data before the first backtest origin,
    /// so that the backtest stays honest): itself when it has nothing to fix or the history
    /// does not suit it.
    public func specialized(for history: [Double]) -> ForecastMethod {
        guard history.count >= minimumLength, let specialize, let fixed = specialize(history) else { return self }
        return fixed
    }

    /// Point forecasts, or nil when the history does not suit the method.
    public func forecast(_ y: [Double], _ h: Int) -> [Double]? {
        guard y.count >= minimumLength, h > 0 else { return nil }
        guard let values = run(y, h), values.count == h, values.allSatisfy({ $0.isFinite }) else { return nil }
        return values
    }
}

extension ForecastMethod {
    /// The last value, repeated.
    public static let naive = ForecastMethod(name: "Naive", minimumLength: 1) { y, h in
        [Double](repeating: y[y.count - 1], count: h)
    }

    /// The last value with the season put back (M4's Naive2): the seasonally adjusted series'
    /// last value, reseasonalized; plain Naive when the series shows no season at `m`.
    public static func seasonallyAdjustedNaive(_ m: Int) -> ForecastMethod {
        ForecastMethod(name: "Naive2", minimumLength: 1) { y, h in
            guard let adjustment = SeasonalAdjustment.of(y, period: m) else {
                return [Double](repeating: y[y.count - 1], count: h)
            }
            let adjusted = adjustment.adjust(y)
            return adjustment.reseasonalize([Double](repeating: adjusted[adjusted.count - 1], count: h), after: y.count)
        }
    }

    /// Simple exponential smoothing of the seasonally adjusted series, the season put back: a
    /// level that follows shifts but not single spikes.
    public static func ses(_ m: Int) -> ForecastMethod {
        ForecastMethod(name: "SES", minimumLength: 4) { y, h in
            let adjustment = SeasonalAdjustment.of(y, period: m)
            let level = SimpleExponentialSmoothing.level(adjustment?.adjust(y) ?? y).level
            let flat = [Double](repeating: level, count: h)
            return adjustment?.reseasonalize(flat, after: y.count) ?? flat
        }
    }

    /// The last season, repeated.
    public static func seasonalNaive(_ m: Int) -> ForecastMethod {
        ForecastMethod(name: "SeasonalNaive(\(m))", minimumLength: m) { y, h in
            (0..<h).map { y[y.count - m + $0 % m] }
        }
    }

    /// The mean of the last `k` seasons, position by position, raised or lowered by the change
    /// of level between those seasons and the latest one.
    public static func seasonalMean(_ m: Int, seasons k: Int) -> ForecastMethod {
        ForecastMethod(name: "SeasonalMean(\(m)×\(k))", minimumLength: m * k) { y, h in
            let n = y.count
            var profile = [Double](repeating: 0, count: m)
            for season in 0..<k {
                for i in 0..<m { profile[i] += y[n - (season + 1) * m + i] / Double(k) }
            }
            let latest = y[(n - m)..<n].reduce(0, +) / Double(m)
            let average = profile.reduce(0, +) / Double(m)
            let shift = latest - average
            return (0..<h).map { profile[$0 % m] + shift }
        }
    }

    /// ETS chosen by AICc (seasonal only for periods up to 24); specialized, the model chosen
    /// on the earlier history is refitted.
    public static func ets(_ m: Int) -> ForecastMethod {
        ForecastMethod(
            name: "ETS", minimumLength: 8,
            specialize: { history in
                guard let model = ExponentialSmoothing.auto(history, period: m)?.model else { return nil }
                return ForecastMethod(name: "ETS", minimumLength: 8) { y, h in
                    (ExponentialSmoothing.fit(y, model: model) ?? ExponentialSmoothing.auto(y, period: m))?.forecast(h)
                }
            }
        ) { y, h in
            ExponentialSmoothing.auto(y, period: m)?.forecast(h)
        }
    }

    /// The Theta method with θ optimized, on seasonally adjusted data; with `window`, fitted to
    /// the recent part of the history only (its slope follows the latest trend).
    public static func theta(_ m: Int, window: Int? = nil) -> ForecastMethod {
        ForecastMethod(name: window == nil ? "Theta" : "Theta-recent", minimumLength: 8) { y, h in
            Theta.fit(Array(y.suffix(window ?? y.count)), period: m, optimized: true)?.forecast(h)
        }
    }

    /// MSTL decomposition; the seasonal components continue their last cycle, the seasonally
    /// adjusted series is forecast by ETS (no season) fitted to its recent part.
    /// With `logScale` (positive series only), on log(y): multiplicative seasons and growth.
    public static func mstl(
        _ periods: [Int], robust: Bool = false, logScale: Bool = false, window: Int? = nil
    ) -> ForecastMethod {
        let name = (robust ? "MSTL-robust" : "MSTL") + (logScale ? "-log" : "")
        return ForecastMethod(name: name, minimumLength: 2 * (periods.min() ?? 2) + 2) { raw, h in
            if logScale { guard raw.allSatisfy({ $0 > 0 }) else { return nil } }
            let y = logScale ? raw.map { log($0) } : raw
            let decomposition = MSTL(periods: periods, robust: robust).decompose(y)
            let adjusted = decomposition.seasonallyAdjusted(y)
            // The trend forecaster may see only a window of recent history, to follow the latest level.
            let recent = Array(adjusted.suffix(min(adjusted.count, window ?? adjusted.count)))
            // Additive errors only: the multiplicative ones were no more accurate on the
            // benchmark sets and cost a logarithm a step.
            guard let trend = ExponentialSmoothing.auto(recent, period: 1, additiveOnly: true) else { return nil }
            var forecast = trend.forecast(h)
            for (index, period) in decomposition.periodsUsed.enumerated() {
                let seasonal = decomposition.seasonals[index]
                for k in 0..<h { forecast[k] += seasonal[y.count - period + k % period] }
            }
            return logScale ? forecast.map { exp($0) } : forecast
        }
    }

    /// Trend plus Fourier seasonality with changepoints (see `FourierRegression`).
    public static func fourier(
        _ periods: [(period: Double, order: Int)], logScale: Bool, events: Set<Int> = []
    ) -> ForecastMethod {
        ForecastMethod(name: logScale ? "Fourier-log" : "Fourier", minimumLength: 16) { y, h in
            // Recent history only: the trend of long ago says little about next month.
            FourierRegression.fit(y, periods: periods, logScale: logScale, events: events)?.forecast(h)
        }
    }
}

extension ForecastMethod {
    /// Seasonal ARIMA by stepwise search (`AutoARIMA`), with Fourier terms of a yearly season as
    /// regressors when `yearlyOrder` is above 0 and the history holds two years, and a regressor
    /// for event days.
    public static func arima(_ m: Int, yearlyOrder: Int = 0, events: Set<Int> = []) -> ForecastMethod {
        @Sendable func regressors(_ n: Int, _ h: Int) -> AutoARIMA.Regressors? {
            var columns: [[Double]] = []
            if yearlyOrder > 0 && n >= 2 * 365 {
                for k in 1...yearlyOrder {
                    let frequency = 2 * Double.pi * Double(k) / 365.25
                    columns.append((0..<(n + h)).map { sin(frequency * Double($0)) })
                    columns.append((0..<(n + h)).map { cos(frequency * Double($0)) })
                }
            }
            // An event regressor only when the history holds an event to estimate it from.
            if events.contains(where: { $0 < n }) {
                columns.append((0..<(n + h)).map { events.contains($0) ? 1 : 0 })
            }
            return columns.isEmpty ? nil : AutoARIMA.Regressors(columns: columns)
        }
        return ForecastMethod(
            name: "ARIMA", minimumLength: 16,
            specialize: { history in
                guard
                    let order = AutoARIMA(period: m).fit(history, regressors: regressors(history.count, 0))?.arima.order
                else { return nil }
                return ForecastMethod(name: "ARIMA", minimumLength: 16) { y, h in
                    AutoARIMA(period: m).fit(y, order: order, regressors: regressors(y.count, h))?.forecast(h)
                }
            }
        ) { y, h in
            AutoARIMA(period: m).fit(y, regressors: regressors(y.count, h))?.forecast(h)
        }
    }
}
