import Testing

@testable import LogFormats

@Suite struct ModelNamesTests {
    /// A NUL byte in a model name cut it short where SQLite read it, merging distinct models.
    @Test func controlCharactersInNamesAreReplacedAndDistinctNamesStayDistinct() {
        var models = ModelNames(fallback: "unknown")
        let names: [[UInt8]] = [
            Array("a\u{0}b".utf8), Array("a\u{0}c".utf8), Array("plain".utf8), Array("a\u{0}b".utf8),
        ]
        let indexes = names.map { bytes in bytes.withUnsafeBytes { models.index(of: $0) } }
        #expect(indexes == [0, 1, 2, 0])
        #expect(models.names == ["a\u{FFFD}b", "a\u{FFFD}c", "plain"])
        #expect(models.names.allSatisfy { !$0.unicodeScalars.contains { $0.value < 0x20 } })
    }
}
