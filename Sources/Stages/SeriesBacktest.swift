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

    /// One method's scores summed over the series × windows it ran on, with the interval
    /// coverage also per quarter of the horizon (where intervals most often go wrong: late).
    public struct Score: Sendable {
        public var mase = 0.0
        public var smape = 0.0
        public var covered80 = 0
        public var covered95 = 0
        public var points = 0
        public var windows = 0
        /// Per quarter of the horizon: points, and those inside the 80 % and 95 % intervals.
        public var bucketPoints = [0, 0, 0, 0]
        public var bucketCovered80 = [0, 0, 0, 0]
        public var bucketCovered95 = [0, 0, 0, 0]

        /// The quarter of a horizon of `h` periods that step `k` (0-based) falls in.
        public static func bucket(step k: Int, horizon h: Int) -> Int { min(3, 4 * k / max(h, 1)) }

        /// Steps 1-based of each quarter, as "1–6".
        public static func bucketLabel(_ bucket: Int, horizon h: Int) -> String {
            let steps = (0..<h).filter { Self.bucket(step: $0, horizon: h) == bucket }
            guard let first = steps.first, let last = steps.last else { return "–" }
            return first == last ? "\(first + 1)" : "\(first + 1)–\(last + 1)"
        }

        /// Scores one forecast period: step `step` of `horizon`, the actual value, MASE scale.
        mutating func add(actual y: Double, result: AutoForecaster.Result, step k: Int, scale: Double, horizon h: Int) {
            let f = result.point[k]
            let denominator = abs(y) + abs(f)
            smape += denominator > 0 ? 200 * abs(y - f) / denominator / Double(h) : 0
            mase += abs(y - f) / scale / Double(h)
            let bucket = Self.bucket(step: k, horizon: h)
            bucketPoints[bucket] += 1
            points += 1
            if y >= result.lower80[k] && y <= result.upper80[k] {
                covered80 += 1
                bucketCovered80[bucket] += 1
            }
            if y >= result.lower95[k] && y <= result.upper95[k] {
                covered95 += 1
                bucketCovered95[bucket] += 1
            }
        }

        /// Adds another window's score.
        mutating func merge(_ other: Score) {
            mase += other.mase
            smape += other.smape
            covered80 += other.covered80
            covered95 += other.covered95
            points += other.points
            windows += other.windows
            for b in 0..<4 {
                bucketPoints[b] += other.bucketPoints[b]
                bucketCovered80[b] += other.bucketCovered80[b]
                bucketCovered95[b] += other.bucketCovered95[b]
            }
        }
    }

    /// What a backtest made: every forecast row, the scores in the order methods first appeared,
    /// and how often the automatic choice picked each method.
    public struct Outcome: Sendable {
        public var rows: [ForecastRow]
        public var scores: [(label: String, score: Score)]
        public var chosen: [String: Int]
        public var jobs: Int
    }

    /// Runs every (series, window): the series of one origin form a pool, forecast on all
    /// cores. `seasons` gives a series' seasonal periods from its length; `selection` the
    /// methods to run.
    public func run(
        _ file: SeriesFile, seasons: (Int) -> [Int], selection: (auto: Bool, methods: [ForecastMethod])
    ) -> Outcome {
        let h = horizon
        let seasonsBySeries = file.series.map { seasons($0.values.count) }
        var outputs:
            [(series: Int, window: Int, entries: [(label: String, rows: [ForecastRow], score: Score, chosen: String)])] =
                []
        var jobs = 0
        for k in stride(from: windows - 1, through: 0, by: -1) {
            let members = file.series.indices.filter { file.series[$0].values.count - h - k * step >= 2 }
            jobs += members.count
            let pool = members.map { index -> PoolMember in
                let series = file.series[index]
                let trainCount = series.values.count - h - k * step
                return PoolMember(values: Array(series.values[..<trainCount]), seasons: seasonsBySeries[index])
            }
            let results = runMethods(pool: pool, h: h, frequency: frequency, selection: selection)
            for (position, index) in members.enumerated() {
                let series = file.series[index]
                let trainCount = pool[position].values.count
                let actual = Array(series.values[trainCount..<(trainCount + h)])
                let cutoff = SeriesFile.format(series.stamps[trainCount - 1], frequency)
                let scale = AutoForecaster.scale(pool[position].values, season: seasonsBySeries[index].first ?? 1)
                outputs.append(
                    (
                        index, k,
                        results[position].map { label, result in
                            var score = Score(windows: 1)
                            var rows: [ForecastRow] = []
                            for k in 0..<h {
                                rows.append(
                                    ForecastRow(
                                        id: series.id, cutoff: cutoff,
                                        ds: SeriesFile.format(series.stamps[trainCount + k], frequency),
                                        yhat: result.point[k], lo80: result.lower80[k], hi80: result.upper80[k],
                                        lo95: result.lower95[k], hi95: result.upper95[k], model: label))
                                score.add(actual: actual[k], result: result, step: k, scale: scale, horizon: h)
                            }
                            return (label, rows, score, result.model)
                        }
                    ))
            }
        }
        // Rows by series, then by origin, oldest first.
        outputs.sort { ($0.series, -$0.window) < ($1.series, -$1.window) }
        var rows: [ForecastRow] = []
        var scores: [String: Score] = [:]
        var order: [String] = []
        var chosen: [String: Int] = [:]
        for output in outputs {
            for entry in output.entries {
                rows += entry.rows
                if scores[entry.label] == nil { order.append(entry.label) }
                scores[entry.label, default: Score()].merge(entry.score)
                if entry.label == "auto" { chosen[entry.chosen, default: 0] += 1 }
            }
        }
        return Outcome(
            rows: rows, scores: order.map { ($0, scores[$0] ?? Score()) }, chosen: chosen, jobs: jobs)
    }
}
