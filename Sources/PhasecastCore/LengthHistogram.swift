/// A histogram of token lengths in log-spaced buckets: exact below 16, then 8 buckets per
/// doubling (each at most 1/8 of its lower bound wide), up to 2³¹. Enough for p50/p90/p99
/// within about 6 %.
///
/// Stored in SQLite as JSON text mapping each bucket's lower bound to its count,
/// `{"0":3,"1024":5,"1152":2}`, so that `json_each` can read it in plain SQL.
public struct LengthHistogram: Sendable, Equatable {
    /// Number of buckets.
    public static let bucketCount = 16 + 27 * 8

    /// Counts by bucket index, sparse: (bucket, count) with count > 0, ascending by bucket.
    public private(set) var entries: [(bucket: Int, count: Int64)]

    public init() { entries = [] }

    public static func == (lhs: LengthHistogram, rhs: LengthHistogram) -> Bool {
        lhs.entries.elementsEqual(rhs.entries) { $0.bucket == $1.bucket && $0.count == $1.count }
    }

    /// The bucket of a length (negative lengths count as 0; lengths ≥ 2³¹ go to the last bucket).
    @inlinable
    public static func bucket(of value: Int64) -> Int {
        if value < 16 { return value < 0 ? 0 : Int(value) }
        if value >= 1 << 31 { return bucketCount - 1 }
        let exponent = 63 - value.leadingZeroBitCount  // 4 ... 30
        let sub = Int((value >> (exponent - 3)) & 7)
        return 16 + (exponent - 4) * 8 + sub
    }

    /// The smallest length in a bucket.
    @inlinable
    public static func lowerBound(of bucket: Int) -> Int64 {
        if bucket < 16 { return Int64(bucket) }
        let exponent = (bucket - 16) / 8 + 4
        let sub = Int64((bucket - 16) % 8)
        return (8 + sub) << (exponent - 3)
    }

    /// One past the largest length in a bucket.
    public static func upperBound(of bucket: Int) -> Int64 {
        bucket + 1 < bucketCount ? lowerBound(of: bucket + 1) : Int64(1) << 31
    }

    /// A histogram from dense counts, one a bucket.
    public init(dense: [Int64]) {
        entries = []
        for bucket in 0..<min(dense.count, Self.bucketCount) where dense[bucket] > 0 {
            entries.append((bucket, dense[bucket]))
        }
    }

    /// Total count.
    public var total: Int64 { entries.reduce(0) { $0 + $1.count } }

    /// Adds another histogram's counts.
    public mutating func merge(_ other: LengthHistogram) {
        var merged: [(bucket: Int, count: Int64)] = []
        merged.reserveCapacity(entries.count + other.entries.count)
        var i = 0
        var j = 0
        while i < entries.count || j < other.entries.count {
            if j == other.entries.count || (i < entries.count && entries[i].bucket < other.entries[j].bucket) {
                merged.append(entries[i])
                i += 1
            } else if i == entries.count || other.entries[j].bucket < entries[i].bucket {
                merged.append(other.entries[j])
                j += 1
            } else {
                merged.append((entries[i].bucket, entries[i].count + other.entries[j].count))
                i += 1
                j += 1
            }
        }
        entries = merged
    }

    /// Every count multiplied by `factor` (a log sampled 1 in `factor` stands for that many
    /// requests per line); counts saturate at `Int64.max`.
    public func scaled(by factor: Int64) -> LengthHistogram {
        var copy = self
        copy.entries = entries.map { entry in
            let (product, overflow) = entry.count.multipliedReportingOverflow(by: max(factor, 0))
            return (entry.bucket, overflow ? Int64.max : product)
        }.filter { $0.count > 0 }
        return copy
    }

    /// Counts one length.
    public mutating func add(_ value: Int64, count: Int64 = 1) {
        var single = LengthHistogram()
        single.entries = [(Self.bucket(of: value), count)]
        merge(single)
    }

    /// The length below which a fraction `q` (0...1) of the counts fall, interpolated linearly
    /// inside the bucket; nil when empty.
    public func quantile(_ q: Double) -> Double? {
        let n = total
        guard n > 0 else { return nil }
        let target = min(max(q, 0), 1) * Double(n)
        var cumulative: Int64 = 0
        for entry in entries {
            let next = cumulative + entry.count
            if Double(next) >= target {
                let low = Double(Self.lowerBound(of: entry.bucket))
                let high = Double(Self.upperBound(of: entry.bucket))
                if entry.bucket < 16 { return low }
                let within = (target - Double(cumulative)) / Double(entry.count)
                return low + (high - low) * within
            }
            cumulative = next
        }
        return Double(Self.lowerBound(of: entries.last?.bucket ?? 0))
    }

    /// The JSON text stored in SQLite.
    public var json: String {
        var bytes: [UInt8] = [UInt8(ascii: "{")]
        bytes.reserveCapacity(16 * entries.count + 2)
        for entry in entries {
            if bytes.count > 1 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: Self.jsonKeys[entry.bucket])
            Self.appendDecimal(entry.count, to: &bytes)
        }
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads the JSON text written by `json`; nil when it is not of that shape.
    public init?(json: String) {
        var dense = [Int64](repeating: 0, count: Self.bucketCount)
        var text = json
        let valid = text.withUTF8 { Self.addCounts(ofJSON: $0, to: &dense) }
        guard valid else { return nil }
        self.init(dense: dense)
    }
}
