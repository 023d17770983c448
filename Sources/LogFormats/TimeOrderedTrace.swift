import Foundation

/// One request of a trace that is held until the whole file is read, with the chain of prefix
/// block keys the prefix cache looks up for it.
struct TraceRecord {
    var micros: Int64
    var line: Int64
    var input: Int64
    var output: Int64
    /// Segments of equal share (RAGPulse) rather than fixed-size blocks (Mooncake).
    var segmented: Bool
    var chain: [UInt64]

    /// Time order, ties by line.
    static func precedes(_ a: (micros: Int64, line: Int64), _ b: (micros: Int64, line: Int64)) -> Bool {
        (a.micros, a.line) < (b.micros, b.line)
    }
}

/// Why held trace requests could not be kept or given back (the temporary file failed).
public struct HeldRequestsError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// Holds a trace's requests and gives them back in time order, in bounded memory: requests are
/// gathered up to `memoryBudget` bytes, then sorted and written as one sorted run to a temporary
/// file (unlinked at once, so a killed process leaves nothing behind); at the end the runs are
/// merged. A file that fits the budget never touches the disk.
///
/// Runs are merged in tiers, as a log-structured merge does: when `fanIn` runs of one tier
/// exist they become one run of the next tier (their files freed). So at most `fanIn − 1` runs
/// per tier are open, each read through a buffer, and every record is rewritten once per tier:
/// about log₆₄(file / budget) times, one or two for any real trace.
struct TimeOrderedTrace {
    private struct Held {
        var micros: Int64
        var line: Int64
        var input: Int64
        var output: Int64
        var chainStart: Int
        var chainCount: Int
        var segmented: Bool
    }

    /// A sorted run and its tier (0: written from memory; n + 1: merged from `fanIn` runs of n).
    private struct TieredRun {
        var file: SpillFile
        var tier: Int
    }

    /// Bytes of memory a held request costs besides its chain.
    private static let heldBytes = MemoryLayout<Held>.stride
    /// Runs of one tier merged into one of the next.
    static let fanIn = 64
    private let memoryBudget: Int
    private var held: [Held] = []
    private var chains: [UInt64] = []
    private var runs: [TieredRun] = []
    private var merger: RunMerger?
    private var inMemoryOrder: [Int]?
    private var nextInMemory = 0

    init(memoryBudget: Int) {
        self.memoryBudget = max(memoryBudget, 4096)
    }

    /// Sorted runs on disk now.
    var spilledRuns: Int { runs.count }

    /// Keeps one request (its chain of block keys copied).
    mutating func add(
        micros: Int64, line: Int64, input: Int64, output: Int64, segmented: Bool, chain: [UInt64]
    ) throws(HeldRequestsError) {
        held.append(
            Held(
                micros: micros, line: line, input: input, output: output, chainStart: chains.count,
                chainCount: chain.count, segmented: segmented))
        chains.append(contentsOf: chain)
        if held.count * Self.heldBytes + chains.count * 8 > memoryBudget { try spillHeld() }
    }

    /// Writes what is held, sorted, as a run of tier 0, then merges full tiers.
    private mutating func spillHeld() throws(HeldRequestsError) {
        let file = try SpillFile()
        var writer = SpillFile.Writer(file)
        for index in sortedIndexes() { try writer.append(record(index)) }
        try writer.flush()
        runs.append(TieredRun(file: file, tier: 0))
        held.removeAll(keepingCapacity: true)
        chains.removeAll(keepingCapacity: true)
        // Runs are appended in tier order (highest first), so a full tier is the tail.
        while let last = runs.last, runs.count >= Self.fanIn,
            runs.suffix(Self.fanIn).allSatisfy({ $0.tier == last.tier })
        {
            let tail = runs.suffix(Self.fanIn).map(\.file)
            runs.removeLast(Self.fanIn)
            var merger = try RunMerger(files: tail, memoryBudget: memoryBudget)
            let merged = try SpillFile()
            var mergedWriter = SpillFile.Writer(merged)
            while let record = try merger.next() { try mergedWriter.append(record) }
            try mergedWriter.flush()
            runs.append(TieredRun(file: merged, tier: last.tier + 1))
        }
    }

