import PhasecastCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The model names seen in one file, each given a small index in order of first appearance.
///
/// Looking up a name already seen allocates nothing: the last match is checked first, then a
/// hash of the bytes.
public struct ModelNames: Sendable {
    public private(set) var names: [String] = []
    private var nameBytes: [[UInt8]] = []
    private var indexesByHash: [UInt64: [Int32]] = [:]
    private var lastIndex: Int32 = -1
    /// The name used where a line has no model, or an empty one.
    public let fallback: String

    /// Longest model name kept; longer ones are cut.
    public static let maxNameBytes = 200

    public init(fallback: String) {
        self.fallback = fallback
    }

    /// The index of the model named by `raw` (leading and trailing spaces ignored; an empty name
    /// stands for `fallback`).
    public mutating func index(of raw: UnsafeRawBufferPointer) -> Int32 {
        var bytes = ByteParsing.trimmed(raw)
        if bytes.count == 0 { return index(of: fallback) }
        if bytes.count > Self.maxNameBytes {
            bytes = UnsafeRawBufferPointer(rebasing: bytes[0..<Self.maxNameBytes])
        }
        if lastIndex >= 0 && Self.same(nameBytes[Int(lastIndex)], bytes) { return lastIndex }
        if nameBytes.count <= 16 {
            // A few names: comparing them all is cheaper than hashing.
            for (index, stored) in nameBytes.enumerated() where Self.same(stored, bytes) {
                lastIndex = Int32(index)
                return lastIndex
            }
        }
        let hash = ContentHash.of(bytes: bytes)
        if let candidates = indexesByHash[hash] {
            for candidate in candidates where Self.same(nameBytes[Int(candidate)], bytes) {
                lastIndex = candidate
                return candidate
            }
        }
        let index = Int32(names.count)
        names.append(Self.displayName(bytes))
        nameBytes.append(Array(bytes))
        indexesByHash[hash, default: []].append(index)
        lastIndex = index
        return index
    }

    /// A name as stored: control characters (NUL among them, which would cut the name short in
    /// SQLite and merge models) become U+FFFD, so that distinct names stay distinct and printable.
    static func displayName(_ bytes: UnsafeRawBufferPointer) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return text }
        var cleaned = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            cleaned.append(scalar.value < 0x20 || scalar.value == 0x7F ? "\u{FFFD}" : scalar)
        }
        return String(cleaned)
    }

    /// The index of the model a JSON value names, or of `fallback` when the value is absent or
    /// not a string.
    public mutating func index(of value: JSONValue?, orElse fallbackName: String) -> Int32 {
        guard let value, value.kind == .string else { return index(of: fallbackName) }
        return value.hasEscapes ? index(of: value.text()) : index(of: value.bytes)
    }

    /// The index of the model named `name`.
    public mutating func index(of name: String) -> Int32 {
        var copy = name
        return copy.withUTF8 { index(of: UnsafeRawBufferPointer($0)) }
    }

    @inline(__always)
    private static func same(_ stored: [UInt8], _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard stored.count == bytes.count else { return false }
        guard let candidate = bytes.baseAddress else { return stored.isEmpty }
        return stored.withUnsafeBytes { storedBytes in
            guard let start = storedBytes.baseAddress else { return false }
            return JSONPath.sameBytes(start, candidate, bytes.count)
        }
    }
}

/// Bedrock model ids as logged: a plain id (`anthropic.claude-3-5-haiku-20241022-v1:0`), or an
/// ARN of a foundation model, an inference profile or a provisioned model.
public enum BedrockModelID {
    /// Geographic prefixes of cross-region inference profiles (`us.anthropic.…`).
    static let regionPrefixes = ["us.", "eu.", "apac.", "global.", "us-gov.", "jp.", "au.", "ca."]

    /// The model id an ARN names, without the account, region and cross-region prefix
    /// (`arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.anthropic.claude-…` →
    /// `anthropic.claude-…`); nil when `text` is not an ARN.
    public static func fromARN(_ text: String) -> String? {
        guard text.hasPrefix("arn:"), let slash = text.lastIndex(of: "/") else { return nil }
        var id = String(text[text.index(after: slash)...])
        if let prefix = regionPrefixes.first(where: { id.hasPrefix($0) }) { id.removeFirst(prefix.count) }
        return id.isEmpty ? nil : id
    }
}
