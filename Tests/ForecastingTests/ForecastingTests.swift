import Foundation
import Testing

@testable import Forecasting

/// A small deterministic noise source for test series.
struct Noise {
    var state: UInt64
    mutating func next() -> Double {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Double(state >> 11) / Double(1 << 53) - 0.5
    }
}

@Suite struct KnownAnswerTests {
    @Test func aPureSeasonalPatternIsRecovered() {
        let pattern: [Double] = [10, 12, 15, 20, 18, 6, 4]
        let y = (0..<140).map { pattern[$0 % 7] }
        let result = AutoForecaster.automatic(frequency: .daily, seasons: [7])
            .forecast(y, h: 14)
        for k in 0..<14 { #expect(abs(result.point[k] - pattern[(140 + k) % 7]) < 1e-6, "step \(k)") }
    }

    @Test func aLinearTrendIsExtrapolated() throws {
        let y = (0..<120).map { 50 + 2.5 * Double($0) }
        let fit = try #require(
            ExponentialSmoothing.fit(y, model: ETSModel(error: .additive, trend: .additive, season: .none, period: 1)))
        let forecast = fit.forecast(10)
        for k in 0..<10 { #expect(abs(forecast[k] - (50 + 2.5 * Double(120 + k))) < 0.05, "step \(k)") }
        let theta = try #require(Theta.fit(y, period: 1, optimized: true)).forecast(10)
        #expect(abs(theta[9] / (50 + 2.5 * 129) - 1) < 0.02)  // Theta damps the drift: within 2 %
    }

    @Test func aDampedTrendFlattens() throws {
        var noise = Noise(state: 3)
        let y = (0..<200).map { 100 + 20 * (1 - exp(-Double($0) / 40)) + noise.next() }
        let fit = try #require(
            ExponentialSmoothing.fit(y, model: ETSModel(error: .additive, trend: .damped, season: .none, period: 1)))
        let forecast = fit.forecast(200)
        let early = forecast[1] - forecast[0]
        let late = forecast[199] - forecast[198]
        #expect(abs(late) < abs(early) || abs(late) < 1e-9)
        #expect(fit.phi < 1)
        #expect(abs(forecast[199] - forecast[150]) < abs(forecast[50] - forecast[0]) + 1e-9)
    }

    @Test func intervalsWidenWithTheHorizonAndStayNonNegative() {
        var noise = Noise(state: 11)
        let y = (0..<300).map { max(0, 5 + 4 * sin(Double($0) * 2 * .pi / 7) + 3 * noise.next()) }
        let result = AutoForecaster.automatic(frequency: .daily, seasons: [7])
            .forecast(y, h: 28)
        let width = (0..<28).map { result.upper95[$0] - result.lower95[$0] }
        #expect(width[27] >= width[0])
        for k in 0..<28 {
            #expect(result.lower95[k] >= 0 && result.lower80[k] >= 0 && result.point[k] >= 0)
            #expect(result.lower95[k] <= result.lower80[k] && result.lower80[k] <= result.point[k])
            #expect(result.point[k] <= result.upper80[k] && result.upper80[k] <= result.upper95[k])
        }
        #expect(result.backtestMASE != nil)
    }

    @Test func stlSeparatesSeasonFromTrend() {
        let y = (0..<336).map { 0.1 * Double($0) + 10 * sin(Double($0) * 2 * .pi / 24) }
        let d = STL(period: 24).decompose(y)
        for t in 48..<288 {
            #expect(abs(d.seasonal[t] - 10 * sin(Double(t) * 2 * .pi / 24)) < 0.5)
            #expect(abs(d.trend[t] - 0.1 * Double(t)) < 0.5)
        }
    }
}

@Suite struct RobustnessTests {
    static let daily = AutoForecaster.automatic(frequency: .daily, seasons: [7])

    func series(_ count: Int, seed: UInt64 = 5) -> [Double] {
        var noise = Noise(state: seed)
        return (0..<count).map { t -> Double in
            let trend = 100 + 0.2 * Double(t)
            let season: Double = 15 * sin(Double(t) * 2 * Double.pi / 7)
            return trend + season + 4 * noise.next()
        }
    }

