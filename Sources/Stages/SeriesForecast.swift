import Forecasting
import Foundation
import PhasecastCore

/// Forecasts every series of a series file `horizon` periods past its end (cutoff = the last
/// observed period), with the selected methods, on all cores: what `phasecast forecast
/// --series` writes.
public struct SeriesForecast {
    public var horizon: Int
    public var frequency: Frequency
    /// Days since the epoch of event days, for the regression method.
    public var eventDays: Set<Int64>

    public init(horizon: Int, frequency: Frequency, eventDays: Set<Int64>) {
        self.horizon = horizon
        self.frequency = frequency
        self.eventDays = eventDays
    }

    /// The method a series was forecast with, under the label it was asked for by.
    public struct Choice: Sendable {
        public var series: String
        public var label: String
        public var method: String
        public var backtestMASE: Double?
        public var notes: [String]
    }

    /// The forecasts of every series and method, in file order, and the choices made.
    public func run(
        _ file: SeriesFile, seasons: (Int) -> [Int], selection: (auto: Bool, methods: [ForecastMethod])
    ) -> (rows: [ForecastRow], choices: [Choice]) {
        let h = horizon
        let frequency = self.frequency
        let step = frequency == .daily ? UTCTime.microsPerDay : UTCTime.microsPerHour
        let events = eventDays
        let seasonsBySeries = file.series.map { seasons($0.values.count) }
        let pool = file.series.enumerated().map { index, series -> PoolMember in
            let first = series.stamps.first ?? 0
            let eventIndexes = Set(
                events.compactMap { day -> Int? in
                    let offset = (day * UTCTime.microsPerDay - first) / step
                    return offset >= 0 ? Int(offset) : nil
                })
            return PoolMember(values: series.values, seasons: seasonsBySeries[index], events: eventIndexes)
        }
        let results = runMethods(pool: pool, h: h, frequency: frequency, selection: selection)
        let outputs = file.series.enumerated().map { index, series -> (rows: [ForecastRow], choices: [Choice]) in
            guard let last = series.stamps.last else { return ([], []) }
            let cutoff = SeriesFile.format(last, frequency)
            var rows: [ForecastRow] = []
            var choices: [Choice] = []
            for (label, result) in results[index] {
                choices.append(
                    Choice(
                        series: series.id, label: label, method: result.model, backtestMASE: result.backtestMASE,
                        notes: result.notes))
                for k in 0..<h {
                    rows.append(
                        ForecastRow(
                            id: series.id, cutoff: cutoff, ds: SeriesFile.format(last + Int64(k + 1) * step, frequency),
                            yhat: result.point[k], lo80: result.lower80[k], hi80: result.upper80[k],
                            lo95: result.lower95[k], hi95: result.upper95[k], model: label))
                }
            }
            return (rows, choices)
        }
        return (outputs.flatMap(\.rows), outputs.flatMap(\.choices))
    }
}
