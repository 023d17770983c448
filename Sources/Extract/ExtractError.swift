import PhasecastCore

/// Why an input could not be read. Each case names the input; gzip errors give the byte offset
/// in the compressed file where reading stopped.
public enum ExtractError: PhasecastError, Equatable {
    case notFound(path: String)
    case unreadable(path: String, reason: String)
    case truncated(path: String, offset: Int64)
    case corrupt(path: String, offset: Int64, reason: String)
    case trailingData(path: String, offset: Int64)
    case lineTooLong(path: String, line: Int64, limit: Int)

    /// The input the error is about.
    public var path: String {
        switch self {
        case .notFound(let path), .unreadable(let path, _), .truncated(let path, _), .corrupt(let path, _, _),
            .trailingData(let path, _), .lineTooLong(let path, _, _):
            path
        }
    }

    public var description: String {
        switch self {
        case .notFound(let path): "\(path): no such file or directory"
        case .unreadable(let path, let reason): "\(path): cannot read: \(reason)"
        case .truncated(let path, let offset):
            "\(path): truncated gzip stream: the data ends at byte \(offset) inside a compressed member"
        case .corrupt(let path, let offset, let reason):
            "\(path): corrupt gzip stream at byte \(offset): \(reason)"
        case .trailingData(let path, let offset):
            "\(path): corrupt gzip stream: data that is not gzip follows a member at byte \(offset)"
        case .lineTooLong(let path, let line, let limit):
            "\(path): line \(line) is longer than \(limit / (1 << 20)) MiB"
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .notFound: .noInput
        case .unreadable: .ioError
        case .truncated, .corrupt, .trailingData, .lineTooLong: .dataError
        }
    }
}
