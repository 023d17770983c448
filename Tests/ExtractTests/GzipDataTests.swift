import Foundation
import Testing

@testable import Extract

@Suite struct GzipDataTests {
    @Test func compressedBytesComeBackAndAreGzip() {
        let text = Array(String(repeating: "{\"plan\":[1,2,3],\"name\":\"chat-70b\"}", count: 5_000).utf8)
        let compressed = GzipData.compress(text)
        #expect(compressed.prefix(2) == [0x1F, 0x8B], "a gzip member, readable by gunzip")
        #expect(compressed.count < text.count / 20)
        #expect(GzipData.decompress(compressed) == text)
        #expect(GzipData.decompress(GzipData.compress([])) == [])
    }

    @Test func damagedDataIsNilNotACrash() {
        let compressed = GzipData.compress(Array(repeating: 7, count: 100_000))
        #expect(GzipData.decompress(Array(compressed.prefix(compressed.count / 2))) == nil, "truncated")
        #expect(GzipData.decompress(Array("not gzip at all".utf8)) == nil)
        #expect(GzipData.decompress([]) == nil)
    }
}
