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
        bytes.withUnsafeBytes { spec in matches(path, spec) }
    }

    private func matches(_ path: JSONPath, _ spec: UnsafeRawBufferPointer) -> Bool {
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
