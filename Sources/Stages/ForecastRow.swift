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

/// Runs the selected methods on one training series; returns (label, result) pairs. `events`
/// are indices (in the series and its future) of event days, for the regression method.
public func runMethods(
    _ train: [Double], h: Int, frequency: Frequency, seasons: [Int], selection: (auto: Bool, methods: [ForecastMethod]),
    events: Set<Int> = []
) -> [(label: String, result: AutoForecaster.Result)] {
    var results: [(String, AutoForecaster.Result)] = []
    let catalog = MethodCatalog.methods(frequency: frequency, seasons: seasons, events: events)
    if selection.auto {
        let forecaster = AutoForecaster.automatic(frequency: frequency, seasons: seasons, events: events)
        results.append(("auto", forecaster.forecast(train, h: h)))
    }
    for named in selection.methods {
        let method = catalog.first { $0.name == named.name } ?? named
        // A single method still gets backtest-calibrated intervals.
        let forecaster = AutoForecaster(methods: [method], scaleSeason: seasons.first ?? 1, combinations: false)
        results.append((method.name, forecaster.forecast(train, h: h)))
    }
    return results
}
