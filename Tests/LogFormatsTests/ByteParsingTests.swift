import Testing

@testable import LogFormats

@Suite struct ByteParsingTests {
    @Test(arguments: [
        ("42", ByteParsing.Count.value(42)), (" 7 ", .value(7)), ("+3", .value(3)), ("12.0", .value(12)),
        ("12.000", .value(12)), ("0", .value(0)), ("-0", .value(0)), ("", .empty), ("  ", .empty),
        ("abc", .notANumber), ("12.5", .notANumber), ("1e3", .notANumber), ("12abc", .notANumber),
        ("-5", .negative), ("99999999999999999999", .tooLarge), ("2147483648", .tooLarge),
        ("2147483647", .value(2_147_483_647)),
    ])
    func tokenCounts(text: String, expected: ByteParsing.Count) {
        #expect(withBytes(text) { ByteParsing.tokenCount($0) } == expected)
    }

    @Test(arguments: [
        ("1700158546", 6, Int64(1_700_158_546_000_000)), ("1700158546.25", 6, 1_700_158_546_250_000),
        ("1.7e9", 6, 1_700_000_000_000_000), ("82", 6, 82_000_000), ("3536999", 3, 3_536_999_000),
        ("-1.5", 6, -1_500_000), ("0.0000015", 6, 1), ("1700158546680", 3, 1_700_158_546_680_000),
    ])
    func scaledDecimals(text: String, scale: Int, expected: Int64) {
        #expect(withBytes(text) { ByteParsing.scaledDecimal($0, scaleDigits: scale) } == expected)
    }

    @Test(arguments: ["", ".", "abc", "1.2.3", "1e", "99999999999999999999999"])
    func malformedDecimals(text: String) {
        #expect(withBytes(text) { ByteParsing.scaledDecimal($0, scaleDigits: 6) } == nil)
    }

    /// A first line of NUL bytes was shown in the error as it was: raw control bytes on the
    /// terminal and in the registry's error text.
    @Test func displayedFieldsShowControlBytesEscaped() {
        var bytes: [UInt8] = [0, 0, 0x1B, 0x5B, 0x41, 0x7F, 0x61]
        let shown = bytes.withUnsafeMutableBytes { ByteParsing.display(UnsafeRawBufferPointer($0)) }
        #expect(shown == #""\x00\x00\x1B[A\x7Fa""#)
        let cut = Array(repeating: UInt8(0x41), count: 50).withUnsafeBytes { ByteParsing.display($0, limit: 3) }
        #expect(cut == "\"AAA…\"")
    }
}
