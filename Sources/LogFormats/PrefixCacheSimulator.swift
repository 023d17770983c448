/// A least-recently-used prefix cache over block keys, to derive cached prompt tokens from
/// traces that log which prompt blocks a request shares (Mooncake's `hash_ids`).
///
/// Model: a request's prompt is a chain of blocks; its cached tokens are those of the longest
/// leading run of blocks present in the cache when it arrives (a miss ends the run, as in
/// vLLM's and SGLang's prefix caches). After the request, all its blocks are in the cache as
/// most recently used; the least recently used blocks are evicted beyond the capacity.
/// At least one prompt token is always computed, as serving engines do to produce the first
/// output token.
public struct PrefixCacheSimulator: Sendable {
    /// Tokens per block in Mooncake traces.
    public static let defaultBlockTokens = 512
    /// Default capacity: 65,536 blocks, 33.5 M tokens of 512-token blocks. That is the KV cache
    /// of a large disaggregated deployment's shared pool (tens of TB of host memory for a 70B
    /// model at 320 KiB per token), the setting Mooncake's traces come from.
    public static let defaultCapacityBlocks = 65_536

    private let capacity: Int
    private var slotOfKey: [UInt64: Int32] = [:]
    private var keys: [UInt64] = []
    private var previous: [Int32] = []
    private var next: [Int32] = []
    /// Most recently used slot, or -1.
    private var head: Int32 = -1
    /// Least recently used slot, or -1.
    private var tail: Int32 = -1
    private var freeSlots: [Int32] = []

    public init(capacityBlocks: Int) {
        capacity = max(1, capacityBlocks)
    }

    /// Number of blocks held.
    public var count: Int { slotOfKey.count }

    /// Looks up a request's chain of block keys: returns how many leading blocks were cached,
    /// then records all of them as most recently used.
    public mutating func access(_ chain: ArraySlice<UInt64>) -> Int {
        var hits = 0
        var stillHitting = true
        for key in chain {
            if let slot = slotOfKey[key] {
                if stillHitting { hits += 1 }
                moveToFront(slot)
            } else {
                stillHitting = false
                insert(key)
            }
        }
        return hits
    }

    private mutating func insert(_ key: UInt64) {
        let slot: Int32
        if slotOfKey.count >= capacity {
            slot = tail
            slotOfKey[keys[Int(slot)]] = nil
            unlink(slot)
        } else if let free = freeSlots.popLast() {
            slot = free
        } else {
            slot = Int32(keys.count)
            keys.append(0)
            previous.append(-1)
            next.append(-1)
        }
        keys[Int(slot)] = key
        slotOfKey[key] = slot
        linkAtFront(slot)
    }

    private mutating func moveToFront(_ slot: Int32) {
        guard slot != head else { return }
        unlink(slot)
        linkAtFront(slot)
    }

    private mutating func unlink(_ slot: Int32) {
        let before = previous[Int(slot)]
        let after = next[Int(slot)]
        if before >= 0 { next[Int(before)] = after } else { head = after }
        if after >= 0 { previous[Int(after)] = before } else { tail = before }
        previous[Int(slot)] = -1
        next[Int(slot)] = -1
    }

    private mutating func linkAtFront(_ slot: Int32) {
        previous[Int(slot)] = -1
        next[Int(slot)] = head
        if head >= 0 { previous[Int(head)] = slot }
        head = slot
        if tail < 0 { tail = slot }
    }

    /// The key of a block given the key of the block before it: prefix caching matches a
    /// block only after the same preceding blocks.
    @inlinable
    public static func chainKey(previous: UInt64, block: UInt64) -> UInt64 {
        var z = previous &+ 0x9E37_79B9_7F4A_7C15 &+ block &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
