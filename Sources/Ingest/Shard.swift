import PhasecastCore

/// One shard of a sharded ingest: which of `count` shards this process loads. Every file
/// belongs to exactly one shard, chosen by a stable hash of its path as discovered, so processes
/// given the same inputs split them without talking to each other.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    /// 0-based, as Kubernetes' `JOB_COMPLETION_INDEX`.
    public let index: Int
    public let count: Int

    /// The largest number of shards accepted.
    public static let maxCount = 10_000

    public init?(index: Int, count: Int) {
        guard (1...Self.maxCount).contains(count), (0..<count).contains(index) else { return nil }
        self.index = index
        self.count = count
    }

    /// The shard a file path belongs to: FNV-1a of its UTF-8 bytes, modulo the count.
    public static func of(path: String, count: Int) -> Int {
        var hash = ContentHash()
        hash.mix(path)
        return Int(hash.value % UInt64(count))
    }

    /// Whether this shard loads `path`.
    public func holds(_ path: String) -> Bool { Self.of(path: path, count: count) == index }

    public var description: String { "shard \(index) of \(count)" }
}
