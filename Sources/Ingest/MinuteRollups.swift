import LogFormats
import PhasecastCore

/// The sums of one (minute, model) cell of a file: what later stages need to cost any hour under
/// any GPU and model profile without rescanning requests.
struct RollupSums: Sendable, Equatable {
    var requests: Int64 = 0
    var failed: Int64 = 0
    var prompt: Int64 = 0
    var cached: Int64 = 0
    var prefill: Int64 = 0
    /// Σ prefill².
    var prefillSquared: Int64 = 0
    /// Σ prefill·cached.
    var prefillTimesCached: Int64 = 0
    var output: Int64 = 0
    /// Σ output·prompt.
    var outputTimesPrompt: Int64 = 0
    /// Σ output².
    var outputSquared: Int64 = 0
}

/// One finished cell, ready to write.
struct RollupRow: Sendable {
    var minute: Int64
    var model: Int32
    var sums: RollupSums
    /// Packed length histograms (`LengthHistogram.packed`).
    var promptHistogram: [UInt8]
    var outputHistogram: [UInt8]
}

/// Accumulates a file's requests into per-minute, per-model cells as they stream by.
///
/// At most `capacity` cells are held; when full, `drain` hands them all over to be written (the
/// database merges a cell that comes back later, as in unsorted input), so memory stays bounded
/// whatever the file's time span. Storage is allocated once; the per-request path does no
/// allocation and no copy-on-write checks.
final class MinuteRollups {
    struct Key: Hashable {
        var minute: Int64
        var model: Int32
    }

    let capacity: Int
    // One thread owns an instance and no method re-enters another: see `LineBuffer`.
    @exclusivity(unchecked) private var slotOfKey: [Key: Int32] = [:]
    @exclusivity(unchecked) private var keys: [Key] = []
    private let sums: UnsafeMutablePointer<RollupSums>
    /// Dense histogram counts: slot × (prompt buckets, output buckets).
    private let histograms: UnsafeMutablePointer<UInt32>
    /// Which histogram entries of each slot are in use, one bit each, so that draining visits
    /// and clears only those (a minute of a model uses a few dozen of its 464 buckets).
    private let used: UnsafeMutablePointer<UInt64>
    /// The last slot used per model, for the common case of sorted input.
    @exclusivity(unchecked) private var lastMinuteOfModel: [Int64] = []
    @exclusivity(unchecked) private var lastSlotOfModel: [Int32] = []
    /// Set when a 64-bit sum overflowed; the file must then fail rather than store a wrong sum.
    @exclusivity(unchecked) private(set) var overflowed = false
    private let writer = LengthHistogram.PackedWriter()

    private static let stride = 2 * LengthHistogram.bucketCount
    private static let usedWords = (stride + 63) / 64

    /// 1,024 cells hold 17 hours of a model's minutes, or a minute of 1,024 models: sorted logs
    /// never come back to a drained cell, and the counts take 1.9 MB (two files are in flight).
    init(capacity: Int = 1024) {
        self.capacity = capacity
        sums = .allocate(capacity: capacity)
        sums.initialize(repeating: RollupSums(), count: capacity)
        histograms = .allocate(capacity: capacity * Self.stride)
        histograms.initialize(repeating: 0, count: capacity * Self.stride)
        used = .allocate(capacity: capacity * Self.usedWords)
        used.initialize(repeating: 0, count: capacity * Self.usedWords)
        keys.reserveCapacity(capacity)
    }

    deinit {
        sums.deallocate()
        histograms.deallocate()
        used.deallocate()
    }

    var isFull: Bool { keys.count >= capacity }
    var isEmpty: Bool { keys.isEmpty }

