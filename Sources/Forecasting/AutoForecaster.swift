import Foundation
import PhasecastCore

/// Forecasts a series with the method that did best in a rolling-origin backtest on the series
/// itself, with prediction intervals calibrated on that backtest's errors (split conformal).
/// Series of one database forecast together (`forecast(pool:h:)`) also learn from each other: a
/// method's skill across the pool weighs on each series' choice, more so when its own backtest
/// has few windows, and the spread of the pool's errors steadies each series' intervals.
public struct AutoForecaster: Sendable {
    public var methods: [ForecastMethod]
    /// Season of the MASE scale (1 for none).
    public var scaleSeason: Int
    /// Backtest origins; each forecasts `h` points (or fewer on a short series).
    public var windows: Int
    /// Periods between backtest origins (nil: the backtest horizon). Shorter than the horizon on
    /// short histories, so that more origins fit in the history.
    public var backtestStep: Int?
    /// Also consider the mean of the best three methods.
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
    /// How many backtest windows the pool's evidence counts for at least against a series' own:
    /// with k windows of its own, a series weighs its own backtest by k / (k + poolWeight) at
    /// most, less when the pool's series agree (`PoolEvidence.ownWeight`).
    public var poolWeight = 0.0
    /// The same for the intervals: how many windows of errors the pool's spread counts for (at
    /// least `poolWeight`). Pooled spreads brought interval coverage nearer the nominal on
    /// every benchmark set, long histories included.
    public var intervalPoolWeight = 0.0
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

    /// The automatic forecaster of a frequency and history length: `MethodCatalog.automatic`'s
    /// methods, MASE scaled by the first season, the frequency's incumbent, and on short
    /// histories more origins a fraction of the horizon apart.
    public static func automatic(
        frequency: Frequency, seasons: [Int], length: Int = .max, horizon: Int = 0, events: Set<Int> = []
    ) -> AutoForecaster {
        var forecaster = AutoForecaster(
            methods: MethodCatalog.automatic(frequency: frequency, seasons: seasons, length: length, events: events),
            scaleSeason: seasons.first ?? 1)
        forecaster.incumbent = MethodCatalog.incumbent(frequency: frequency)
        forecaster.events = events
        // Hourly series are used as they are: replacing their spikes cost accuracy on every
        // hourly benchmark set. Daily series lose holidays and one-off bursts before fitting.
        forecaster.cleanOutliers = frequency == .daily
        // A long history's own backtest counts in full unless the pool's series agree on methods
        // (`PoolEvidence.ownWeight`); a short one's also counts k / (k + 2) at most.
        forecaster.poolWeight = 0
        forecaster.intervalPoolWeight = 4
        if MethodCatalog.isShort(frequency: frequency, length: length), horizon > 0 {
            forecaster.windows = 6
            forecaster.backtestStep = max(1, horizon / 2)
            forecaster.poolWeight = 2
        }
        return forecaster
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
        Self.forecast(pool: [(self, raw)], h: h)[0]
    }

    /// Forecasts every series of a pool `h` periods ahead, each with its own forecaster, in
    /// parallel; results in the pool's order.
    public static func forecast(pool: [(forecaster: AutoForecaster, values: [Double])], h: Int) -> [Result] {
        let prepared = parallelMap(pool.count) { pool[$0].forecaster.prepare(pool[$0].values, h: h) }
        let skill = PoolEvidence.skill(prepared.map(\.backtest))
        let ownWeight = PoolEvidence.ownWeight(prepared.map(\.backtest))
        let chosen = parallelMap(pool.count) { index -> Choice in
            pool[index].forecaster.choose(
                prepared[index], h: h, poolSkill: skill, poolSize: pool.count, poolOwnWeight: ownWeight)
        }
        let pooledErrors = chosen.flatMap(\.scaledErrors)
        return parallelMap(pool.count) { index in
            pool[index].forecaster.finish(prepared[index], chosen[index], h: h, pooledErrors: pooledErrors)
        }
    }

    /// The forecast of a method or of a combination named as the backtest names them, by the
    /// methods given (the series' specialized ones).
    func forecast(named name: String, among methods: [ForecastMethod], _ y: [Double], _ h: Int) -> [Double]? {
        if name.hasPrefix("Mean(") {
            let members = name.dropFirst(5).dropLast().components(separatedBy: ", ")
            let parts = methods.filter { members.contains($0.name) }.compactMap { $0.forecast(y, h) }
            return parts.count == members.count ? Self.mean(parts) : nil
        }
        if let method = methods.first(where: { $0.name == name }) { return method.forecast(y, h) }
        return name == ForecastMethod.naive.name ? ForecastMethod.naive.forecast(y, h) : nil
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

    static func meanMASE(_ forecasts: [[Double]], _ actuals: [[Double]], _ scales: [Double]) -> Double {
        guard !forecasts.isEmpty else { return .infinity }
        var total = 0.0
        for w in forecasts.indices {
            let mae = zip(forecasts[w], actuals[w]).reduce(0) { $0 + abs($1.0 - $1.1) } / Double(actuals[w].count)
            total += mae / scales[w]
        }
        return total / Double(forecasts.count)
    }

    static func mean(_ forecasts: [[Double]]) -> [Double] {
        guard let first = forecasts.first else { return [] }
        return (0..<first.count).map { k in forecasts.reduce(0) { $0 + $1[k] } / Double(forecasts.count) }
    }
}
