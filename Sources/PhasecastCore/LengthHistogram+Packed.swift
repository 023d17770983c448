extension LengthHistogram {
    /// The first byte of every packed histogram: the version of the encoding.
    public static let packedFormatTag: UInt8 = 1

    /// The packed form stored in `request_minutes`: the tag byte, then for each bucket with a
    /// count, in ascending bucket order, the bucket's index as one byte (0 ... 231) and its count
    /// as an unsigned LEB128 varint (7 bits a byte, low bits first, high bit set on all but the
    /// last byte). An empty histogram is the tag alone. A minute of a model with a handful of
    /// requests takes a few bytes where its JSON takes dozens, and merging needs no text parsing.
    public var packed: [UInt8] {
        let writer = PackedWriter()
        writer.begin()
        for entry in entries { writer.add(bucket: entry.bucket, count: UInt64(max(entry.count, 0))) }
        return writer.finish()
    }

    /// Reads the bytes `packed` writes; nil when they are not of that shape.
    public init?(packed: [UInt8]) {
        var dense = [Int64](repeating: 0, count: Self.bucketCount)
        let valid = packed.withUnsafeBufferPointer { Self.addCounts(ofPacked: $0, to: &dense) }
        guard valid else { return nil }
        self.init(dense: dense)
    }

    /// Writes packed histograms from counts given bucket by bucket, reusing one buffer: the form
    /// the ingest loop uses for every minute rollup it writes.
    public final class PackedWriter {
        // One thread uses a writer and nothing re-enters it: dynamic exclusivity checks only cost time.
        @exclusivity(unchecked) private var bytes: [UInt8] = []

        public init() { bytes.reserveCapacity(256) }

        /// Starts a histogram.
        public func begin() {
            bytes.removeAll(keepingCapacity: true)
            bytes.append(LengthHistogram.packedFormatTag)
        }

        /// Adds a bucket's count; buckets must come in ascending order, counts above zero.
        @inline(__always)
        public func add(bucket: Int, count: UInt64) {
            bytes.append(UInt8(truncatingIfNeeded: bucket))
            var rest = count
            while rest >= 0x80 {
                bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
                rest >>= 7
            }
            bytes.append(UInt8(truncatingIfNeeded: rest))
        }

        /// The bytes of the histogram begun last.
        public func finish() -> [UInt8] { bytes }
    }

    /// Adds the counts of a packed histogram to `dense`, one count a bucket. False when the bytes
    /// are not a packed histogram (another tag, a bucket out of range or out of order, a varint
    /// cut short or longer than 64 bits): `dense` then holds part of it. Counts saturate at
    /// `Int64.max`.
    public static func addCounts(ofPacked bytes: UnsafeBufferPointer<UInt8>, to dense: inout [Int64]) -> Bool {
        guard bytes.first == packedFormatTag else { return false }
        var i = 1
        var previous = -1
        while i < bytes.count {
            let bucket = Int(bytes[i])
            guard bucket > previous, bucket < bucketCount else { return false }
            previous = bucket
            i += 1
            var count: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard i < bytes.count, shift < 64 else { return false }
                let byte = bytes[i]
                i += 1
                let bits = UInt64(byte & 0x7F)
                guard shift == 0 || bits >> (64 - shift) == 0 else { return false }
                count |= bits << shift
                if byte < 0x80 { break }
                shift += 7
            }
            let (sum, overflow) = dense[bucket].addingReportingOverflow(Int64(clamping: count))
            dense[bucket] = overflow ? Int64.max : sum
        }
        return true
    }
}