    /// Adds one request.
    @inline(__always)
    func add(_ request: ParsedRequest) {
        let minute = UTCTime.floorDiv(request.micros, UTCTime.microsPerMinute)
        let slot = Int(self.slot(minute: minute, model: request.model))
        let prefill = request.prompt - request.cached
        var ok = true
        @inline(__always) func accumulate(_ total: inout Int64, _ value: Int64) {
            let (sum, overflow) = total.addingReportingOverflow(value)
            total = sum
            if overflow { ok = false }
        }
        let cell = sums + slot
        accumulate(&cell.pointee.requests, 1)
        if request.status == .failed { accumulate(&cell.pointee.failed, 1) }
        accumulate(&cell.pointee.prompt, request.prompt)
        accumulate(&cell.pointee.cached, request.cached)
        accumulate(&cell.pointee.prefill, prefill)
        accumulate(&cell.pointee.prefillSquared, prefill * prefill)
        accumulate(&cell.pointee.prefillTimesCached, prefill * request.cached)
        accumulate(&cell.pointee.output, request.output)
        accumulate(&cell.pointee.outputTimesPrompt, request.output * request.prompt)
        accumulate(&cell.pointee.outputSquared, request.output * request.output)
        if !ok { overflowed = true }
        count(slot, LengthHistogram.bucket(of: request.prompt))
        count(slot, LengthHistogram.bucketCount + LengthHistogram.bucket(of: request.output))
    }

    @inline(__always)
    private func count(_ slot: Int, _ entry: Int) {
        histograms[slot * Self.stride + entry] &+= 1
        used[slot * Self.usedWords + entry >> 6] |= 1 << UInt64(entry & 63)
    }

    @inline(__always)
    private func slot(minute: Int64, model: Int32) -> Int32 {
        let m = Int(model)
        if m < lastSlotOfModel.count && lastMinuteOfModel[m] == minute && lastSlotOfModel[m] >= 0 {
            return lastSlotOfModel[m]
        }
        let key = Key(minute: minute, model: model)
        let slot: Int32
        if let existing = slotOfKey[key] {
            slot = existing
        } else {
            slot = Int32(keys.count)
            keys.append(key)
            slotOfKey[key] = slot
        }
        while lastSlotOfModel.count <= m {
            lastSlotOfModel.append(-1)
            lastMinuteOfModel.append(0)
        }
        lastMinuteOfModel[m] = minute
        lastSlotOfModel[m] = slot
        return slot
    }

    /// The packed bytes of one of a slot's two histograms (0 prompt, 1 output), clearing its counts.
    private func takeHistogram(slot: Int, part: Int) -> [UInt8] {
        let bucketCount = LengthHistogram.bucketCount
        let low = part * bucketCount
        let high = low + bucketCount
        writer.begin()
        for word in (low >> 6)...((high - 1) >> 6) {
            var bits = used[slot * Self.usedWords + word]
            while bits != 0 {
                let entry = word * 64 + bits.trailingZeroBitCount
                bits &= bits - 1
                guard entry >= low && entry < high else { continue }
                let index = slot * Self.stride + entry
                writer.add(bucket: entry - low, count: UInt64(histograms[index]))
                histograms[index] = 0
            }
        }
        return writer.finish()
    }

    /// Hands over every cell held, and starts empty.
    func drain() -> [RollupRow] {
        var rows: [RollupRow] = []
        rows.reserveCapacity(keys.count)
        for index in 0..<keys.count {
            let prompt = takeHistogram(slot: index, part: 0)
            let output = takeHistogram(slot: index, part: 1)
            for word in 0..<Self.usedWords { used[index * Self.usedWords + word] = 0 }
            rows.append(
                RollupRow(
                    minute: keys[index].minute, model: keys[index].model, sums: sums[index], promptHistogram: prompt,
                    outputHistogram: output))
            sums[index] = RollupSums()
        }
        keys.removeAll(keepingCapacity: true)
        slotOfKey.removeAll(keepingCapacity: true)
        for m in lastSlotOfModel.indices { lastSlotOfModel[m] = -1 }
        return rows
    }
}
