import Testing

@testable import LogFormats

@Suite struct CSVRecordTests {
    func fields(_ line: String) -> [String]? {
        var record = CSVRecord()
        return withBytes(line) { bytes in
            guard record.split(bytes) else { return nil }
            return (0..<record.count).map { record.text($0) }
        }
    }

    @Test func plainAndQuotedFields() {
        #expect(fields("a,b,c") == ["a", "b", "c"])
        #expect(fields("a,,c,") == ["a", "", "c", ""])
        #expect(fields(#""x, y",2,"say ""hi""""#) == ["x, y", "2", #"say "hi""#])
        #expect(fields(#""multi"#) == nil)
        #expect(fields(#""a"b,c"#) == nil)
        #expect(fields("") == [""])
    }

    @Test func openQuotesAreSeen() {
        #expect(withBytes(#"1,"starts here"#) { CSVRecord.hasOpenQuote($0) })
        #expect(!withBytes(#"1,"closed","x""#) { CSVRecord.hasOpenQuote($0) })
        #expect(!withBytes("no quotes") { CSVRecord.hasOpenQuote($0) })
    }
}
