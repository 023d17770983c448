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
    var promptHistogram: String
    var outputHistogram: String
}

/// Accumulates a file's requests into per-minute, per-model cells as they stream by.
///
/// At most `capacity` cells are held; when full, `drain` hands them all over to be written (the
/// database merges a cell that comes back later, as in unsorted input), so memory stays bounded
/// whatever the file's time span.
struct MinuteRollups {
    struct Key: Hashable {
        var minute: Int64
        var model: Int32
    }

    let capacity: Int
    private var slotOfKey: [Key: Int32] = [:]
    private var keys: [Key] = []
    private var sums: [RollupSums] = []
    /// Dense histogram counts: slot × (prompt buckets, output buckets).
    private var histograms: [UInt32]
    /// The last slot used per model, for the common case of sorted input.
    private var lastMinuteOfModel: [Int64] = []
    private var lastSlotOfModel: [Int32] = []
    /// Set when a 64-bit sum overflowed; the file must then fail rather than store a wrong sum.
    private(set) var overflowed = false

    private static let stride = 2 * LengthHistogram.bucketCount

    init(capacity: Int = 4096) {
        self.capacity = capacity
        histograms = Array(repeating: 0, count: capacity * Self.stride)
        keys.reserveCapacity(capacity)
        sums.reserveCapacity(capacity)
    }

    var isFull: Bool { keys.count >= capacity }
    var isEmpty: Bool { keys.isEmpty }

    /// Adds one request.
    @inline(__always)
    mutating func add(_ request: ParsedRequest) {
        let minute = UTCTime.floorDiv(request.micros, UTCTime.microsPerMinute)
        let slot = self.slot(minute: minute, model: request.model)
        let prefill = request.prompt - request.cached
        var ok = true
        @inline(__always) func accumulate(_ total: inout Int64, _ value: Int64) {
            let (sum, overflow) = total.addingReportingOverflow(value)
            total = sum
            if overflow { ok = false }
        }
        let index = Int(slot)
        sums.withUnsafeMutableBufferPointer { all in
            accumulate(&all[index].requests, 1)
            if request.status == .failed { accumulate(&all[index].failed, 1) }
            accumulate(&all[index].prompt, request.prompt)
            accumulate(&all[index].cached, request.cached)
            accumulate(&all[index].prefill, prefill)
            accumulate(&all[index].prefillSquared, prefill * prefill)
            accumulate(&all[index].prefillTimesCached, prefill * request.cached)
            accumulate(&all[index].output, request.output)
            accumulate(&all[index].outputTimesPrompt, request.output * request.prompt)
            accumulate(&all[index].outputSquared, request.output * request.output)
        }
        if !ok { overflowed = true }
        let base = index * Self.stride
        histograms[base + LengthHistogram.bucket(of: request.prompt)] &+= 1
        histograms[base + LengthHistogram.bucketCount + LengthHistogram.bucket(of: request.output)] &+= 1
    }

    @inline(__always)
    private mutating func slot(minute: Int64, model: Int32) -> Int32 {
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
            sums.append(RollupSums())
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

    /// Hands over every cell held, and starts empty.
    mutating func drain() -> [RollupRow] {
        var rows: [RollupRow] = []
        rows.reserveCapacity(keys.count)
        let bucketCount = LengthHistogram.bucketCount
        for (index, key) in keys.enumerated() {
            let base = index * Self.stride
            let prompt = LengthHistogram(denseCounts: histograms[base..<(base + bucketCount)])
            let output = LengthHistogram(denseCounts: histograms[(base + bucketCount)..<(base + 2 * bucketCount)])
            rows.append(
                RollupRow(
                    minute: key.minute, model: key.model, sums: sums[index], promptHistogram: prompt.json,
                    outputHistogram: output.json))
            for i in base..<(base + Self.stride) { histograms[i] = 0 }
        }
        keys.removeAll(keepingCapacity: true)
        sums.removeAll(keepingCapacity: true)
        slotOfKey.removeAll(keepingCapacity: true)
        for m in lastSlotOfModel.indices { lastSlotOfModel[m] = -1 }
        return rows
    }
}
