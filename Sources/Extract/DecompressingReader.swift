import CZlib

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads the bytes of an input as its writer meant them: gzip (every member of a
/// multi-member stream, in order) is inflated, anything else passes through. Which one is
/// decided by the first two bytes, not by the name.
///
/// When a member's text does not end with a line break and another member follows (`cat a.gz
/// b.gz` of files without a final newline), a line break is put between them, so that the last
/// line of one and the first of the next stay two lines.
///
/// Memory is bounded by the input buffer and zlib's 32 KiB window, whatever the file size.
/// Also fingerprints the bytes as read (`rawFingerprint`) and as delivered (`contentFingerprint`):
/// the same log gzipped or not has one content fingerprint.
public final class DecompressingReader {
    public let source: ByteSource
    private let input: UnsafeMutableRawBufferPointer
    /// Valid bytes in `input` start at `inputStart` and end at `inputEnd`.
    private var inputStart = 0
    private var inputEnd = 0
    private let stream: UnsafeMutablePointer<z_stream>
    private var streamReady = false
    private var atEndOfSource = false
    private var finished = false

    /// Whether the input is gzip (known after the first read).
    public private(set) var isCompressed = false
    private var modeDecided = false
    /// Between two gzip members: the next bytes must start a member or be zero padding.
    private var betweenMembers = false
    /// The last byte delivered, to end a member's text with a line break before the next one.
    private var lastByte: UInt8 = 0x0A
    /// A line break owed between two members, not yet delivered for lack of room.
    private var owesLineBreak = false
    /// Raw bytes read from the source so far.
    public private(set) var rawBytesRead: Int64 = 0
    /// Bytes delivered to the caller so far.
    public private(set) var bytesDelivered: Int64 = 0
    /// Number of gzip members completed.
    public private(set) var membersRead = 0
    /// Fingerprint of the bytes read from the source so far.
    public private(set) var rawFingerprint = Fingerprint()
    /// Fingerprint of the bytes delivered so far (for plain input, the raw bytes').
    public var contentFingerprint: Fingerprint { isCompressed ? inflatedFingerprint : rawFingerprint }
    private var inflatedFingerprint = Fingerprint()

    public init(source: ByteSource, inputBufferSize: Int = 1 << 18) {
        self.source = source
        input = .allocate(byteCount: inputBufferSize, alignment: 16)
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
    }

    deinit {
        if streamReady { inflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
        input.deallocate()
    }

    /// Offset in the raw input of the next byte not yet consumed.
    private var rawOffset: Int64 { rawBytesRead - Int64(inputEnd - inputStart) }

    /// Refills the input buffer when it is empty. Returns false at the end of the source.
    private func refill() throws(ExtractError) -> Bool {
        if inputStart < inputEnd { return true }
        if atEndOfSource { return false }
        let count = try source.read(into: input)
        if count == 0 {
            atEndOfSource = true
            return false
        }
        rawFingerprint.update(UnsafeRawBufferPointer(rebasing: input[0..<count]))
        rawBytesRead += Int64(count)
        inputStart = 0
        inputEnd = count
        return true
    }

    /// Fills `buffer` with the next bytes; returns how many, 0 at the end. Throws when the gzip
    /// stream is truncated or corrupt.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(ExtractError) -> Int {
        if finished || buffer.count == 0 { return 0 }
        if !modeDecided {
            // Two bytes decide; a one-byte file is plain.
            _ = try refill()
            if inputEnd - inputStart == 1 && !atEndOfSource {
                let second = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: input[1..<2]))
                if second == 0 {
                    atEndOfSource = true
                } else {
                    rawFingerprint.update(UnsafeRawBufferPointer(rebasing: input[1..<2]))
                    rawBytesRead += 1
                    inputEnd = 2
                }
            }
            isCompressed = inputEnd - inputStart >= 2 && input[0] == 0x1F && input[1] == 0x8B
            modeDecided = true
            if isCompressed { try startMember() }
        }
        let count = isCompressed ? try inflate(into: buffer) : try copy(into: buffer)
        if count > 0 { lastByte = buffer[count - 1] }
        if isCompressed { inflatedFingerprint.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count])) }
        bytesDelivered += Int64(count)
        if count == 0 { finished = true }
        return count
    }

    private func copy(into buffer: UnsafeMutableRawBufferPointer) throws(ExtractError) -> Int {
        guard let target = buffer.baseAddress, let inputBase = input.baseAddress else { return 0 }
        var filled = 0
        while filled < buffer.count {
            guard try refill() else { break }
            let take = min(buffer.count - filled, inputEnd - inputStart)
            target.advanced(by: filled).copyMemory(from: inputBase.advanced(by: inputStart), byteCount: take)
            inputStart += take
            filled += take
        }
        return filled
    }

    private func startMember() throws(ExtractError) {
        let status: Int32
        if streamReady {
            status = inflateReset(stream)
        } else {
            // 15 + 16: a gzip wrapper, the largest window.
            status = phasecast_inflate_init2(stream, 15 + 16)
            streamReady = status == Z_OK
        }
        guard status == Z_OK else {
            throw .corrupt(path: source.name, offset: rawOffset, reason: "zlib could not start (status \(status))")
        }
    }

    private func inflate(into buffer: UnsafeMutableRawBufferPointer) throws(ExtractError) -> Int {
        guard let target = buffer.baseAddress, let inputBase = input.baseAddress else { return 0 }
        var filled = 0
        while filled < buffer.count {
            if owesLineBreak {
                buffer[filled] = 0x0A
                filled += 1
                owesLineBreak = false
                continue
            }
            if betweenMembers {
                // Zero bytes may pad the end; anything else must be another member.
                while true {
                    guard try refill() else { return filled }
                    while inputStart < inputEnd && input[inputStart] == 0 { inputStart += 1 }
                    if inputStart < inputEnd { break }
                }
                guard input[inputStart] == 0x1F else { throw .trailingData(path: source.name, offset: rawOffset) }
                betweenMembers = false
                try startMember()
                let previous = filled > 0 ? buffer[filled - 1] : lastByte
                if previous != 0x0A && bytesDelivered + Int64(filled) > 0 {
                    owesLineBreak = true
                    continue
                }
            }
            guard try refill() else { throw .truncated(path: source.name, offset: rawBytesRead) }
            stream.pointee.next_in = inputBase.advanced(by: inputStart).assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_in = UInt32(inputEnd - inputStart)
            stream.pointee.next_out = target.advanced(by: filled).assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = UInt32(buffer.count - filled)
            let status = CZlib.inflate(stream, Z_NO_FLUSH)
            let consumed = (inputEnd - inputStart) - Int(stream.pointee.avail_in)
            inputStart += consumed
            filled = buffer.count - Int(stream.pointee.avail_out)
            switch status {
            case Z_OK, Z_BUF_ERROR:
                continue
            case Z_STREAM_END:
                membersRead += 1
                betweenMembers = true
            case Z_DATA_ERROR:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "invalid data"
                if membersRead > 0 && message.contains("header") {
                    throw .trailingData(path: source.name, offset: rawOffset)
                }
                throw .corrupt(path: source.name, offset: rawOffset, reason: message)
            case Z_MEM_ERROR:
                throw .unreadable(path: source.name, reason: "zlib ran out of memory")
            default:
                throw .corrupt(path: source.name, offset: rawOffset, reason: "zlib status \(status)")
            }
        }
        return filled
    }
}
