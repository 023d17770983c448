extension DecompressingReader {
    /// The rest of the stream, decompressed, as one array: for small files read whole (series,
    /// events, tests), never for logs, which stream.
    public func readAll() throws(ExtractError) -> [UInt8] {
        var bytes: [UInt8] = []
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 8)
        defer { chunk.deallocate() }
        while true {
            let count = try read(into: chunk)
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }
}
