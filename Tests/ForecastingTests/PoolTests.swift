import Foundation
import Testing

@testable import Forecasting

@Suite struct PoolTests {
    /// A backtest with given scores and as many windows.
    func backtest(_ scores: [String: Double], windows: Int) -> AutoForecaster.Backtest {
        AutoForecaster.Backtest(
            horizon: 1, step: 1, windows: windows, forecasts: [:], actuals: [], scales: [], scores: scores,
            methods: [])
    }

    @Test func aFewWindowsLeanOnThePoolAndManyOnTheSeriesOwnBacktest() {
        var forecaster = AutoForecaster(methods: [], scaleSeason: 1)
        forecaster.poolWeight = 2
        // The series' own backtest prefers A by 5 %; across the pool B beats A by half.
        let own = ["A": 1.00, "B": 1.05]
        let skill = ["A": 1.5, "B": 1.0]
        var notes: [String] = []
        let few = forecaster.chooseName(
            backtest(own, windows: 1), [1, 2, 3], 1, poolSkill: skill, poolSize: 10, notes: &notes)
        #expect(few == "B")
        #expect(notes.contains { $0.contains("did better across the 10 series") }, "\(notes)")
        notes = []
        let many = forecaster.chooseName(
            backtest(own, windows: 100), [1, 2, 3], 1, poolSkill: skill, poolSize: 10, notes: &notes)
        #expect(many == "A")
        // A pool of one is the series itself.
        let alone = forecaster.chooseName(
            backtest(own, windows: 1), [1, 2, 3], 1, poolSkill: skill, poolSize: 1, notes: &notes)
        #expect(alone == "A")
    }

    /// A backtest of methods whose absolute errors per window are given (actuals 0, scale 1).
    func backtest(errors: [String: [Double]]) -> AutoForecaster.Backtest {
        let windows = errors.values.first?.count ?? 0
        return AutoForecaster.Backtest(
            horizon: 1, step: 1, windows: windows, forecasts: errors.mapValues { $0.map { [$0] } },
            actuals: Array(repeating: [0], count: windows), scales: Array(repeating: 1, count: windows),
            scores: errors.mapValues { $0.reduce(0, +) / Double($0.count) }, methods: [])
    }

    @Test func theOwnBacktestCountsLessWhenThePoolsSeriesAgreeOnMethods() throws {
        // Agreeing: B is 1.5× A's error in every series on average, and the windows scatter
        // around that. Disagreeing: half the series suit A and half B, steadily, window after window.
        let scatter: [Double] = [0.8, 1.25, 1.0, 1.1]
        let agreeing = (0..<8).map { series in
            backtest(errors: [
                "A": scatter.indices.map { 1.0 * scatter[($0 + series) % 4] },
                "B": scatter.indices.map { 1.5 * scatter[($0 + series + 1) % 4] },
            ])
        }
        let disagreeing = (0..<8).map { series in
            backtest(errors: [
                "A": [1.0, 1.02, 0.98, 1.0].map { series % 2 == 0 ? $0 : 3 * $0 },
                "B": [1.0, 0.99, 1.01, 1.0].map { series % 2 == 0 ? 3 * $0 : $0 },
            ])
        }
        let low = try #require(PoolEvidence.ownWeight(agreeing))
        let high = try #require(PoolEvidence.ownWeight(disagreeing))
        #expect(low < 0.3, "agreeing pool: own weight \(low)")
        #expect(high > 0.95, "disagreeing pool: own weight \(high)")
        // Under three series with two windows there is nothing to estimate from.
        #expect(PoolEvidence.ownWeight(Array(agreeing.prefix(2))) == nil)

        // A long history (no fixed pool weight) follows the pool when the pool agrees.
        let forecaster = AutoForecaster(methods: [], scaleSeason: 1)
        var notes: [String] = []
        let own = ["A": 1.00, "B": 1.05]
        let skill = ["A": 1.5, "B": 1.0]
        let followsPool = forecaster.chooseName(
            backtest(own, windows: 3), [1, 2, 3], 1, poolSkill: skill, poolSize: 8, poolOwnWeight: low,
            notes: &notes)
        #expect(followsPool == "B")
        let decidesAlone = forecaster.chooseName(
            backtest(own, windows: 3), [1, 2, 3], 1, poolSkill: skill, poolSize: 8, poolOwnWeight: high,
            notes: &notes)
        #expect(decidesAlone == "A")
    }

