import Testing

@testable import Reporting

/// The headline's comparison with today's need is worded from the numbers.
@Suite struct HeadlineWordingTests {
    @Test(arguments: [
        (48, (16, 32), ", the same as the 16 + 32 needed at today's demand"),
        (56, (16, 32), ", up from the 16 + 32 needed at today's demand"),
        (40, (16, 32), ", down from the 16 + 32 needed at today's demand"),
    ])
    func theComparisonSaysUpDownOrTheSame(planned: Int, today: (Int, Int), expected: String) {
        #expect(CapacityReport.comparedWithToday(planned: planned, today: today) == expected)
    }
}
