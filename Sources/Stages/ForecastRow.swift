import Forecasting
import Foundation

/// One line of a forecast file.
public struct ForecastRow: Sendable {
    public var id: String
    public var cutoff: String
    public var ds: String
    public var yhat: Double
    public var lo80: Double
    public var hi80: Double
    public var lo95: Double
    public var hi95: Double
    public var model: String

    public static let header = "unique_id,cutoff,ds,yhat,lo80,hi80,lo95,hi95,model"

    public var csv: String {
        [
            id, cutoff, ds, Self.number(yhat), Self.number(lo80), Self.number(hi80), Self.number(lo95),
            Self.number(hi95), model,
        ]
        .map { $0.contains(",") ? "\"\($0)\"" : $0 }.joined(separator: ",")
    }

    public init(
        id: String, cutoff: String, ds: String, yhat: Double, lo80: Double, hi80: Double, lo95: Double, hi95: Double,
        model: String
    ) {
        self.id = id
        self.cutoff = cutoff
        self.ds = ds
        self.yhat = yhat
        self.lo80 = lo80
        self.hi80 = hi80
        self.lo95 = lo95
        self.hi95 = hi95
        self.model = model
    }

    static func number(_ value: Double) -> String { String(format: "%.10g", value) }
}

/// One series to forecast with the others of its pool: its history, seasons and event indices
/// (in the series and its future, for the regression method).
public struct PoolMember: Sendable {
    public var values: [Double]
    public var seasons: [Int]
    public var events: Set<Int>

    public init(values: [Double], seasons: [Int], events: Set<Int> = []) {
        self.values = values
        self.seasons = seasons
        self.events = events
    }
}

/// Runs the selected methods on the series of one pool (the series of one database, or of one
/// backtest origin), each label's series together so that they learn from each other; returns
/// per member the (label, result) pairs, "auto" first.
public func runMethods(
    pool: [PoolMember], h: Int, frequency: Frequency, selection: (auto: Bool, methods: [ForecastMethod])
) -> [[(label: String, result: AutoForecaster.Result)]] {
    var results = [[(label: String, result: AutoForecaster.Result)]](repeating: [], count: pool.count)
    if selection.auto {
        let forecasters = pool.map {
            AutoForecaster.automatic(
                frequency: frequency, seasons: $0.seasons, length: $0.values.count, horizon: h, events: $0.events)
        }
        let outcome = AutoForecaster.forecast(pool: zip(forecasters, pool).map { ($0, $1.values) }, h: h)
        for index in pool.indices { results[index].append(("auto", outcome[index])) }
    }
    for named in selection.methods {
        // A single method still gets backtest-calibrated intervals.
        let forecasters = pool.map { member -> AutoForecaster in
            let catalog = MethodCatalog.methods(frequency: frequency, seasons: member.seasons, events: member.events)
            let method = catalog.first { $0.name == named.name } ?? named
            return AutoForecaster(methods: [method], scaleSeason: member.seasons.first ?? 1, combinations: false)
        }
        let outcome = AutoForecaster.forecast(pool: zip(forecasters, pool).map { ($0, $1.values) }, h: h)
        for index in pool.indices { results[index].append((named.name, outcome[index])) }
    }
    return results
}
