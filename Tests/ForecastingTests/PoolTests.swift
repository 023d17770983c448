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
