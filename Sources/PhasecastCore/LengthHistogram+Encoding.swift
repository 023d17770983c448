extension LengthHistogram {
    /// Writes the JSON of histograms given as dense counts, fast: the form the ingest loop uses for
    /// every minute rollup it writes. The `"lowerBound":` text of each bucket is made once.
    public final class JSONWriter {
        private let keys: [[UInt8]]
        // One thread uses a writer and nothing re-enters it: dynamic exclusivity checks only cost time.
        @exclusivity(unchecked) private var bytes: [UInt8] = []

        public init() {
            keys = (0..<LengthHistogram.bucketCount).map { Array("\"\(LengthHistogram.lowerBound(of: $0))\":".utf8) }
            bytes.reserveCapacity(1024)
        }

        /// Starts a histogram.
        public func begin() {
            bytes.removeAll(keepingCapacity: true)
            bytes.append(UInt8(ascii: "{"))
        }

        /// Adds a bucket's count; buckets must come in ascending order, counts above zero.
        @inline(__always)
        public func add(bucket: Int, count: UInt32) {
            if bytes.count > 1 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: keys[bucket])
            if count < 10 {
                bytes.append(UInt8(48 + count))
            } else {
                bytes.append(contentsOf: String(count).utf8)
            }
        }

        /// The JSON text of the histogram begun last.
        public func finish() -> String {
            bytes.append(UInt8(ascii: "}"))
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}
