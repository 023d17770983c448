import Testing

@testable import LogFormats

/// Collects every scalar with its path as dotted text (`[]` for array elements).
struct PathCollector: JSONVisitor {
    var seen: [(String, String)] = []

    mutating func visit(_ path: JSONPath, _ value: JSONValue) {
        let keys = (0..<path.depth).map { index in
            path.key(index).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
        }
        seen.append((keys.joined(separator: "."), value.text()))
    }
}

@Suite struct JSONLineScannerTests {
    func scan(_ line: String) -> (seen: [(String, String)], error: JSONSyntaxError?) {
        var collector = PathCollector()
        let error = withBytes(line) { JSONLineScanner().scan($0, visitor: &collector) }
        return (collector.seen, error)
    }

    @Test func nestedObjectsAndArraysGivePaths() {
        let result = scan(
            #"{"a": 1, "usage": {"prompt_tokens": 20, "details": {"cached": 5}}, "ids": [1, [2], {"k": null}], "t": true}"#
        )
        #expect(result.error == nil)
        #expect(
            result.seen.map(\.0) == [
                "a", "usage.prompt_tokens", "usage.details.cached", "ids.[]", "ids.[].[]", "ids.[].k", "t",
            ])
        #expect(result.seen.map(\.1) == ["1", "20", "5", "1", "2", "null", "true"])
    }

    @Test func escapesAreDecodedAndDoNotEndStrings() {
        let result = scan(#"{"model": "gpt\"4\\o \u00e9\ud83d\ude00", "x": "a\\"}"#)
        #expect(result.error == nil)
        #expect(result.seen.map(\.1) == ["gpt\"4\\o é😀", "a\\"])
    }

    @Test func emptyContainersAndSpacing() {
        #expect(scan(#"  { "a" : [ ] , "b" : { } , "c" : -1.5e3 }  "#).seen.map(\.1) == ["-1.5e3"])
        #expect(scan("{}").error == nil)
    }

    @Test(arguments: [
        ("[1, 2]", JSONSyntaxError.notAnObject), (#"{"a": 1"#, .unterminated(at: 7)),
        (#"{"a" 1}"#, .unexpected(byte: UInt8(ascii: "1"), at: 5)),
        (#"{"a": tru}"#, .unexpected(byte: UInt8(ascii: "t"), at: 6)),
        (#"{"a": 1,}"#, .unexpected(byte: UInt8(ascii: "}"), at: 8)), (#"{"a": "x}"#, .unterminated(at: 9)),
        (#"{"a": 1} x"#, .unexpected(byte: UInt8(ascii: "x"), at: 9)), ("", .notAnObject),
    ])
    func malformedLinesAreErrors(line: String, expected: JSONSyntaxError) {
        #expect(scan(line).error == expected)
    }
}
