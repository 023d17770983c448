import PhasecastCore
import Testing

@testable import LogFormats

@Suite struct TimestampParsingTests {
    static let base: Int64 = 1_700_158_546 * 1_000_000  // 2023-11-16T18:15:46Z

    @Test(arguments: [
        ("2023-11-16 18:15:46", base),
        ("2023-11-16T18:15:46Z", base),
        ("2023-11-16 18:15:46.6805900", base + 680_590),
        ("2023-11-16T18:15:46.680590123Z", base + 680_590),
        ("2023-11-16T20:15:46+02:00", base),
        ("2023-11-16T13:15:46-0500", base),
        ("2023-11-17T03:15:46+09", base),
        ("2023-11-16 18:15:46 UTC", base),
        ("2023-11-16T18:15", base - 46_000_000),
        (" 2023-11-16 18:15:46.5 ", base + 500_000),
    ])
    func iso8601Forms(text: String, expected: Int64) {
        #expect(withBytes(text) { TimestampParsing.iso8601($0) } == expected)
    }

    @Test(arguments: [
        "2023-13-01 00:00:00", "2023-02-30 00:00:00", "2023-11-16 24:00:00", "2023-11-16", "16/11/2023 18:15:46",
        "2023-11-16 18:15:46 CET", "2023-11-16 18:15:46.", "not a time",
    ])
    func malformedISO8601(text: String) {
        #expect(withBytes(text) { TimestampParsing.iso8601($0) } == nil)
    }

    @Test func epochValuesInTheirUnit() {
        #expect(withBytes("1700158546") { TimestampParsing.epoch($0, unit: .seconds) } == .micros(Self.base))
        #expect(withBytes("1700158546000") { TimestampParsing.epoch($0, unit: .milliseconds) } == .micros(Self.base))
        #expect(withBytes("1700158546000000") { TimestampParsing.epoch($0, unit: .microseconds) } == .micros(Self.base))
        #expect(withBytes("1700158546000") { TimestampParsing.epoch($0, unit: .auto) } == .micros(Self.base))
        #expect(withBytes("1700158546000000000") { TimestampParsing.epoch($0, unit: .auto) } == .micros(Self.base))
    }

    @Test func epochValuesInTheWrongUnitSayWhichUnitFits() {
        #expect(
            withBytes("1700158546000") { TimestampParsing.epoch($0, unit: .seconds) }
                == .implausible(hint: "milliseconds"))
        #expect(
            withBytes("1700158546") { TimestampParsing.epoch($0, unit: .milliseconds) } == .implausible(hint: "seconds")
        )
        #expect(withBytes("12") { TimestampParsing.epoch($0, unit: .seconds) } == .implausible(hint: nil))
        #expect(withBytes("soon") { TimestampParsing.epoch($0, unit: .seconds) } == .malformed)
        var reason: String?
        #expect(withBytes("1700158546000") { FieldReading.epochInstant($0, unit: .seconds, reason: &reason) } == nil)
        #expect(reason == #"timestamp "1700158546000" is outside 1990–2100 in seconds; it looks like milliseconds"#)
    }
}
