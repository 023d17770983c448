import Forecasting
import Foundation

/// One series' forecast as the ledger stores it: the point and interval bounds per day ahead,
/// the method, its backtest MASE and notes.
struct SeriesOutcome: Sendable, Equatable {
    var point: [Double]
    var lower80: [Double]
    var upper80: [Double]
    var lower95: [Double]
    var upper95: [Double]
    var method: String
    var backtestMASE: Double?
    var notes: [String]

    init(_ result: AutoForecaster.Result) {
        point = result.point
        lower80 = result.lower80
        upper80 = result.upper80
        lower95 = result.lower95
        upper95 = result.upper95
        method = result.model
        backtestMASE = result.backtestMASE
        notes = result.notes
    }

    init(
        point: [Double], lower80: [Double], upper80: [Double], lower95: [Double], upper95: [Double], method: String,
        backtestMASE: Double?, notes: [String]
    ) {
        self.point = point
        self.lower80 = lower80
        self.upper80 = upper80
        self.lower95 = lower95
        self.upper95 = upper95
        self.method = method
        self.backtestMASE = backtestMASE
        self.notes = notes
    }

    /// The fleet total of per-model forecasts (bottom-up): the points add up exactly; each
    /// interval's half-widths below and above the point combine as independent errors,
    /// √(Σ half-width²), and no bound goes below zero. It has no backtest of its own.
    static func total(of parts: [SeriesOutcome]) -> SeriesOutcome {
        let h = parts.map(\.point.count).min() ?? 0
        func sum(_ k: Int) -> Double { parts.reduce(0) { $0 + $1.point[k] } }
        func combined(_ bound: KeyPath<SeriesOutcome, [Double]>, _ k: Int) -> Double {
            parts.reduce(0) { total, part in
                let width = part[keyPath: bound][k] - part.point[k]
                return total + width * width
            }.squareRoot()
        }
        let point = (0..<h).map(sum)
        return SeriesOutcome(
            point: point,
            lower80: (0..<h).map { max(0, point[$0] - combined(\.lower80, $0)) },
            upper80: (0..<h).map { point[$0] + combined(\.upper80, $0) },
            lower95: (0..<h).map { max(0, point[$0] - combined(\.lower95, $0)) },
            upper95: (0..<h).map { point[$0] + combined(\.upper95, $0) },
            method: "sum of \(parts.count) model\(parts.count == 1 ? "" : "s")", backtestMASE: nil,
            notes: [
                "bottom-up: the sum of the per-model forecasts, intervals combined as independent errors"
            ])
    }
}
