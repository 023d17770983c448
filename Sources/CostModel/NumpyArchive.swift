import CZlib
import Foundation

/// The arrays of a NumPy `.npz` file (what `numpy.savez` and `savez_compressed` write, and
/// Dynamo's profiler saves as `raw_data.npz`): a zip of `.npy` files, stored or deflated, read
/// with zlib. Only what profiles hold is supported: one-dimensional little-endian float64,
/// float32, int64 or int32 arrays, read as doubles.
public enum NumpyArchive {
    /// Why an archive could not be read.
    public struct ReadError: Error, Equatable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    /// The archive's arrays by name (without `.npy`).
    public static func arrays(_ data: Data) throws(ReadError) -> [String: [Double]] {
        let bytes = [UInt8](data)
        var arrays: [String: [Double]] = [:]
        for entry in try centralDirectory(bytes) where entry.name.hasSuffix(".npy") {
            let payload = try contents(of: entry, in: bytes)
            arrays[String(entry.name.dropLast(4))] = try npy(payload, name: entry.name)
        }
        return arrays
    }

    /// Largest array file read: profiles are kilobytes; this bounds what a hostile archive can
    /// make phasecast allocate.
    static let maximumEntrySize: UInt64 = 64 << 20

    struct Entry {
        var name: String
        var method: UInt16
        var compressedSize: Int
        var size: Int
        var localHeader: Int
    }

    static func u16(_ b: [UInt8], _ at: Int) throws(ReadError) -> UInt16 {
        guard at >= 0, at <= b.count - 2 else { throw ReadError(reason: "truncated zip structure") }
        return UInt16(b[at]) | UInt16(b[at + 1]) << 8
    }

    static func u32(_ b: [UInt8], _ at: Int) throws(ReadError) -> UInt32 {
        UInt32(try u16(b, at)) | UInt32(try u16(b, at + 2)) << 16
    }

    static func u64(_ b: [UInt8], _ at: Int) throws(ReadError) -> UInt64 {
        UInt64(try u32(b, at)) | UInt64(try u32(b, at + 4)) << 32
    }

