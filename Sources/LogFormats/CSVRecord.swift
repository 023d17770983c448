import PhasecastCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The fields of one CSV record (RFC 4180): comma-separated, optionally double-quoted,
/// with `""` standing for a quote inside a quoted field.
///
/// Splitting stores byte ranges only; a field is copied (and unescaped) only when asked for
/// as text. One instance is reused for every line of a file.
public struct CSVRecord {
    /// Field bounds, in memory allocated once and grown when a record has more fields.
    final class Storage {
        /// Start offsets of the fields' contents (inside the quotes for quoted fields).
        @exclusivity(unchecked) var starts: UnsafeMutablePointer<Int>
        /// End offsets (exclusive) of the fields' contents.
        @exclusivity(unchecked) var ends: UnsafeMutablePointer<Int>
        /// Whether a field was quoted and holds an escaped `""`.
        @exclusivity(unchecked) var escaped: UnsafeMutablePointer<Bool>
        @exclusivity(unchecked) var capacity: Int

        init(capacity: Int) {
            self.capacity = capacity
            starts = .allocate(capacity: capacity)
            ends = .allocate(capacity: capacity)
            escaped = .allocate(capacity: capacity)
        }

        deinit {
            starts.deallocate()
            ends.deallocate()
            escaped.deallocate()
        }

        func grow() {
            let larger = capacity * 2
            let newStarts = UnsafeMutablePointer<Int>.allocate(capacity: larger)
            let newEnds = UnsafeMutablePointer<Int>.allocate(capacity: larger)
            let newEscaped = UnsafeMutablePointer<Bool>.allocate(capacity: larger)
            newStarts.update(from: starts, count: capacity)
            newEnds.update(from: ends, count: capacity)
            newEscaped.update(from: escaped, count: capacity)
            starts.deallocate()
            ends.deallocate()
            escaped.deallocate()
            starts = newStarts
            ends = newEnds
            escaped = newEscaped
            capacity = larger
        }
    }

    private let storage = Storage(capacity: 64)
    public private(set) var count = 0
    private var line = UnsafeRawBufferPointer(start: nil, count: 0)

    public init() {}

    /// Whether the line leaves a quoted field open, so that the record continues on the next line.
    public static func hasOpenQuote(_ line: UnsafeRawBufferPointer) -> Bool {
        guard let base = line.baseAddress, memchr(base, 0x22, line.count) != nil else { return false }
        var quotes = 0
        for byte in line where byte == 0x22 { quotes += 1 }
        return quotes % 2 == 1
    }

    /// Splits `line` into fields. Returns false when a quoted field is malformed
    /// (text after a closing quote, or a quote left open).
    public mutating func split(_ line: UnsafeRawBufferPointer) -> Bool {
        self.line = line
        count = 0
        let n = line.count
        var i = 0
        while true {
            if i < n && line[i] == 0x22 {
                // Quoted field.
                i += 1
                let start = i
                var hasEscape = false
                while true {
                    guard i < n else { return false }
                    if line[i] == 0x22 {
                        if i + 1 < n && line[i + 1] == 0x22 {
                            hasEscape = true
                            i += 2
                            continue
                        }
                        break
                    }
                    i += 1
                }
                append(start, i, hasEscape)
                i += 1
                // Spaces may follow a closing quote; anything else is malformed.
                while i < n && (line[i] == 0x20 || line[i] == 0x09) { i += 1 }
                if i == n { return true }
                guard line[i] == 0x2C else { return false }
                i += 1
            } else {
                let start = i
                if let base = line.baseAddress, i < n,
                    let comma = memchr(base + i, 0x2C, n - i)
                {
                    let end = UnsafeRawPointer(comma) - base
                    append(start, end, false)
                    i = end + 1
                } else {
                    append(start, n, false)
                    return true
                }
            }
        }
    }

    @inline(__always)
    private mutating func append(_ start: Int, _ end: Int, _ hasEscape: Bool) {
        if count == storage.capacity { storage.grow() }
        storage.starts[count] = start
        storage.ends[count] = end
        storage.escaped[count] = hasEscape
        count += 1
    }

    /// The raw bytes of field `index` (without surrounding quotes; `""` not yet unescaped).
    @inline(__always)
    public func field(_ index: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: line[storage.starts[index]..<storage.ends[index]])
    }

    /// Field `index` as text, with `""` turned into `"`.
    public func text(_ index: Int) -> String {
        let raw = field(index)
        guard storage.escaped[index] else { return String(decoding: raw, as: UTF8.self) }
        return String(decoding: Self.unescapingQuotes(raw), as: UTF8.self)
    }

    /// The bytes with each `""` turned into `"`, as inside a quoted CSV field.
    public static func unescapingQuotes(_ raw: UnsafeRawBufferPointer) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.count)
        var i = 0
        while i < raw.count {
            bytes.append(raw[i])
            i += (raw[i] == 0x22 && i + 1 < raw.count && raw[i + 1] == 0x22) ? 2 : 1
        }
        return bytes
    }

    /// Whether field `index` holds `""` escapes (its raw bytes differ from its text).
    public func isEscaped(_ index: Int) -> Bool { storage.escaped[index] }

    /// The header names of this record, trimmed, for matching columns.
    public func headerNames() -> [String] {
        (0..<count).map { index in
            var name = text(index)
            if name.utf8.starts(with: [0xEF, 0xBB, 0xBF]) { name = String(name.dropFirst()) }
            return name.trimmingSpaces()
        }
    }
}
