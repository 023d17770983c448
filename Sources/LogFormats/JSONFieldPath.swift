/// A field of a JSON record named by the keys that lead to it, written with dots:
/// `request.input_tokens`, `usageMetadata.promptTokenCount`.
///
/// A key may itself hold dots, as flattened OpenTelemetry attributes do
/// (`{"attributes": {"gen_ai.usage.input_tokens": 12}}`): the path is compared with the keys
/// joined by dots, so `attributes.gen_ai.usage.input_tokens` finds the count whether the record
/// nests it or flattens it. `*` stands for any one key or array element, `[]` for an array
/// element.
public struct JSONFieldPath: Sendable, Equatable, CustomStringConvertible {
    /// The path as written.
    public let text: String
    private let bytes: [UInt8]

    /// The longest path accepted.
    public static let maxBytes = 512

    /// A path from its dotted text; nil when it is empty, has an empty key (`a..b`) or is too long.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= Self.maxBytes, bytes.first != UInt8(ascii: "."),
            bytes.last != UInt8(ascii: "."),
            !zip(bytes, bytes.dropFirst()).contains(where: { $0 == UInt8(ascii: ".") && $1 == UInt8(ascii: ".") })
        else { return nil }
        self.text = text
        self.bytes = bytes
    }

    /// A path the code spells out (the native formats' fields), taken as written.
    init(field text: StaticString) {
        self.text = "\(text)"
        bytes = Array(self.text.utf8)
    }

    public var description: String { text }

    /// Whether `path` (the keys of a visited scalar) is this field.
    @inline(__always)
    public func matches(_ path: JSONPath) -> Bool {
        bytes.withUnsafeBytes { spec in Self.matches(path, spec) }
    }

    /// The path's bytes, for `CompiledFieldPaths`.
    var utf8: [UInt8] { bytes }

    /// Whether `path` is the field whose dotted text is `spec`.
    static func matches(_ path: JSONPath, _ spec: UnsafeRawBufferPointer) -> Bool {
        var end = spec.count
        var component = path.depth - 1
        while component >= 0 {
            guard end > 0 else { return false }
            // The spec's segment that ends at `end`, for the wildcards.
            var segmentStart = end
            while segmentStart > 0 && spec[segmentStart - 1] != UInt8(ascii: ".") { segmentStart -= 1 }
            let segmentLength = end - segmentStart
            let isStar = segmentLength == 1 && spec[segmentStart] == UInt8(ascii: "*")
            let isElement =
                segmentLength == 2 && spec[segmentStart] == UInt8(ascii: "[")
                && spec[segmentStart + 1] == UInt8(ascii: "]")
            if let key = path.key(component) {
                if isStar {
                    end = segmentStart
                } else {
                    guard key.count <= end, let base = spec.baseAddress, let keyBase = key.baseAddress,
                        JSONPath.sameBytes(base + (end - key.count), keyBase, key.count)
                    else { return false }
                    end -= key.count
                }
            } else {
                guard isStar || isElement else { return false }
                end = segmentStart
            }
            component -= 1
            if component >= 0 {
                guard end > 0, spec[end - 1] == UInt8(ascii: ".") else { return false }
                end -= 1
            }
        }
        return end == 0
    }
}

/// The paths of one spec laid out for the per-scalar test: bytes in one buffer, and each path's
/// last segment checked against the scalar's own key before the whole path is compared, so that
/// the scalars no path names (nearly all of them) cost one short comparison per path.
final class CompiledFieldPaths: @unchecked Sendable {
    let count: Int
    private let bytes: UnsafeMutablePointer<UInt8>
    private let starts: UnsafeMutablePointer<Int>
    private let lengths: UnsafeMutablePointer<Int>
    /// Length of the last segment, or -1 when it is a wildcard (`*`, `[]`).
    private let tailLengths: UnsafeMutablePointer<Int>
    /// Whether the path has no wildcard segment at all, so that keys compare as plain bytes.
    private let plain: UnsafeMutablePointer<Bool>

    init(_ paths: [JSONFieldPath]) {
        count = paths.count
        let total = paths.reduce(0) { $0 + $1.utf8.count }
        bytes = .allocate(capacity: max(total, 1))
        starts = .allocate(capacity: max(count, 1))
        lengths = .allocate(capacity: max(count, 1))
        tailLengths = .allocate(capacity: max(count, 1))
        plain = .allocate(capacity: max(count, 1))
        var offset = 0
        for (index, path) in paths.enumerated() {
            let utf8 = path.utf8
            for (k, byte) in utf8.enumerated() { bytes[offset + k] = byte }
            starts[index] = offset
            lengths[index] = utf8.count
            let tail = utf8.count - (utf8.lastIndex(of: UInt8(ascii: ".")).map { $0 + 1 } ?? 0)
            let tailText = utf8.suffix(tail)
            tailLengths[index] = tailText.elementsEqual("*".utf8) || tailText.elementsEqual("[]".utf8) ? -1 : tail
            let segments = utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
            plain[index] = !segments.contains { $0.elementsEqual("*".utf8) || $0.elementsEqual("[]".utf8) }
            offset += utf8.count
        }
    }

    deinit {
        bytes.deallocate()
        starts.deallocate()
        lengths.deallocate()
        tailLengths.deallocate()
        plain.deallocate()
    }

    /// Whether path `index` names the scalar at `path`.
    @inline(__always)
    func matches(_ index: Int, _ path: JSONPath) -> Bool {
        let start = bytes + starts[index]
        let tail = tailLengths[index]
        if tail >= 0 {
            // The scalar's key must end with the path's last segment (a dotted key may be longer).
            guard let key = path.key(path.depth - 1), key.count >= tail, let keyBase = key.baseAddress,
                JSONPath.sameBytes(keyBase + (key.count - tail), start + (lengths[index] - tail), tail)
            else { return false }
        }
        guard plain[index] else {
            return JSONFieldPath.matches(path, UnsafeRawBufferPointer(start: start, count: lengths[index]))
        }
        // No wildcards: the keys, joined by dots, must spell the path exactly.
        var end = lengths[index]
        var component = path.depth - 1
        while component >= 0 {
            guard let key = path.key(component), key.count <= end, let keyBase = key.baseAddress,
                JSONPath.sameBytes(start + (end - key.count), keyBase, key.count)
            else { return false }
            end -= key.count
            component -= 1
            if component >= 0 {
                guard end > 0, start[end - 1] == UInt8(ascii: ".") else { return false }
                end -= 1
            }
        }
        return end == 0
    }
}
