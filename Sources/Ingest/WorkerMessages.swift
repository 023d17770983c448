import Extract
import LogFormats
import PhasecastCore
import Store

/// A rejected line, as stored in `rejects`.
struct RejectRecord: Sendable, Equatable {
    var line: Int64
    var reason: String
    /// At most 200 bytes of the line, as text.
    var excerpt: String

    static let excerptLimit = 200

    /// The start of a line as valid UTF-8 text of at most `excerptLimit` bytes.
    static func excerpt(of line: UnsafeRawBufferPointer) -> String {
        let cut = UnsafeRawBufferPointer(rebasing: line[0..<min(line.count, excerptLimit)])
        var text = String(decoding: cut, as: UTF8.self)
        // Replacement characters take 3 bytes each; drop whole characters until it fits.
        while text.utf8.count > excerptLimit { text.removeLast() }
        return text
    }
}

/// What the reading thread hands to the parsing thread.
enum ReadEvent: Sendable {
    case chunk(Chunk)
    case end(ReadTotals)
    case failed(ExtractError)
}

/// Totals of a file read to its end.
struct ReadTotals: Sendable {
    var rawBytes: Int64
    var decompressedBytes: Int64
    var compressed: Bool
    /// Fingerprint of the content (decompressed bytes).
    var fingerprint: String
    /// Fingerprint of the bytes on disk.
    var rawFingerprint: String
}

/// What the parsing thread hands to the writing thread, in order.
enum WorkerMessage: Sendable {
    /// Names of models first seen since the last such message, continuing the file's numbering.
    case models([String])
    case requests([ParsedRequest])
    case rejects([RejectRecord])
    case rollups([RollupRow])
    case finished(ParseTotals)
    case failed(FileFailure)
}

/// Counts of a file parsed to its end.
struct ParseTotals: Sendable {
    var format: LogFormat
    var read: ReadTotals
    var rows: Int64
    var rejected: Int64
    /// The skipped lines by kind.
    var skippedByKind: [SkipKind: Int64]
    /// Warnings about the file as a whole (a reading that looks implausible).
    var warnings: [String]
    var firstMicros: Int64?
    var lastMicros: Int64?
    /// The first few rejects, for messages.
    var sampleRejects: [RejectRecord]

    /// Well-formed lines that held no request, of every kind.
    var skipped: Int64 { skippedByKind.values.reduce(0, +) }
}

/// Why a file did not load. Each case words its own message and exit status.
public enum FileFailure: PhasecastError, Sendable {
    case extract(ExtractError)
    case setup(FormatSetupError)
    case content(String)
    case database(String, ExitStatus)

    /// The failure of a database step, with the exit status its SQLite error calls for.
    static func database(_ error: Error) -> FileFailure {
        if let sqlite = error as? SQLiteError { return .database(sqlite.description, sqlite.exitStatus) }
        return .database(String(describing: error), .software)
    }

    public var description: String {
        switch self {
        case .extract(let error): error.description
        case .setup(let error): error.description
        case .content(let message): message
        case .database(let message, _): message
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .extract(let error): error.exitStatus
        case .setup(let error): error.exitStatus
        case .content: .dataError
        case .database(_, let status): status
        }
    }
}
