import Foundation
import Testing

@testable import Reporting

@Suite struct RatioAnalysisTests {
    @Test func aSteadyExponentialDriftIsRecovered() throws {
        // 12.1 falling 1 % a day.
        let ratios: [Double?] = (0..<28).map { 12.1 * pow(0.99, Double($0)) }
        let trend = try #require(RatioAnalysis.trend(ratios, window: 28))
        #expect(abs(trend.start - 12.1) < 1e-9)
        #expect(abs(trend.changePerPeriod + 0.01) < 1e-9)
        #expect(abs(trend.end - 12.1 * pow(0.99, 27)) < 1e-9)
        #expect(trend.points == 28)
    }

    @Test func missingDaysAreSkippedAndTooFewGiveNoTrend() {
        #expect(RatioAnalysis.trend([5, nil, nil], window: 28) == nil)
        let trend = RatioAnalysis.trend([4, nil, 4, 4, nil, 4], window: 28)
        #expect(trend?.changePerPeriod == 0)
    }

    @Test func aLevelShiftIsFlaggedOnTheSideItMoved() {
        var ratios: [Double?] = (0..<30).map { 10 + 0.2 * sin(Double($0)) }
        ratios += [6.0, 6.1]  // decode-heavier
        ratios.append(25)  // prefill-heavier
        let flags = RatioAnalysis.flags(ratios, window: 28)
        #expect(flags[..<30].allSatisfy { $0 == nil })
        #expect(flags[30] == .decodeHeavier)
        #expect(flags[32] == .prefillHeavier)
    }
}