    @Test func aForecastBelowZeroOfAPositiveSeriesGivesWayToTheNextBestMethod() throws {
        // "Runaway" backtests best (it repeats the last value at every origin) but forecasts below
        // zero from the whole history; "Plus one" backtests second.
        let length = 60
        let runaway = ForecastMethod(name: "Runaway", minimumLength: 1) { y, h in
            y.count == length ? [Double](repeating: -5, count: h) : [Double](repeating: y[y.count - 1], count: h)
        }
        let plusOne = ForecastMethod(name: "Plus one", minimumLength: 1) { y, h in
            [Double](repeating: y[y.count - 1] + 1, count: h)
        }
        var forecaster = AutoForecaster(methods: [runaway, plusOne], scaleSeason: 1, combinations: false)
        let series = (0..<length).map { 10 + Double($0 % 2) }
        let result = forecaster.forecast(series, h: 4)
        #expect(result.model == "Plus one")
        #expect(result.point == [12, 12, 12, 12])
        #expect(result.notes.contains { $0.contains("Runaway forecast values below zero") }, "\(result.notes)")
        // A series that has been at zero may go there again: no replacement, whether or not
        // outlier cleaning replaced that zero before fitting.
        var withZero = series
        withZero[5] = 0
        #expect(forecaster.forecast(withZero, h: 4).model == "Runaway")
        forecaster.cleanOutliers = false
        #expect(forecaster.forecast(withZero, h: 4).model == "Runaway")
    }

    @Test func skillIsTheGeometricMeanOfScoresRelativeToEachSeriesBest() throws {
        let skill = PoolEvidence.skill([
            backtest(["A": 1, "B": 2, "Mean(A, B, C)": 1.5], windows: 3),
            backtest(["A": 4, "B": 2, "Mean(B, C, D)": 2], windows: 3),
        ])
        #expect(abs(try #require(skill["A"]) - (1.0 * 2.0).squareRoot()) < 1e-12)
        #expect(abs(try #require(skill["B"]) - (2.0 * 1.0).squareRoot()) < 1e-12)
        // Combinations of different members pool as one.
        #expect(abs(try #require(skill["Mean(best 3)"]) - (1.5 * 1.0).squareRoot()) < 1e-12)
    }

    @Test func noisyShortHistoriesChooseAmongSimpleMethodsAcrossThePool() {
        // Twelve random walks of two weeks of hours: nothing seasonal to find. The pool's
        // evidence should steer most series to the naive family or a mean of methods.
        var noise = GaussianNoise(seed: 21)
        let pool = (0..<12).map { _ -> (forecaster: AutoForecaster, values: [Double]) in
            var y = [100.0]
            for _ in 1..<312 { y.append(y[y.count - 1] + noise.next()) }
            let forecaster = AutoForecaster.automatic(
                frequency: .hourly, seasons: [24, 168], length: y.count, horizon: 24)
            return (forecaster, y)
        }
        let results = AutoForecaster.forecast(pool: pool, h: 24)
        let simple = results.filter {
            ["Naive", "Naive2", "SES", "Theta"].contains($0.model) || $0.model.hasPrefix("Mean(")
        }
        #expect(simple.count >= 9, "\(results.map(\.model))")
    }
}

@Suite struct IntervalTests {
    @Test func coverageMatchesTheNominalOnSeriesWithKnownNoise() {
        // 200 weekly-seasonal daily series with Gaussian noise of known size: the realized
        // coverage of the next 14 days must be near 80 % and 95 %.
        var noise = GaussianNoise(seed: 33)
        let week: [Double] = [5, 7, 8, 8, 6, -14, -20]
        var inside80 = 0
        var inside95 = 0
        var points = 0
        var pool: [(forecaster: AutoForecaster, values: [Double])] = []
        var futures: [[Double]] = []
        for series in 0..<200 {
            let level = 100 + Double(series)
            let sigma = 2 + Double(series % 5)
            let all = (0..<154).map { level + week[$0 % 7] + sigma * noise.next() }
            let forecaster = AutoForecaster.automatic(frequency: .daily, seasons: [7], length: 140, horizon: 14)
            pool.append((forecaster, Array(all[..<140])))
            futures.append(Array(all[140...]))
        }
        for (result, future) in zip(AutoForecaster.forecast(pool: pool, h: 14), futures) {
            for k in 0..<14 {
                points += 1
                if future[k] >= result.lower80[k] && future[k] <= result.upper80[k] { inside80 += 1 }
                if future[k] >= result.lower95[k] && future[k] <= result.upper95[k] { inside95 += 1 }
            }
        }
        let coverage80 = Double(inside80) / Double(points)
        let coverage95 = Double(inside95) / Double(points)
        #expect(coverage80 > 0.75 && coverage80 < 0.85, "80 % interval covered \(coverage80)")
        #expect(coverage95 > 0.90 && coverage95 < 0.99, "95 % interval covered \(coverage95)")
    }

    @Test func aSeriesWithFewErrorsTakesThePoolsSpread() throws {
        // Own errors too few to calibrate on (under 8): the pool's are used, scaled to the series.
        let pooled = (0..<10).map { w in (0..<5).map { k in Double((w * 5 + k) % 7) - 3 } }
        let bands = ConformalIntervals.bands(own: [[0.1]], pooled: pooled, poolWeight: 4, horizon: 5, fallbackScale: 1)
        #expect(!bands.fallback)
        let alone = ConformalIntervals.bands(own: [[0.1]], pooled: [], poolWeight: 4, horizon: 5, fallbackScale: 1)
        #expect(alone.fallback)
        #expect(bands.upper80[0] > 0 && bands.lower80[0] < 0)
    }
}