    /// The entries listed by the central directory (zip64 sizes and offsets included).
    static func centralDirectory(_ b: [UInt8]) throws(ReadError) -> [Entry] {
        // The end-of-central-directory record is in the last 64 KiB + 22 bytes.
        var end = -1
        var at = b.count - 22
        while at >= max(0, b.count - 65_557) {
            if b[at] == 0x50, b[at + 1] == 0x4b, b[at + 2] == 0x05, b[at + 3] == 0x06 {
                end = at
                break
            }
            at -= 1
        }
        guard end >= 0 else { throw ReadError(reason: "not a zip archive (no end of central directory)") }
        var count = Int(try u16(b, end + 10))
        var offset = Int(try u32(b, end + 16))
        if offset == 0xFFFF_FFFF || count == 0xFFFF, end >= 20, try u32(b, end - 20) == 0x0706_4b50 {
            let record = Int(clamping: try u64(b, end - 12))
            guard record < b.count - 56, try u32(b, record) == 0x0606_4b50 else {
                throw ReadError(reason: "broken zip64 directory")
            }
            count = Int(clamping: try u64(b, record + 32))
            offset = Int(clamping: try u64(b, record + 48))
        }
        var entries: [Entry] = []
        var cursor = offset
        for _ in 0..<count {
            guard try u32(b, cursor) == 0x0201_4b50 else { throw ReadError(reason: "broken zip central directory") }
            let method = try u16(b, cursor + 10)
            var compressed = UInt64(try u32(b, cursor + 20))
            var size = UInt64(try u32(b, cursor + 24))
            let nameLength = Int(try u16(b, cursor + 28))
            let extraLength = Int(try u16(b, cursor + 30))
            let commentLength = Int(try u16(b, cursor + 32))
            var local = UInt64(try u32(b, cursor + 42))
            let nameStart = cursor + 46
            guard nameStart + nameLength + extraLength <= b.count else { throw ReadError(reason: "truncated zip") }
            let name = String(decoding: b[nameStart..<nameStart + nameLength], as: UTF8.self)
            // Zip64 extra field (id 1): the 0xFFFFFFFF fields, in order.
            var extra = nameStart + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let id = try u16(b, extra)
                let length = Int(try u16(b, extra + 2))
                if id == 1 {
                    var field = extra + 4
                    if size == 0xFFFF_FFFF {
                        size = try u64(b, field)
                        field += 8
                    }
                    if compressed == 0xFFFF_FFFF {
                        compressed = try u64(b, field)
                        field += 8
                    }
                    if local == 0xFFFF_FFFF { local = try u64(b, field) }
                }
                extra += 4 + length
            }
            guard size <= maximumEntrySize, compressed < UInt64(b.count), local < UInt64(b.count) else {
                throw ReadError(reason: "\(name): entry larger than 64 MiB or out of the file")
            }
            entries.append(
                Entry(
                    name: name, method: method, compressedSize: Int(compressed), size: Int(size),
                    localHeader: Int(local)))
            cursor = extraEnd + commentLength
        }
        return entries
    }

    /// An entry's bytes, inflated when deflated.
    static func contents(of entry: Entry, in b: [UInt8]) throws(ReadError) -> [UInt8] {
        guard try u32(b, entry.localHeader) == 0x0403_4b50 else {
            throw ReadError(reason: "\(entry.name): broken local header")
        }
        let start =
            entry.localHeader + 30 + Int(try u16(b, entry.localHeader + 26)) + Int(try u16(b, entry.localHeader + 28))
        guard start + entry.compressedSize <= b.count else { throw ReadError(reason: "\(entry.name): truncated") }
        let stored = Array(b[start..<start + entry.compressedSize])
        switch entry.method {
        case 0: return stored
        case 8: return try inflate(stored, size: entry.size, name: entry.name)
        default: throw ReadError(reason: "\(entry.name): compression method \(entry.method) is not stored or deflate")
        }
    }

    static func inflate(_ input: [UInt8], size: Int, name: String) throws(ReadError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: max(size, 1))
        var stream = z_stream()
        guard phasecast_inflate_init2(&stream, -MAX_WBITS) == Z_OK else { throw ReadError(reason: "zlib failed") }
        defer { inflateEnd(&stream) }
        var input = input
        let status = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.next_in = source.baseAddress
                stream.avail_in = uInt(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = uInt(target.count)
                return CZlib.inflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END, Int(stream.total_out) == size else {
            throw ReadError(reason: "\(name): the deflated data is broken")
        }
        return Array(output.prefix(size))
    }

    /// A one-dimensional `.npy` array as doubles.
    static func npy(_ b: [UInt8], name: String) throws(ReadError) -> [Double] {
        guard b.count >= 10, b[0] == 0x93, Array(b[1...5]) == Array("NUMPY".utf8) else {
            throw ReadError(reason: "\(name): not a .npy array")
        }
        let major = b[6]
        let headerLength = major == 1 ? Int(try u16(b, 8)) : Int(try u32(b, 8))
        let headerStart = major == 1 ? 10 : 12
        guard headerStart + headerLength <= b.count else { throw ReadError(reason: "\(name): truncated header") }
        let header = String(decoding: b[headerStart..<headerStart + headerLength], as: UTF8.self)
        guard header.contains("'fortran_order': False") else {
            throw ReadError(reason: "\(name): Fortran-ordered arrays are not supported")
        }
        let descr = ["<f8", "<f4", "<i8", "<i4"].first { header.contains("'descr': '\($0)'") }
        guard let descr else { throw ReadError(reason: "\(name): only little-endian float64/32 and int64/32 arrays") }
        guard let open = header.range(of: "'shape': ("), let close = header[open.upperBound...].firstIndex(of: ")")
        else { throw ReadError(reason: "\(name): no shape") }
        let parts = header[open.upperBound..<close].split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty }
        let dimensions = parts.compactMap { Int($0) }
        guard dimensions.count == parts.count else { throw ReadError(reason: "\(name): unreadable shape") }
        guard dimensions.count <= 1 else { throw ReadError(reason: "\(name): only one-dimensional arrays") }
        let count = dimensions.first ?? 1
        let width = descr.hasSuffix("8") ? 8 : 4
        let data = headerStart + headerLength
        guard count >= 0, count <= (b.count - data) / width else { throw ReadError(reason: "\(name): truncated data") }
        return try (0..<count).map { (i: Int) throws(ReadError) -> Double in
            let at = data + i * width
            switch descr {
            case "<f8": return Double(bitPattern: try u64(b, at))
            case "<f4": return Double(Float(bitPattern: try u32(b, at)))
            case "<i8": return Double(Int64(bitPattern: try u64(b, at)))
            default: return Double(Int32(bitPattern: try u32(b, at)))
            }
        }
    }
}
