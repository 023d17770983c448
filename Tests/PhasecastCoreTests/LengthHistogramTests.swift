import Testing

@testable import PhasecastCore

@Suite struct LengthHistogramTests {
    @Test func everyLengthFallsInsideItsBucket() {
        var values: [Int64] = Array(0...5000)
        var v: Int64 = 5000
        while v < 1 << 31 {
            values += [v - 1, v, v + 1]
            v = v * 3 / 2
        }
        for value in values {
            let bucket = LengthHistogram.bucket(of: value)
            #expect(bucket >= 0 && bucket < LengthHistogram.bucketCount)
            #expect(LengthHistogram.lowerBound(of: bucket) <= value)
            #expect(value < LengthHistogram.upperBound(of: bucket))
        }
    }

    @Test func bucketsAreNarrowerThanAnEighthOfTheirLowerBound() {
        for bucket in 16..<(LengthHistogram.bucketCount - 1) {
            let low = LengthHistogram.lowerBound(of: bucket)
            let width = LengthHistogram.upperBound(of: bucket) - low
            #expect(width * 8 <= low)
            #expect(LengthHistogram.bucket(of: low) == bucket)
        }
    }

    @Test func jsonTextIsReadInPlaceWithSpacesRepeatsAndHugeCounts() {
        // Spaces and line breaks, a key repeated, a key inside a bucket rather than at its bound.
        let spaced = LengthHistogram(json: "{ \"3\" : 2,\n \"3\":1, \"1030\": 4 }")
        var expected = LengthHistogram()
        expected.add(3, count: 3)
        expected.add(1024, count: 4)
        #expect(spaced == expected)
        // Counts that would overflow saturate instead of trapping.
        let huge = LengthHistogram(json: #"{"5":9223372036854775000,"5":9223372036854775000}"#)
        #expect(huge?.entries.first?.count == Int64.max)
        for broken in ["", "{", #"{"3":}"#, #"{3:1}"#, #"{"3" 1}"#, #"{"x":1}"#, "[]"] {
            #expect(LengthHistogram(json: broken) == nil, "\(broken) read as a histogram")
        }
        var dense = [Int64](repeating: 0, count: LengthHistogram.bucketCount)
        dense[LengthHistogram.bucket(of: 2048)] = 12_345_678_901
        #expect(LengthHistogram.json(denseCounts: dense) == #"{"2048":12345678901}"#)
        #expect(LengthHistogram.json(denseCounts: [Int64](repeating: 0, count: 4)) == "{}")
    }

    @Test func jsonRoundTripsAndMerges() {
        var a = LengthHistogram()
        for value: Int64 in [0, 3, 3, 1024, 1100, 70_000] { a.add(value) }
        #expect(a.json == #"{"0":1,"3":2,"1024":2,"65536":1}"#)
        #expect(LengthHistogram(json: a.json) == a)
        var b = LengthHistogram()
        b.add(3)
        b.add(5000)
        a.merge(b)
        #expect(a.total == 8)
        #expect(a.json == #"{"0":1,"3":3,"1024":2,"4608":1,"65536":1}"#)
        #expect(LengthHistogram(json: "not json") == nil)
        #expect(LengthHistogram(json: "{}") == LengthHistogram())
    }

    @Test func quantilesOfAUniformSpreadAreWithinABucketWidth() {
        var histogram = LengthHistogram()
        for value: Int64 in 1...10_000 { histogram.add(value) }
        for (q, exact) in [(0.5, 5000.0), (0.9, 9000.0), (0.99, 9900.0)] {
            let estimate = histogram.quantile(q)!
            #expect(abs(estimate - exact) / exact < 0.07, "q\(q): \(estimate) vs \(exact)")
        }
        #expect(LengthHistogram().quantile(0.5) == nil)
    }
}
