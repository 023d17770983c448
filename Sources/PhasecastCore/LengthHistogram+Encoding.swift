extension LengthHistogram {
    /// The `"lowerBound":` text of every bucket, made once.
    static let jsonKeys: [[UInt8]] = (0..<bucketCount).map { Array("\"\(lowerBound(of: $0))\":".utf8) }

    /// The JSON text of dense counts (one a bucket, zeros left out), as `json` writes it.
    public static func json(denseCounts dense: [Int64]) -> String { LengthHistogram(dense: dense).json }

    /// Appends the decimal digits of a non-negative integer (negative ones as 0).
    @inline(__always)
    static func appendDecimal(_ value: Int64, to bytes: inout [UInt8]) {
        let value = max(value, 0)
        var divisor: Int64 = 1
        while divisor <= value / 10 { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            bytes.append(UInt8(48 + rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    /// Adds the counts of histogram JSON text (`{"lower bound": count, …}`, as `json` writes it;
    /// spaces and line breaks allowed) to `dense`, one count a bucket; a key is put in the bucket
    /// of its value. False when the text is not of that shape: `dense` then holds part of it.
    /// Counts saturate at `Int64.max`.
    public static func addCounts(ofJSON text: UnsafeBufferPointer<UInt8>, to dense: inout [Int64]) -> Bool {
        var i = 0
        let n = text.count
        @inline(__always) func skipSpace() { while i < n && (text[i] == 0x20 || text[i] == 0x0A) { i += 1 } }
        /// Every digit is read; a number beyond `Int64.max` (a saturated count) reads as it.
        @inline(__always) func number() -> Int64? {
            var value: Int64 = 0
            let start = i
            while i < n, text[i] >= 48, text[i] <= 57 {
                let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(Int64(text[i] - 48))
                value = overflow1 || overflow2 ? Int64.max : sum
                i += 1
            }
            return i > start ? value : nil
        }
        skipSpace()
        guard i < n, text[i] == UInt8(ascii: "{") else { return false }
        i += 1
        skipSpace()
        while i < n && text[i] != UInt8(ascii: "}") {
            guard text[i] == UInt8(ascii: "\"") else { return false }
            i += 1
            guard let bound = number(), i < n, text[i] == UInt8(ascii: "\"") else { return false }
            i += 1
            skipSpace()
            guard i < n, text[i] == UInt8(ascii: ":") else { return false }
            i += 1
            skipSpace()
            guard let count = number() else { return false }
            let bucket = bucket(of: bound)
            let (sum, overflow) = dense[bucket].addingReportingOverflow(count)
            dense[bucket] = overflow ? Int64.max : sum
            skipSpace()
            if i < n && text[i] == UInt8(ascii: ",") {
                i += 1
                skipSpace()
            }
        }
        return i < n
    }
}
