import PhasecastCore
import Testing

@Suite struct SharedPrimitivesTests {
    @Test(arguments: [
        ("*", "anything", true), ("chat-*", "chat-70b", true), ("chat-*", "code-32b", false),
        ("?ode-32b", "code-32b", true), ("code-3[0-9]b", "code-32b", true), ("code-3[^2]b", "code-32b", false),
        ("Chat-*", "chat-70b", false), ("*70b", "chat-70b", true), ("*-*-*", "a-b", false), ("a*b*c", "aXXbYYc", true),
        ("", "", true), ("", "x", false), ("[", "[", true),
    ])
    func globMeansWhatSQLiteGlobMeans(pattern: String, name: String, expected: Bool) {
        #expect(GlobPattern(pattern).matches(name) == expected)
    }

    @Test func calendarDaysParseOnlyRealDates() {
        #expect(CalendarDay.parse("1970-01-01") == 0)
        #expect(CalendarDay.parse("2026-03-31") == 20_543)
        #expect(CalendarDay.parse("2024-02-29") != nil)
        for bad in ["2026-02-29", "2026-13-01", "2026-1-01", "20260101", "2026-03-31T00:00:00Z", "", "abcd-ef-gh"] {
            #expect(CalendarDay.parse(bad) == nil, "\(bad)")
        }
        #expect(CalendarDay.format(20_543) == "2026-03-31")
    }

    @Test func contentHashIsFNV1a() {
        // FNV-1a 64-bit test vectors.
        #expect(ContentHash.of("") == 0xcbf2_9ce4_8422_2325)
        #expect(ContentHash.of("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(ContentHash.of("foobar") == 0x8594_4171_f739_67e8)
    }

    @Test func seededRandomIsTheSameEverywhere() {
        var a = SplitMix64(seed: 42)
        var b = SplitMix64(seed: 42)
        let first = (0..<5).map { _ in a.next() }
        #expect(first == (0..<5).map { _ in b.next() })
        // splitmix64's published first output for seed 0.
        var zero = SplitMix64(seed: 0)
        #expect(zero.next() == 0xe220_a839_7b1d_cdaf)
        var u = SplitMix64(seed: 1)
        #expect((0..<1000).allSatisfy { _ in (0..<1).contains(u.uniform()) })
    }

    @Test(arguments: [
        ("UTC", 0), ("+08:00", 480), ("-05:30", -330), ("+0800", 480), ("-5", -5), ("+14:00", 840), ("Z", 0),
    ])
    func utcOffsetsParse(text: String, minutes: Int) {
        #expect(UTCOffset.parse(text) == minutes)
    }

    @Test func badUTCOffsetsAreRefused() {
        for bad in ["+15:00", "+08:60", "8h", "", "+8:0:0"] { #expect(UTCOffset.parse(bad) == nil, "\(bad)") }
    }

    @Test func csvTablesReadQuotesBlankLinesAndBOM() throws {
        let table = try CSVTable(
            text: "\u{FEFF}name , value\r\n\r\n\"a, b\",1\n  \"say \"\"hi\"\"\" , 2\n\"multi\nline\",3\nshort\n")
        #expect(table.header == ["name", "value"])
        #expect(table.rows.count == 4)
        #expect(table.cell(0, "name") == "a, b" && table.cell(0, "VALUE") == "1")
        #expect(table.cell(1, "name") == "say \"hi\"")
        #expect(table.cell(2, "name") == "multi\nline" && table.lines[2] == 5)
        #expect(table.cell(3, "value") == "" && table.lines[3] == 7)
        #expect(throws: CSVTable.ParseError.self) { try CSVTable(text: "a,b\n\"open,1\n") }
        #expect(throws: CSVTable.ParseError.self) { try CSVTable(text: "a,b\n\"x\"y,1\n") }
    }
}
