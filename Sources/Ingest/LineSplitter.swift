import LogFormats

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Cuts a stream of byte chunks into lines, numbered from 1, without their `\n` or `\r\n` and,
/// on the first line, without a UTF-8 byte-order mark. A line split across chunks is carried
/// over; a line longer than the limit is reported, not kept, so memory stays bounded.
struct LineSplitter {
    /// Longest line kept.
    static let defaultMaxLineBytes = 32 << 20

    let maxLineBytes: Int
    private var carry: [UInt8] = []
    private var discarding = false
    private(set) var lineNumber: Int64 = 0

    init(maxLineBytes: Int = LineSplitter.defaultMaxLineBytes) {
        self.maxLineBytes = maxLineBytes
    }

    /// Splits `bytes`, calling `emit` for each complete line and `tooLong` for each line over the limit.
    mutating func feed(
        _ bytes: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer, Int64) -> Void, tooLong: (Int64) -> Void
    ) {
        guard let base = bytes.baseAddress else { return }
        let n = bytes.count
        var start = 0
        while start < n {
            guard let found = memchr(base + start, 0x0A, n - start) else {
                keep(UnsafeRawBufferPointer(rebasing: bytes[start..<n]))
                return
            }
            let end = UnsafeRawPointer(found) - base
            let piece = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
            if carry.isEmpty && !discarding {
                if piece.count > maxLineBytes {
                    lineNumber += 1
                    tooLong(lineNumber)
                } else {
                    deliver(piece, emit)
                }
            } else {
                keep(piece)
                if discarding {
                    lineNumber += 1
                    tooLong(lineNumber)
                } else {
                    carry.withUnsafeBytes { deliver($0, emit) }
                }
                resetCarry()
            }
            start = end + 1
        }
    }

    /// Delivers the last line when the input does not end with a line break.
    mutating func finish(emit: (UnsafeRawBufferPointer, Int64) -> Void, tooLong: (Int64) -> Void) {
        if discarding {
            lineNumber += 1
            tooLong(lineNumber)
        } else if !carry.isEmpty {
            carry.withUnsafeBytes { deliver($0, emit) }
        }
        resetCarry()
    }

    private mutating func keep(_ piece: UnsafeRawBufferPointer) {
        guard !discarding else { return }
        if carry.count + piece.count > maxLineBytes {
            discarding = true
            carry = []
        } else {
            carry.append(contentsOf: piece)
        }
    }

    private mutating func resetCarry() {
        discarding = false
        if carry.capacity > 1 << 20 { carry = [] } else { carry.removeAll(keepingCapacity: true) }
    }

    private mutating func deliver(_ raw: UnsafeRawBufferPointer, _ emit: (UnsafeRawBufferPointer, Int64) -> Void) {
        lineNumber += 1
        var line = raw
        if line.count > 0 && line[line.count - 1] == 0x0D {
            line = UnsafeRawBufferPointer(rebasing: line[0..<(line.count - 1)])
        }
        if lineNumber == 1 && line.count >= 3 && line[0] == 0xEF && line[1] == 0xBB && line[2] == 0xBF {
            line = UnsafeRawBufferPointer(rebasing: line[3...])
        }
        emit(line, lineNumber)
    }
}

/// Joins the physical lines of a CSV record whose quoted field holds line breaks, so that the
/// parser sees whole records; the record keeps the number of its first line.
struct RecordAssembler {
    let maxRecordBytes: Int
    private var joined: [UInt8] = []
    private var firstLine: Int64 = 0
    private var open = false
    private var overflow = false

    init(maxRecordBytes: Int = LineSplitter.defaultMaxLineBytes) {
        self.maxRecordBytes = maxRecordBytes
    }

    /// What became of a line.
    enum Result {
        /// A whole record: the line itself, or lines joined.
        case record(UnsafeRawBufferPointer, Int64)
        /// The line continues a record still open.
        case pending
        /// A joined record grew past the limit; reject it at this line number.
        case tooLong(Int64)
    }

    /// Passes on a line, or holds it while a quoted field is open. The buffer in `.record`
    /// is valid only until the next call.
    mutating func add(_ line: UnsafeRawBufferPointer, number: Int64, body: (Result) -> Void) {
        if !open {
            guard CSVRecord.hasOpenQuote(line) else {
                body(.record(line, number))
                return
            }
            open = true
            overflow = false
            firstLine = number
            joined.removeAll(keepingCapacity: joined.capacity <= 1 << 20)
            joined.append(contentsOf: line)
            return
        }
        if !overflow {
            if joined.count + 1 + line.count > maxRecordBytes {
                overflow = true
                joined = []
            } else {
                joined.append(0x0A)
                joined.append(contentsOf: line)
            }
        }
        guard CSVRecord.hasOpenQuote(line) else { return }
        open = false
        if overflow {
            body(.tooLong(firstLine))
        } else {
            joined.withUnsafeBytes { body(.record($0, firstLine)) }
        }
    }

    /// At the end of the input: a record left open is returned whole, for the parser to reject.
    mutating func finish(body: (Result) -> Void) {
        guard open else { return }
        open = false
        if overflow { body(.tooLong(firstLine)) } else { joined.withUnsafeBytes { body(.record($0, firstLine)) } }
    }
}
