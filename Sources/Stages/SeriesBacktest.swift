import Forecasting
import Foundation
import PhasecastCore

/// Rolling-origin backtest of forecasting methods on a series file: window k (k = 0 is the
/// last) trains on the first n − H − k·S points and forecasts the next H, and each method is
/// scored by MASE (scaled by the first season), sMAPE and interval coverage.
public struct SeriesBacktest {
    public var horizon: Int
    public var windows: Int
    public var step: Int
    public var frequency: Frequency

    public init(horizon: Int, windows: Int, step: Int, frequency: Frequency) {
        self.horizon = horizon
        self.windows = windows
        self.step = step
        self.frequency = frequency
    }

    /// One method's scores summed over the series × windows it ran on.
    public struct Score: Sendable {
        public var mase = 0.0
        public var smape = 0.0
        public var covered80 = 0
        public var covered95 = 0
        public var points = 0
        public var windows = 0
    }

    /// What a backtest made: every forecast row, the scores in the order methods first appeared,
    /// and how often the automatic choice picked each method.
    public struct Outcome: Sendable {
        public var rows: [ForecastRow]
        public var scores: [(label: String, score: Score)]
        public var chosen: [String: Int]
        public var jobs: Int
    }

    /// Runs every (series, window) on all cores. `seasons` gives a series' seasonal periods
    /// from its length; `selection` the methods to run.
    public func run(
        _ file: SeriesFile, seasons: (Int) -> [Int], selection: (auto: Bool, methods: [ForecastMethod])
    ) -> Outcome {
        let h = horizon
        var jobs: [(series: Int, window: Int)] = []
        for (index, series) in file.series.enumerated() {
            for k in stride(from: windows - 1, through: 0, by: -1) where series.values.count - h - k * step >= 2 {
                jobs.append((index, k))
            }
        }
        let seasonsBySeries = file.series.map { seasons($0.values.count) }
        let step = self.step
        let frequency = self.frequency
        let outputs = parallelMap(jobs.count) {
            j -> [(label: String, rows: [ForecastRow], score: Score, chosen: String)] in
            let series = file.series[jobs[j].series]
            let seasons = seasonsBySeries[jobs[j].series]
            let trainCount = series.values.count - h - jobs[j].window * step
            let train = Array(series.values[..<trainCount])
            let actual = Array(series.values[trainCount..<(trainCount + h)])
            let cutoff = SeriesFile.format(series.stamps[trainCount - 1], frequency)
            let scale = AutoForecaster.scale(train, season: seasons.first ?? 1)
            return runMethods(train, h: h, frequency: frequency, seasons: seasons, selection: selection).map {
                label, result in
                var score = Score(windows: 1)
                var rows: [ForecastRow] = []
                for k in 0..<h {
                    rows.append(
                        ForecastRow(
                            id: series.id, cutoff: cutoff,
                            ds: SeriesFile.format(series.stamps[trainCount + k], frequency), yhat: result.point[k],
                            lo80: result.lower80[k], hi80: result.upper80[k], lo95: result.lower95[k],
                            hi95: result.upper95[k], model: label))
                    let y = actual[k]
                    let f = result.point[k]
                    let denominator = abs(y) + abs(f)
                    score.smape += denominator > 0 ? 200 * abs(y - f) / denominator / Double(h) : 0
                    score.mase += abs(y - f) / scale / Double(h)
                    if y >= result.lower80[k] && y <= result.upper80[k] { score.covered80 += 1 }
                    if y >= result.lower95[k] && y <= result.upper95[k] { score.covered95 += 1 }
                    score.points += 1
                }
                return (label, rows, score, result.model)
            }
        }
        var rows: [ForecastRow] = []
        var scores: [String: Score] = [:]
        var order: [String] = []
        var chosen: [String: Int] = [:]
        for output in outputs {
            for entry in output {
                rows += entry.rows
                if scores[entry.label] == nil { order.append(entry.label) }
                var total = scores[entry.label] ?? Score()
                total.mase += entry.score.mase
                total.smape += entry.score.smape
                total.covered80 += entry.score.covered80
                total.covered95 += entry.score.covered95
                total.points += entry.score.points
                total.windows += 1
                scores[entry.label] = total
                if entry.label == "auto" { chosen[entry.chosen, default: 0] += 1 }
            }
        }
        return Outcome(
            rows: rows, scores: order.map { ($0, scores[$0] ?? Score()) }, chosen: chosen, jobs: jobs.count)
    }
}
