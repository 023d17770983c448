#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A scalar found in a JSON line: its kind and its bytes (string contents without the quotes,
/// escapes not yet decoded; the number's text; the literal).
public struct JSONValue {
    public enum Kind: Sendable { case string, number, bool, null }
    public let kind: Kind
    public let bytes: UnsafeRawBufferPointer
    /// Whether a string holds backslash escapes, so that its text needs decoding.
    public let hasEscapes: Bool

    /// The value as text: a string's decoded contents, or a number's or literal's spelling.
    public func text() -> String {
        guard kind == .string && hasEscapes else { return String(decoding: bytes, as: UTF8.self) }
        return JSONValue.decodeEscapes(bytes)
    }

    static func decodeEscapes(_ raw: UnsafeRawBufferPointer) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = 0
        var pendingHighSurrogate: UInt32?
        func hex(_ at: Int) -> UInt32? {
            guard at + 4 <= raw.count else { return nil }
            var value: UInt32 = 0
            for k in at..<(at + 4) {
                let c = raw[k]
                let digit: UInt8
                switch c {
                case 48...57: digit = c - 48
                case 65...70: digit = c - 55
                case 97...102: digit = c - 87
                default: return nil
                }
                value = value << 4 | UInt32(digit)
            }
            return value
        }
        func appendScalar(_ value: UInt32) {
            let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
            out.append(contentsOf: Array(String(Character(scalar)).utf8))
        }
        while i < raw.count {
            let c = raw[i]
            guard c == 0x5C, i + 1 < raw.count else {
                out.append(c)
                i += 1
                continue
            }
            let e = raw[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                guard let unit = hex(i) else {
                    out.append(contentsOf: [0x5C, e])
                    continue
                }
                i += 4
                if unit >= 0xD800 && unit < 0xDC00 {
                    pendingHighSurrogate = unit
                } else if unit >= 0xDC00 && unit < 0xE000, let high = pendingHighSurrogate {
                    appendScalar(0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00))
                    pendingHighSurrogate = nil
                } else {
                    appendScalar(unit)
                }
            default: out.append(e)  // \" \\ \/
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The keys that lead from the top-level object to a value; array elements have no key.
public struct JSONPath {
    @usableFromInline let line: UnsafeRawBufferPointer
    @usableFromInline let starts: UnsafeMutablePointer<Int>
    @usableFromInline let lengths: UnsafeMutablePointer<Int>
    /// Number of components; the last names the value itself.
    public let depth: Int

    /// The key at `index` (0 = top level), or nil for an array element.
    @inlinable
    public func key(_ index: Int) -> UnsafeRawBufferPointer? {
        let length = lengths[index]
        guard length >= 0 else { return nil }
        return UnsafeRawBufferPointer(rebasing: line[starts[index]..<(starts[index] + length)])
    }

    /// Whether the component at `index` is an array element.
    @inlinable
    public func isArrayElement(_ index: Int) -> Bool { lengths[index] < 0 }

    /// The 0-based position of the array element at `index` in its array (only for array elements).
    @inlinable
    public func elementIndex(_ index: Int) -> Int { starts[index] }

    /// The key names from the top level down, with array elements as `[]`, joined by dots.
    public func dotted() -> String {
        (0..<depth).map { index in
            key(index).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
        }.joined(separator: ".")
    }

    /// Whether the component at `index` is the key `name`.
    @inlinable @inline(__always)
    public func component(_ index: Int, is name: StaticString) -> Bool {
        guard index >= 0, index < depth, lengths[index] == name.utf8CodeUnitCount, let base = line.baseAddress else {
            return false
        }
        return JSONPath.sameBytes(base + starts[index], UnsafeRawPointer(name.utf8Start), lengths[index])
    }

    /// Compares short byte runs eight bytes at a time; keys are too short for memcmp's call to pay.
    @inlinable @inline(__always)
    static func sameBytes(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ count: Int) -> Bool {
        var offset = 0
        while offset + 8 <= count {
            if a.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                != b.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            {
                return false
            }
            offset += 8
        }
        while offset < count {
            if a.load(fromByteOffset: offset, as: UInt8.self) != b.load(fromByteOffset: offset, as: UInt8.self) {
                return false
            }
            offset += 1
        }
        return true
    }

    /// Whether the value's own key is `name`.
    @inlinable @inline(__always)
    public func lastKey(is name: StaticString) -> Bool { component(depth - 1, is: name) }

    /// Whether the value's key is `name` inside an object under `parent`.
    @inlinable @inline(__always)
    public func endsWith(_ parent: StaticString, _ name: StaticString) -> Bool {
        component(depth - 1, is: name) && component(depth - 2, is: parent)
    }
}

/// Receives the scalars of a JSON line in document order.
public protocol JSONVisitor {
    mutating func visit(_ path: JSONPath, _ value: JSONValue)
}

/// Why a line is not a JSON object.
public enum JSONSyntaxError: Error, Equatable, Sendable {
    case notAnObject
    case unexpected(byte: UInt8, at: Int)
    case unterminated(at: Int)
    case tooDeep

    /// A short explanation for reject reasons.
    public var reason: String {
        switch self {
        case .notAnObject: "not a JSON object"
        case .unexpected(let byte, let at):
            "malformed JSON: unexpected \(JSONSyntaxError.describe(byte)) at byte \(at + 1)"
        case .unterminated(let at): "malformed JSON: ends early (at byte \(at + 1))"
        case .tooDeep: "malformed JSON: nested deeper than \(JSONLineScanner.maxDepth) levels"
        }
    }

    static func describe(_ byte: UInt8) -> String {
        (byte >= 0x20 && byte < 0x7F) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
    }
}

/// Walks one JSON object (one line of a JSONL file) and reports each scalar with its key path.
///
/// It checks the syntax it walks (strings, numbers, literals, nesting, commas) but stores
/// nothing: values are byte ranges of the line. One scanner is reused for a whole file.
public final class JSONLineScanner {
    public static let maxDepth = 32
    private let starts: UnsafeMutablePointer<Int>
    private let lengths: UnsafeMutablePointer<Int>
    private let containerIsArray: UnsafeMutablePointer<Bool>
    /// Which bytes may continue a number: digits, `.`, `e`, `E`, `+`, `-`.
    private let numberBytes: UnsafeMutablePointer<Bool>

    public init() {
        starts = .allocate(capacity: Self.maxDepth)
        lengths = .allocate(capacity: Self.maxDepth)
        containerIsArray = .allocate(capacity: Self.maxDepth)
        numberBytes = .allocate(capacity: 256)
        numberBytes.initialize(repeating: false, count: 256)
        for byte in Array("0123456789.eE+-".utf8) { numberBytes[Int(byte)] = true }
    }

    deinit {
        starts.deallocate()
        lengths.deallocate()
        containerIsArray.deallocate()
        numberBytes.deallocate()
    }

    /// Scans `line`, calling `visitor` for every scalar. Returns the syntax error, if any;
    /// values before the error have already been visited.
    public func scan<V: JSONVisitor>(_ line: UnsafeRawBufferPointer, visitor: inout V) -> JSONSyntaxError? {
        let n = line.count
        guard let base = line.baseAddress else { return .notAnObject }
        var i = skipSpace(line, 0)
        guard i < n, line[i] == UInt8(ascii: "{") else { return .notAnObject }
        i += 1
        var level = 1
        containerIsArray[0] = false
        var atContainerStart = true

        while true {
            // Position: where a member (object) or element (array) of container `level - 1` begins.
            i = skipSpace(line, i)
            guard i < n else { return .unterminated(at: i) }
            let inArray = containerIsArray[level - 1]
            var closedEmpty = false
            if atContainerStart && line[i] == (inArray ? UInt8(ascii: "]") : UInt8(ascii: "}")) {
                i += 1
                level -= 1
                closedEmpty = true
            } else {
                if inArray {
                    // An element has no key; its slot counts the elements instead.
                    lengths[level - 1] = -1
                    starts[level - 1] += 1
                } else {
                    guard line[i] == UInt8(ascii: "\"") else { return .unexpected(byte: line[i], at: i) }
                    guard let keyEnd = stringEnd(base, n, from: i + 1) else { return .unterminated(at: n) }
                    starts[level - 1] = i + 1
                    lengths[level - 1] = keyEnd.end - (i + 1)
                    i = skipSpace(line, keyEnd.end + 1)
                    guard i < n else { return .unterminated(at: i) }
                    guard line[i] == UInt8(ascii: ":") else { return .unexpected(byte: line[i], at: i) }
                    i = skipSpace(line, i + 1)
                    guard i < n else { return .unterminated(at: i) }
                }
                let c = line[i]
                if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                    guard level < Self.maxDepth else { return .tooDeep }
                    containerIsArray[level] = c == UInt8(ascii: "[")
                    starts[level] = -1
                    level += 1
                    i += 1
                    atContainerStart = true
                    continue
                }
                let path = JSONPath(line: line, starts: starts, lengths: lengths, depth: level)
                if c == UInt8(ascii: "\"") {
                    guard let end = stringEnd(base, n, from: i + 1) else { return .unterminated(at: n) }
                    let bytes = UnsafeRawBufferPointer(rebasing: line[(i + 1)..<end.end])
                    visitor.visit(path, JSONValue(kind: .string, bytes: bytes, hasEscapes: end.escaped))
                    i = end.end + 1
                } else if c == UInt8(ascii: "-") || (c &- 48) <= 9 {
                    let start = i
                    i += 1
                    while i < n && numberBytes[Int(line[i])] { i += 1 }
                    let bytes = UnsafeRawBufferPointer(rebasing: line[start..<i])
                    visitor.visit(path, JSONValue(kind: .number, bytes: bytes, hasEscapes: false))
                } else if let length = literalLength(line, at: i) {
                    let kind: JSONValue.Kind = c == UInt8(ascii: "n") ? .null : .bool
                    let bytes = UnsafeRawBufferPointer(rebasing: line[i..<(i + length)])
                    visitor.visit(path, JSONValue(kind: kind, bytes: bytes, hasEscapes: false))
                    i += length
                } else {
                    return .unexpected(byte: c, at: i)
                }
            }
            // After a value (or an empty container): a comma, or the end of containers.
            while true {
                if closedEmpty && level == 0 { return trailingCheck(line, i) }
                closedEmpty = false
                i = skipSpace(line, i)
                guard i < n else { return .unterminated(at: i) }
                let c = line[i]
                if c == UInt8(ascii: ",") {
                    i += 1
                    atContainerStart = false
                    break
                }
                let closer = containerIsArray[level - 1] ? UInt8(ascii: "]") : UInt8(ascii: "}")
                guard c == closer else { return .unexpected(byte: c, at: i) }
                i += 1
                level -= 1
                if level == 0 { return trailingCheck(line, i) }
            }
        }
    }

    private func trailingCheck(_ line: UnsafeRawBufferPointer, _ from: Int) -> JSONSyntaxError? {
        let i = skipSpace(line, from)
        return i == line.count ? nil : .unexpected(byte: line[i], at: i)
    }

    @inline(__always)
    private func skipSpace(_ line: UnsafeRawBufferPointer, _ from: Int) -> Int {
        var i = from
        while i < line.count && line[i] <= 0x20 {
            let c = line[i]
            guard c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A else { break }
            i += 1
        }
        return i
    }

    /// The index of the quote closing a string whose contents start at `from`. Eight bytes are
    /// checked at a time for a quote or a backslash; the bytes found are then looked at alone.
    @inline(__always)
    private func stringEnd(_ base: UnsafeRawPointer, _ n: Int, from: Int) -> (end: Int, escaped: Bool)? {
        let quotes: UInt64 = 0x2222_2222_2222_2222
        let backslashes: UInt64 = 0x5C5C_5C5C_5C5C_5C5C
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var i = from
        var escaped = false
        while i < n {
            while i + 8 <= n {
                let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                let q = word ^ quotes
                let b = word ^ backslashes
                // A byte of q or b is zero where the word has a quote or a backslash.
                let found = ((q &- ones) & ~q & highs) | ((b &- ones) & ~b & highs)
                if found != 0 {
                    i += found.trailingZeroBitCount >> 3
                    break
                }
                i += 8
            }
            guard i < n else { return nil }
            let c = base.load(fromByteOffset: i, as: UInt8.self)
            if c == 0x22 { return (i, escaped) }
            if c == 0x5C {
                escaped = true
                i += 2
            } else {
                i += 1
            }
        }
        return nil
    }

    private func literalLength(_ line: UnsafeRawBufferPointer, at i: Int) -> Int? {
        func matches(_ word: StaticString) -> Bool {
            let length = word.utf8CodeUnitCount
            guard i + length <= line.count, let base = line.baseAddress else { return false }
            return memcmp(base + i, word.utf8Start, length) == 0
        }
        if matches("true") { return 4 }
        if matches("false") { return 5 }
        if matches("null") { return 4 }
        return nil
    }
}
