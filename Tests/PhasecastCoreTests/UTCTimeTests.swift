import Testing

@testable import PhasecastCore

@Suite struct UTCTimeTests {
    @Test(arguments: [
        (1970, 1, 1, 0), (2000, 3, 1, 11_017), (2023, 11, 16, 19_677), (2024, 2, 29, 19_782), (1969, 12, 31, -1),
    ])
    func civilDatesMapToKnownDayNumbers(year: Int, month: Int, day: Int, expected: Int) {
        #expect(UTCTime.daysFromCivil(year: Int64(year), month: Int64(month), day: Int64(day)) == Int64(expected))
        let back = UTCTime.civilFromDays(Int64(expected))
        #expect(back.year == Int64(year) && back.month == Int64(month) && back.day == Int64(day))
    }

    @Test func everyDayOfFourCenturiesRoundTrips() {
        var previous: Int64?
        for days in Int64(-146_097)...Int64(146_097) {
            let date = UTCTime.civilFromDays(days)
            #expect(UTCTime.daysFromCivil(year: date.year, month: date.month, day: date.day) == days)
            #expect(date.day <= UTCTime.daysInMonth(year: date.year, month: date.month))
            if let previous { #expect(days == previous + 1) }
            previous = days
        }
    }

    @Test func iso8601TextShowsFractionOnlyWhenPresent() {
        #expect(UTCTime.iso8601(micros: 0) == "1970-01-01T00:00:00Z")
        #expect(UTCTime.iso8601(micros: 1_700_158_546_680_590) == "2023-11-16T18:15:46.680590Z")
        #expect(UTCTime.isoDate(micros: 1_700_158_546_680_590) == "2023-11-16")
    }

    @Test func floorDivisionRoundsDown() {
        #expect(UTCTime.floorDiv(7, 2) == 3)
        #expect(UTCTime.floorDiv(-7, 2) == -4)
        #expect(UTCTime.floorDiv(-8, 2) == -4)
        #expect(UTCTime.floorDiv(0, 60) == 0)
    }

    @Test func leapYearsFollowTheGregorianRule() {
        #expect(UTCTime.daysInMonth(year: 2024, month: 2) == 29)
        #expect(UTCTime.daysInMonth(year: 1900, month: 2) == 28)
        #expect(UTCTime.daysInMonth(year: 2000, month: 2) == 29)
        #expect(UTCTime.daysInMonth(year: 2023, month: 4) == 30)
    }
}
