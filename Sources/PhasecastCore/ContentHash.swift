/// FNV-1a, 64 bits: the one content hash of phasecast, for digests of inputs (is this the same
/// forecast input again?) and for seeds derived from names. Not for security.
public struct ContentHash: Sendable, Equatable {
    /// FNV-1a's 64-bit offset basis and prime.
    public static let offsetBasis: UInt64 = 14_695_981_039_346_656_037
    public static let prime: UInt64 = 1_099_511_628_211

    public private(set) var value: UInt64 = ContentHash.offsetBasis

    /// A hash starting from FNV-1a's offset basis.
    public init() {}

    /// A hash starting from another basis: only for values that were defined with it and must
    /// not change (the synthetic fleet's seeds).
    public init(offsetBasis: UInt64) { value = offsetBasis }

    /// Mixes in one byte.
    public mutating func mix(byte: UInt8) {
        value = (value ^ UInt64(byte)) &* Self.prime
    }

    /// Mixes in the eight bytes of `word`, low byte first.
    public mutating func mix(_ word: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { mix(byte: UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
    }

    /// Mixes in the UTF-8 bytes of `text`.
    public mutating func mix(_ text: String) {
        for byte in text.utf8 { mix(byte: byte) }
    }

    /// The hash of a text alone.
    public static func of(_ text: String) -> UInt64 {
        var hash = ContentHash()
        hash.mix(text)
        return hash.value
    }

    /// The hash of some bytes, inlined where it is called: for lookups in the ingest loop.
    @inlinable
    public static func of(bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash = offsetBasis
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* prime }
        return hash
    }

    /// The value in lowercase hexadecimal.
    public var hex: String { String(value, radix: 16) }
}