    /// The held request at `index`, with a copy of its chain.
    private func record(_ index: Int) -> TraceRecord {
        let h = held[index]
        return TraceRecord(
            micros: h.micros, line: h.line, input: h.input, output: h.output, segmented: h.segmented,
            chain: Array(chains[h.chainStart..<(h.chainStart + h.chainCount)]))
    }

    private func sortedIndexes() -> [Int] {
        held.indices.sorted { TraceRecord.precedes((held[$0].micros, held[$0].line), (held[$1].micros, held[$1].line)) }
    }

    /// The next request in time order, or nil when all were given back.
    mutating func next() throws(HeldRequestsError) -> TraceRecord? {
        if runs.isEmpty && merger == nil {
            if inMemoryOrder == nil { inMemoryOrder = sortedIndexes() }
            guard let order = inMemoryOrder, nextInMemory < order.count else {
                held = []
                chains = []
                return nil
            }
            defer { nextInMemory += 1 }
            return record(order[nextInMemory])
        }
        if merger == nil {
            if !held.isEmpty { try spillHeld() }
            merger = try RunMerger(files: runs.map(\.file), memoryBudget: memoryBudget)
            runs = []
            held = []
            chains = []
        }
        return try merger?.next()
    }
}

/// A temporary file holding one sorted run of trace records, removed from its folder as soon
/// as it is opened (closing it frees its space). Records are little-endian: micros, line,
/// input, output (8 bytes each), a segmented flag (1 byte), the chain's length (4 bytes), then
/// the chain's keys (8 bytes each).
final class SpillFile {
    /// Appends records to a spill file through a 1 MiB buffer.
    struct Writer {
        let file: SpillFile
        private var buffer: [UInt8] = []

        init(_ file: SpillFile) {
            self.file = file
            buffer.reserveCapacity(1 << 20)
        }

        mutating func append(_ record: TraceRecord) throws(HeldRequestsError) {
            SpillFile.append(record, to: &buffer)
            if buffer.count >= 1 << 20 { try flush() }
        }

        mutating func flush() throws(HeldRequestsError) {
            try file.write(buffer)
            buffer.removeAll(keepingCapacity: true)
        }
    }

    static let headerBytes = 8 * 4 + 1 + 4
    private let descriptor: Int32
    private(set) var length: Int64 = 0

    init() throws(HeldRequestsError) {
        let folder = FileManager.default.temporaryDirectory.path
        var template = Array((folder + "/phasecast-sort-XXXXXX").utf8CString)
        let opened = template.withUnsafeMutableBufferPointer { name in name.baseAddress.map { mkstemp($0) } ?? -1 }
        guard opened >= 0 else {
            throw HeldRequestsError(
                description: "cannot create a temporary file in \(folder) to sort the trace: \(Self.lastError())")
        }
        descriptor = opened
        template.withUnsafeBufferPointer { name in _ = name.baseAddress.map { unlink($0) } }
    }

    deinit { close(descriptor) }

    private static func lastError() -> String { String(cString: strerror(errno)) }

    static func append(_ record: TraceRecord, to buffer: inout [UInt8]) {
        func put(_ value: UInt64) {
            withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
        }
        put(UInt64(bitPattern: record.micros))
        put(UInt64(bitPattern: record.line))
        put(UInt64(bitPattern: record.input))
        put(UInt64(bitPattern: record.output))
        buffer.append(record.segmented ? 1 : 0)
        withUnsafeBytes(of: UInt32(record.chain.count).littleEndian) { buffer.append(contentsOf: $0) }
        for key in record.chain { put(key) }
    }

    func write(_ bytes: [UInt8]) throws(HeldRequestsError) {
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { pointer in
                pointer.baseAddress.map { pwrite(descriptor, $0 + written, pointer.count - written, off_t(length)) }
                    ?? -1
            }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                throw HeldRequestsError(description: "cannot write the trace's sort file: \(Self.lastError())")
            }
            written += count
            length += Int64(count)
        }
    }

    /// Reads exactly `count` bytes at `offset` into `buffer`.
    func read(at offset: Int64, count: Int, into buffer: inout [UInt8]) throws(HeldRequestsError) {
        if buffer.count != count { buffer = [UInt8](repeating: 0, count: count) }
        var got = 0
        while got < count {
            let n = buffer.withUnsafeMutableBytes { pointer in
                pointer.baseAddress.map { pread(descriptor, $0 + got, count - got, off_t(offset) + off_t(got)) } ?? -1
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw HeldRequestsError(description: "cannot read the trace's sort file: \(Self.lastError())")
            }
            got += n
        }
    }
}

