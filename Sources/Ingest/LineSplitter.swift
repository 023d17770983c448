import LogFormats

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A growable byte buffer with a stable address, for lines that span chunks.
///
/// The classes of the per-line path mark their stored properties `@exclusivity(unchecked)`: each
/// instance belongs to one thread and none of their methods re-enters another, so the dynamic
/// exclusivity checks Swift would make on every access cannot fire and only cost time.
final class LineBuffer {
    @exclusivity(unchecked) private(set) var base: UnsafeMutableRawPointer
    @exclusivity(unchecked) private(set) var capacity: Int
    @exclusivity(unchecked) private(set) var count = 0

    init(capacity: Int = 1 << 12) {
        self.capacity = capacity
        base = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }

    deinit { base.deallocate() }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    func append(_ piece: UnsafeRawBufferPointer) {
        guard let start = piece.baseAddress, piece.count > 0 else { return }
        reserve(count + piece.count)
        (base + count).copyMemory(from: start, byteCount: piece.count)
        count += piece.count
    }

    func append(byte: UInt8) {
        reserve(count + 1)
        base.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    /// Empties the buffer; a large one gives its memory back.
    func clear() {
        count = 0
        if capacity > 1 << 20 {
            base.deallocate()
            capacity = 1 << 12
            base = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        }
    }

    private func reserve(_ needed: Int) {
        guard needed > capacity else { return }
        var grown = capacity
        while grown < needed { grown *= 2 }
        let fresh = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: 16)
        fresh.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = fresh
        capacity = grown
    }
}

/// One line from `LineSplitter` or one record from `RecordAssembler`.
enum SplitLine {
    /// The bytes (valid until the next call) and the 1-based number of the line they start on.
    case text(UnsafeRawBufferPointer, Int64)
    /// A line or record longer than the limit, not kept.
    case tooLong(Int64)
}

/// Cuts a stream of byte chunks into lines, numbered from 1, without their `\n` or `\r\n` and,
/// on the first line, without a UTF-8 byte-order mark. A line split across chunks is carried
/// over; a line longer than the limit is reported, not kept, so memory stays bounded.
///
/// Use: `begin(chunk)`, then `next()` until nil; at the end of the input, `finish()`.
final class LineSplitter {
    /// Longest line kept.
    static let defaultMaxLineBytes = 32 << 20

    let maxLineBytes: Int
    /// The start of a line that continues in the next chunk.
    private let carry = LineBuffer()
    /// Whether `carry` holds a line already handed out, to be cleared before reuse.
    @exclusivity(unchecked) private var carryHandedOut = false
    /// Whether the current line passed the limit and is being skipped to its end.
    @exclusivity(unchecked) private var discarding = false
    @exclusivity(unchecked) private(set) var lineNumber: Int64 = 0
    @exclusivity(unchecked) private var chunk = UnsafeRawBufferPointer(start: nil, count: 0)
    @exclusivity(unchecked) private var position = 0

    init(maxLineBytes: Int = LineSplitter.defaultMaxLineBytes) {
        self.maxLineBytes = maxLineBytes
    }

    /// Starts on the next chunk of input; the previous one must have been read to its end.
    func begin(_ bytes: UnsafeRawBufferPointer) {
        chunk = bytes
        position = 0
    }

    /// The next complete line of the current chunk, or nil when the rest of it is an incomplete
    /// line (kept for the next chunk).
    @inline(__always)
    func next() -> SplitLine? {
        releaseCarry()
        guard let base = chunk.baseAddress, position < chunk.count else { return nil }
        let remaining = chunk.count - position
        guard let found = memchr(base + position, 0x0A, remaining) else {
            keep(UnsafeRawBufferPointer(start: base + position, count: remaining))
            position = chunk.count
            return nil
        }
        let end = UnsafeRawPointer(found) - base
        let piece = UnsafeRawBufferPointer(start: base + position, count: end - position)
        position = end + 1
        lineNumber += 1
        if carry.count == 0 && !discarding {
            return piece.count > maxLineBytes ? .tooLong(lineNumber) : .text(trim(piece), lineNumber)
        }
        keep(piece)
        if discarding {
            discarding = false
            return .tooLong(lineNumber)
        }
        carryHandedOut = true
        return .text(trim(carry.bytes), lineNumber)
    }

    /// At the end of the input: the last line when it did not end with a line break.
    func finish() -> SplitLine? {
        releaseCarry()
        if discarding {
            discarding = false
            lineNumber += 1
            return .tooLong(lineNumber)
        }
        guard carry.count > 0 else { return nil }
        lineNumber += 1
        carryHandedOut = true
        return .text(trim(carry.bytes), lineNumber)
    }

    @inline(__always)
    private func releaseCarry() {
        if carryHandedOut {
            carry.clear()
            carryHandedOut = false
        }
    }

    private func keep(_ piece: UnsafeRawBufferPointer) {
        guard !discarding else { return }
        if carry.count + piece.count > maxLineBytes {
            discarding = true
            carry.clear()
        } else {
            carry.append(piece)
        }
    }

    /// Drops a final `\r`, and a byte-order mark on line 1.
    @inline(__always)
    private func trim(_ raw: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var line = raw
        if line.count > 0 && line[line.count - 1] == 0x0D {
            line = UnsafeRawBufferPointer(rebasing: line[0..<(line.count - 1)])
        }
        if lineNumber == 1 && line.count >= 3 && line[0] == 0xEF && line[1] == 0xBB && line[2] == 0xBF {
            line = UnsafeRawBufferPointer(rebasing: line[3...])
        }
        return line
    }
}

/// Joins the physical lines of a CSV record whose quoted field holds line breaks, so that the
/// parser sees whole records; the record keeps the number of its first line.
final class RecordAssembler {
    let maxRecordBytes: Int
    private let joined = LineBuffer()
    @exclusivity(unchecked) private var firstLine: Int64 = 0
    @exclusivity(unchecked) private var open = false
    @exclusivity(unchecked) private var overflow = false

    init(maxRecordBytes: Int = LineSplitter.defaultMaxLineBytes) {
        self.maxRecordBytes = maxRecordBytes
    }

    /// A whole record (the line itself, or lines joined), or nil while a quoted field is open.
    /// The bytes returned are valid until the next call.
    @inline(__always)
    func add(_ line: UnsafeRawBufferPointer, number: Int64) -> SplitLine? {
        if !open {
            guard CSVRecord.hasOpenQuote(line) else { return .text(line, number) }
            open = true
            overflow = false
            firstLine = number
            joined.clear()
            joined.append(line)
            return nil
        }
        if !overflow {
            if joined.count + 1 + line.count > maxRecordBytes {
                overflow = true
                joined.clear()
            } else {
                joined.append(byte: 0x0A)
                joined.append(line)
            }
        }
        guard CSVRecord.hasOpenQuote(line) else { return nil }
        open = false
        return overflow ? .tooLong(firstLine) : .text(joined.bytes, firstLine)
    }

    /// At the end of the input: a record left open, returned whole for the parser to reject.
    func finish() -> SplitLine? {
        guard open else { return nil }
        open = false
        return overflow ? .tooLong(firstLine) : .text(joined.bytes, firstLine)
    }
}