    @Test func zerosAreForecastWithoutNegativeValues() {
        var y = series(200)
        for t in stride(from: 3, to: 200, by: 7) { y[t] = 0 }  // a closed day each week
        let result = Self.daily.forecast(y, h: 21)
        #expect(result.point.allSatisfy { $0 >= 0 } && result.lower95.allSatisfy { $0 >= 0 })
        // The closed day stays low.
        let closed = (0..<21).filter { (200 + $0) % 7 == 3 }.map { result.point[$0] }
        #expect(closed.allSatisfy { $0 < 40 })
    }

    @Test func anOutlierDoesNotDerailTheForecast() {
        let clean = series(210)
        var spiked = clean
        spiked[150] *= 25
        let a = Self.daily.forecast(clean, h: 14).point
        let b = Self.daily.forecast(spiked, h: 14).point
        let difference = zip(a, b).map { abs($0 - $1) }.max() ?? 0
        #expect(difference < 25, "max difference \(difference)")
    }

    @Test func robustSTLFitsThroughAHugeSpike() {
        var y = series(210)
        let clean = y[150]
        y[150] *= 25
        // The first, unweighted pass spreads the spike over its neighbours, whose weights then
        // fall to zero too; the fit must still come from the points around them.
        let d = STL(period: 7, robust: true, outerIterations: 5).decompose(y)
        #expect(abs(d.trend[150] + d.seasonal[150] - clean) < 20)
        #expect(OutlierCleaner.clean(y, period: 7).replaced == [150])
    }

    @Test func theIncumbentIsKeptUnlessAChallengerClearsTheMargin() {
        let y = series(140)
        var forecaster = AutoForecaster(methods: [.naive, .seasonalNaive(7)], scaleSeason: 7, combinations: false)
        let open = forecaster.forecast(y, h: 7)
        #expect(open.model == "SeasonalNaive(7)")
        forecaster.incumbent = "Naive"
        forecaster.challengerMargin = 100
        let kept = forecaster.forecast(y, h: 7)
        #expect(kept.model == "Naive")
        #expect(kept.notes.contains { $0.contains("Naive is kept") })
        forecaster.challengerMargin = 0
        #expect(forecaster.forecast(y, h: 7).model == "SeasonalNaive(7)")
    }

    @Test func aLevelShiftIsFollowed() {
        var y = series(250)
        for t in 200..<250 { y[t] += 80 }
        let result = Self.daily.forecast(y, h: 14)
        let level = result.point.reduce(0, +) / 14
        #expect(level > 200, "forecast level \(level)")
    }

    @Test func aTenPointSeriesFallsBackAndSaysWhy() {
        let y: [Double] = [5, 6, 5, 7, 6, 8, 7, 6, 7, 8]
        let result = Self.daily.forecast(y, h: 7)
        #expect(result.point.count == 7 && result.point.allSatisfy { $0.isFinite && $0 >= 0 })
        #expect(!result.notes.isEmpty)
        #expect(result.upper95.allSatisfy { $0.isFinite })
        let single = Self.daily.forecast([4], h: 3)
        #expect(single.point == [4, 4, 4] && single.model == "Naive")
    }

    @Test func hourlySeriesWithTwoSeasonsAreForecast() {
        var noise = Noise(state: 9)
        let y = (0..<(24 * 7 * 6)).map { t -> Double in
            let daily = 1 + 0.5 * sin(Double(t % 24) * 2 * .pi / 24)
            let weekly = (t / 24) % 7 >= 5 ? 0.6 : 1.0
            return 100 * daily * weekly * (1 + 0.05 * noise.next())
        }
        let forecaster = AutoForecaster.automatic(frequency: .hourly, seasons: [24, 168])
        let result = forecaster.forecast(Array(y.dropLast(48)), h: 48)
        let actual = Array(y.suffix(48))
        let mape = zip(result.point, actual).reduce(0) { $0 + abs($1.0 - $1.1) / $1.1 } / 48
        #expect(mape < 0.08, "MAPE \(mape)")
    }
}