/// Merges sorted runs, each read through a small buffer (together half the memory budget),
/// into one time-ordered stream.
struct RunMerger {
    /// One run being read: its unread byte range and the bytes buffered from it.
    private struct Cursor {
        var offset: Int64
        var end: Int64
        var buffer: [UInt8] = []
        var position = 0
        var head: TraceRecord?
    }

    private let files: [SpillFile]
    private let bufferBytes: Int
    private var cursors: [Cursor]
    /// Indexes of cursors with a head, as a binary min-heap by (micros, line).
    private var heap: [Int] = []

    init(files: [SpillFile], memoryBudget: Int) throws(HeldRequestsError) {
        self.files = files
        bufferBytes = max(4096, memoryBudget / 2 / max(files.count, 1))
        cursors = files.map { Cursor(offset: 0, end: $0.length) }
        for index in cursors.indices {
            try advance(index)
            if cursors[index].head != nil { push(index) }
        }
    }

    mutating func next() throws(HeldRequestsError) -> TraceRecord? {
        guard let top = heap.first, let record = cursors[top].head else { return nil }
        try advance(top)
        if cursors[top].head == nil {
            let last = heap.removeLast()
            if !heap.isEmpty {
                heap[0] = last
                siftDown(0)
            }
        } else {
            siftDown(0)
        }
        return record
    }

    /// Takes `count` bytes of a run, refilling its buffer as needed.
    private mutating func take(_ index: Int, _ count: Int) throws(HeldRequestsError) -> [UInt8] {
        var taken: [UInt8] = []
        taken.reserveCapacity(count)
        while taken.count < count {
            if cursors[index].position == cursors[index].buffer.count {
                let left = cursors[index].end - cursors[index].offset
                guard left > 0 else {
                    throw HeldRequestsError(description: "the trace's sort file ended inside a record")
                }
                let size = Int(min(Int64(bufferBytes), left))
                try files[index].read(at: cursors[index].offset, count: size, into: &cursors[index].buffer)
                cursors[index].offset += Int64(size)
                cursors[index].position = 0
            }
            let available = cursors[index].buffer.count - cursors[index].position
            let n = min(available, count - taken.count)
            let from = cursors[index].position
            taken.append(contentsOf: cursors[index].buffer[from..<(from + n)])
            cursors[index].position += n
        }
        return taken
    }

    /// Reads the run's next record into its head, or clears the head at the run's end.
    private mutating func advance(_ index: Int) throws(HeldRequestsError) {
        let cursor = cursors[index]
        guard cursor.position < cursor.buffer.count || cursor.offset < cursor.end else {
            cursors[index].head = nil
            return
        }
        let header = try take(index, SpillFile.headerBytes)
        func word(_ at: Int) -> UInt64 {
            var value: UInt64 = 0
            for byte in 0..<8 { value |= UInt64(header[at + byte]) << (8 * UInt64(byte)) }
            return value
        }
        var count = 0
        for byte in 0..<4 { count |= Int(header[33 + byte]) << (8 * byte) }
        let chainBytes = try take(index, count * 8)
        var chain = [UInt64](repeating: 0, count: count)
        for key in 0..<count {
            var value: UInt64 = 0
            for byte in 0..<8 { value |= UInt64(chainBytes[key * 8 + byte]) << (8 * UInt64(byte)) }
            chain[key] = value
        }
        cursors[index].head = TraceRecord(
            micros: Int64(bitPattern: word(0)), line: Int64(bitPattern: word(8)), input: Int64(bitPattern: word(16)),
            output: Int64(bitPattern: word(24)), segmented: header[32] != 0, chain: chain)
    }

    private func less(_ a: Int, _ b: Int) -> Bool {
        guard let x = cursors[heap[a]].head, let y = cursors[heap[b]].head else { return false }
        return TraceRecord.precedes((x.micros, x.line), (y.micros, y.line))
    }

    private mutating func push(_ index: Int) {
        heap.append(index)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard less(child, parent) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count && less(left, smallest) { smallest = left }
            if right < heap.count && less(right, smallest) { smallest = right }
            if smallest == parent { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
