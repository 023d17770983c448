/// XXH64 of a byte stream, fed in pieces: the fingerprints by which phasecast recognizes a file
/// it has loaded before, whatever its name or compression. Fast enough to run on every byte.
public struct Fingerprint: Sendable {
    private static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let prime3: UInt64 = 0x1656_67B1_9E37_79F9
    private static let prime4: UInt64 = 0x85EB_CA77_C2B2_AE63
    private static let prime5: UInt64 = 0x27D4_EB2F_1656_67C5

    private var v1: UInt64
    private var v2: UInt64
    private var v3: UInt64
    private var v4: UInt64
    private let seed: UInt64
    /// Bytes fed so far.
    public private(set) var length: Int64 = 0
    /// Bytes not yet a whole 32-byte stripe.
    private var pending: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    private var pendingCount = 0

    public init(seed: UInt64 = 0) {
        self.seed = seed
        v1 = seed &+ Self.prime1 &+ Self.prime2
        v2 = seed &+ Self.prime2
        v3 = seed
        v4 = seed &- Self.prime1
    }

    @inline(__always)
    private static func round(_ accumulator: UInt64, _ input: UInt64) -> UInt64 {
        var acc = accumulator &+ input &* prime2
        acc = (acc << 31) | (acc >> 33)
        return acc &* prime1
    }

    @inline(__always)
    private static func merge(_ hash: UInt64, _ value: UInt64) -> UInt64 {
        (hash ^ round(0, value)) &* prime1 &+ prime4
    }

    @inline(__always)
    private static func rotate(_ value: UInt64, _ bits: UInt64) -> UInt64 {
        (value << bits) | (value >> (64 - bits))
    }

    /// Feeds more bytes.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        length += Int64(bytes.count)
        var offset = 0
        let count = bytes.count
        if pendingCount > 0 {
            let take = min(32 - pendingCount, count)
            withUnsafeMutableBytes(of: &pending) { stripe in
                stripe.baseAddress?.advanced(by: pendingCount).copyMemory(from: base, byteCount: take)
            }
            pendingCount += take
            offset = take
            guard pendingCount == 32 else { return }
            withUnsafeBytes(of: pending) { stripe in if let start = stripe.baseAddress { consumeStripe(start) } }
            pendingCount = 0
        }
        while offset + 32 <= count {
            consumeStripe(base + offset)
            offset += 32
        }
        if offset < count {
            let rest = count - offset
            withUnsafeMutableBytes(of: &pending) { stripe in
                stripe.baseAddress?.copyMemory(from: base + offset, byteCount: rest)
            }
            pendingCount = rest
        }
    }

    @inline(__always)
    private mutating func consumeStripe(_ pointer: UnsafeRawPointer) {
        v1 = Self.round(v1, UInt64(littleEndian: pointer.loadUnaligned(fromByteOffset: 0, as: UInt64.self)))
        v2 = Self.round(v2, UInt64(littleEndian: pointer.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        v3 = Self.round(v3, UInt64(littleEndian: pointer.loadUnaligned(fromByteOffset: 16, as: UInt64.self)))
        v4 = Self.round(v4, UInt64(littleEndian: pointer.loadUnaligned(fromByteOffset: 24, as: UInt64.self)))
    }

    /// The hash of everything fed so far.
    public var digest: UInt64 {
        var hash: UInt64
        if length >= 32 {
            hash = Self.rotate(v1, 1) &+ Self.rotate(v2, 7) &+ Self.rotate(v3, 12) &+ Self.rotate(v4, 18)
            hash = Self.merge(hash, v1)
            hash = Self.merge(hash, v2)
            hash = Self.merge(hash, v3)
            hash = Self.merge(hash, v4)
        } else {
            hash = seed &+ Self.prime5
        }
        hash &+= UInt64(length)
        withUnsafeBytes(of: pending) { stripe in
            var offset = 0
            while offset + 8 <= pendingCount {
                let lane = UInt64(littleEndian: stripe.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                hash ^= Self.round(0, lane)
                hash = Self.rotate(hash, 27) &* Self.prime1 &+ Self.prime4
                offset += 8
            }
            if offset + 4 <= pendingCount {
                let lane = UInt64(UInt32(littleEndian: stripe.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
                hash ^= lane &* Self.prime1
                hash = Self.rotate(hash, 23) &* Self.prime2 &+ Self.prime3
                offset += 4
            }
            while offset < pendingCount {
                hash ^= UInt64(stripe[offset]) &* Self.prime5
                hash = Self.rotate(hash, 11) &* Self.prime1
                offset += 1
            }
        }
        hash ^= hash >> 33
        hash &*= Self.prime2
        hash ^= hash >> 29
        hash &*= Self.prime3
        hash ^= hash >> 32
        return hash
    }

    /// The fingerprint as stored: `xxh64:` and 16 hex digits.
    public var text: String {
        let hex = String(digest, radix: 16)
        return "xxh64:" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The fingerprint of a whole file, read in 1 MiB pieces.
    public static func ofFile(_ path: String) throws(ExtractError) -> Fingerprint {
        let source = try ByteSource(path: path)
        var fingerprint = Fingerprint()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = try source.read(into: buffer)
            if count == 0 { return fingerprint }
            fingerprint.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
    }
}
