import CZlib

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes a gzip file with zlib's deflate, for generators of test and benchmark logs.
public final class GzipWriter {
    private let file: UnsafeMutablePointer<FILE>
    private let stream: UnsafeMutablePointer<z_stream>
    private let output: UnsafeMutableRawBufferPointer
    public let path: String

    /// Creates (or truncates) `path`; `level` 1 (fast) … 9 (small).
    public init(path: String, level: Int32 = 6) throws(ExtractError) {
        guard let file = fopen(path, "wb") else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        self.file = file
        self.path = path
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        output = .allocate(byteCount: 1 << 18, alignment: 16)
        guard phasecast_deflate_init2(stream, level, 15 + 16) == Z_OK else {
            throw .unreadable(path: path, reason: "zlib could not start")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        output.deallocate()
        fclose(file)
    }

    /// Compresses and writes `bytes`.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(ExtractError) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = UInt32(bytes.count)
        try pump(flush: Z_NO_FLUSH)
    }

    /// Writes the text as UTF-8.
    public func write(_ text: String) throws(ExtractError) {
        var copy = text
        let failure: ExtractError? = copy.withUTF8 { buffer in
            do throws(ExtractError) { try write(UnsafeRawBufferPointer(buffer)) } catch { return error }
            return nil
        }
        if let failure { throw failure }
    }

    /// Finishes the gzip member and flushes the file.
    public func finish() throws(ExtractError) {
        stream.pointee.next_in = nil
        stream.pointee.avail_in = 0
        try pump(flush: Z_FINISH)
        guard fflush(file) == 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
    }

    private func pump(flush: Int32) throws(ExtractError) {
        guard let outputStart = output.baseAddress else { return }
        while true {
            stream.pointee.next_out = outputStart.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = UInt32(output.count)
            let status = deflate(stream, flush)
            let produced = output.count - Int(stream.pointee.avail_out)
            if produced > 0 && fwrite(outputStart, 1, produced, file) != produced {
                throw .unreadable(path: path, reason: String(cString: strerror(errno)))
            }
            if flush == Z_FINISH {
                if status == Z_STREAM_END { return }
            } else if stream.pointee.avail_in == 0 && stream.pointee.avail_out > 0 {
                return
            }
            guard status == Z_OK || status == Z_BUF_ERROR || status == Z_STREAM_END else {
                throw .unreadable(path: path, reason: "zlib deflate status \(status)")
            }
        }
    }
}
