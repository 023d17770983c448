/// A block of decompressed bytes passed from the reading thread to the parsing thread.
/// Its memory belongs to a `ChunkPool` and goes back there once parsed.
struct Chunk: @unchecked Sendable {
    let storage: UnsafeMutableRawBufferPointer
    /// Valid bytes at the start of `storage`.
    var count: Int

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: storage[0..<count]) }
}

/// A fixed set of equally sized buffers that circulate between the reading and parsing threads,
/// so that decompressed data never takes more than `count × size` bytes.
final class ChunkPool: @unchecked Sendable {
    private let free: BoundedQueue<Chunk>
    private var all: [UnsafeMutableRawBufferPointer] = []

    init(count: Int, size: Int) {
        free = BoundedQueue(capacity: count)
        for _ in 0..<count {
            let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 64)
            all.append(storage)
            free.push(Chunk(storage: storage, count: 0))
        }
    }

    deinit {
        for storage in all { storage.deallocate() }
    }

    /// An empty buffer, waiting for one to come back; nil once the pool is closed.
    func take() -> Chunk? { free.pop() }

    /// Returns a buffer for reuse.
    func give(_ chunk: Chunk) { free.push(Chunk(storage: chunk.storage, count: 0)) }

    /// Wakes a thread waiting in `take`.
    func close() { free.close() }
}
