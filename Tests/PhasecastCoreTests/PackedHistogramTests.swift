import Testing

@testable import PhasecastCore

@Suite struct PackedHistogramTests {
    @Test func packedBytesAreTheTagThenBucketAndVarintCount() {
        var histogram = LengthHistogram()
        histogram.add(3, count: 2)
        histogram.add(1024, count: 300)
        let bucket1024 = UInt8(LengthHistogram.bucket(of: 1024))
        // 300 = 0b1_0010_1100: low seven bits 0x2C with the continuation bit, then 0x02.
        #expect(histogram.packed == [1, 3, 2, bucket1024, 0xAC, 0x02])
        #expect(LengthHistogram().packed == [LengthHistogram.packedFormatTag])
        #expect(LengthHistogram(packed: [1]) == LengthHistogram())
    }

    @Test func packedRoundTripsEveryBucketAndCountSize() {
        var generator = SplitMix64(seed: 7)
        for _ in 0..<200 {
            var histogram = LengthHistogram()
            for _ in 0..<Int(generator.next() % 40) {
                let length = Int64(generator.next() % (1 << 31))
                let count = Int64(generator.next() >> (8 + generator.next() % 56))
                histogram.add(length, count: max(count, 1))
            }
            #expect(LengthHistogram(packed: histogram.packed) == histogram)
            #expect(LengthHistogram(json: histogram.json) == histogram)
        }
        var largest = LengthHistogram()
        largest.add(Int64.max, count: Int64.max)
        #expect(LengthHistogram(packed: largest.packed) == largest)
    }

    @Test func bytesThatAreNotAPackedHistogramAreRefused() {
        let last = UInt8(LengthHistogram.bucketCount - 1)
        let broken: [(String, [UInt8])] = [
            ("empty", []),
            ("another version", [2, 3, 1]),
            ("JSON text", Array(#"{"3":1}"#.utf8)),
            ("bucket out of range", [1, last + 1, 1]),
            ("buckets out of order", [1, 5, 1, 3, 1]),
            ("a bucket twice", [1, 5, 1, 5, 1]),
            ("a bucket without its count", [1, 5]),
            ("a varint cut short", [1, 5, 0x80]),
            ("a varint over 64 bits", [1, 5] + [UInt8](repeating: 0xFF, count: 9) + [0x02]),
            ("a varint of eleven bytes", [1, 5] + [UInt8](repeating: 0x80, count: 10) + [0x00]),
        ]
        for (why, bytes) in broken {
            #expect(LengthHistogram(packed: bytes) == nil, "\(why) read as a histogram")
        }
    }

    @Test func countsAddedFromPackedBytesSaturate() {
        var histogram = LengthHistogram()
        histogram.add(5, count: Int64.max)
        var dense = [Int64](repeating: 0, count: LengthHistogram.bucketCount)
        for _ in 0..<2 {
            let ok = histogram.packed.withUnsafeBufferPointer { LengthHistogram.addCounts(ofPacked: $0, to: &dense) }
            #expect(ok)
        }
        #expect(dense[5] == Int64.max)
    }

    /// Found by the fuzz target: a packed count of 2⁶³ or more saturates at `Int64.max`, and the
    /// JSON of that count (19 digits, as large as a count gets) must read back too.
    @Test func aSaturatedCountReadsBackFromBothEncodings() throws {
        let packed: [UInt8] = [1, 0xAD] + [UInt8](repeating: 0xAD, count: 9) + [0x01]
        let histogram = try #require(LengthHistogram(packed: packed))
        #expect(histogram.entries.first?.count == Int64.max)
        #expect(LengthHistogram(packed: histogram.packed) == histogram)
        #expect(LengthHistogram(json: histogram.json) == histogram)
        #expect(LengthHistogram(json: #"{"5":99999999999999999999}"#)?.entries.first?.count == Int64.max)
    }
}
