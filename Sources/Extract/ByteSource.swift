#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A readable file descriptor: a regular file opened by path, or standard input.
/// Owns the descriptor and closes it in `deinit`.
public final class ByteSource {
    public let name: String
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    /// Size in bytes when known (regular files).
    public let size: Int64?

    /// Opens `path` for reading.
    public init(path: String) throws(ExtractError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { throw .notFound(path: path) }
            throw .unreadable(path: path, reason: String(cString: strerror(code)))
        }
        var info = stat()
        if fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw .unreadable(path: path, reason: "is a directory")
        }
        name = path
        descriptor = fd
        ownsDescriptor = true
        size = (info.st_mode & S_IFMT) == S_IFREG ? Int64(info.st_size) : nil
        #if os(Linux)
            _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
        #endif
    }

    /// Standard input, under the given display name.
    public init(standardInputNamed name: String) {
        self.name = name
        descriptor = STDIN_FILENO
        ownsDescriptor = false
        size = nil
    }

    deinit {
        if ownsDescriptor { close(descriptor) }
    }

    /// Reads up to `buffer.count` bytes; 0 means the end of the input.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(ExtractError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            #if canImport(Glibc)
                let count = Glibc.read(descriptor, base, buffer.count)
            #else
                let count = Darwin.read(descriptor, base, buffer.count)
            #endif
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw .unreadable(path: name, reason: String(cString: strerror(errno)))
        }
    }
}

/// Size and modification time of a file on disk.
public struct FileStamp: Sendable, Equatable {
    public var size: Int64
    /// Modification time in nanoseconds since the Unix epoch.
    public var modifiedNanos: Int64

    /// The stamp of `path`, or nil when it cannot be read.
    public static func of(_ path: String) -> FileStamp? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        #if canImport(Darwin)
            let time = info.st_mtimespec
        #else
            let time = info.st_mtim
        #endif
        return FileStamp(
            size: Int64(info.st_size), modifiedNanos: Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec))
    }
}
