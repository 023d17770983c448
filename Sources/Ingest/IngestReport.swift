import PhasecastCore

/// What happened to one input.
public struct FileOutcome: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable {
        /// Loaded for the first time.
        case loaded
        /// The path was loaded before with other content; the new content replaced it.
        case replaced
        /// The same content was loaded before (under this path or another).
        case skipped
        /// Nothing of this content was loaded.
        case failed
    }

    public var path: String
    public var status: Status
    public var format: String?
    public var rows: Int64
    public var rejected: Int64
    public var skippedLines: Int64
    /// Bytes read from disk.
    public var bytes: Int64
    /// Bytes after decompression.
    public var uncompressedBytes: Int64
    public var seconds: Double
    /// Why it failed or was skipped.
    public var message: String?
    /// Exit status this outcome asks for (0 unless failed).
    public var exitCode: Int32

    var exitStatus: ExitStatus { ExitStatus(rawValue: exitCode) ?? .software }
}

/// What one run did, file by file.
public struct IngestReport: Sendable, Codable {
    public var databasePath: String
    public var files: [FileOutcome]
    /// Raw rows deleted by `--raw-retention-days`.
    public var rawRowsPruned: Int64
    public var seconds: Double
    /// The worst exit status of the files (0 when all loaded or were skipped).
    public var exitCode: Int32

    public var exitStatus: ExitStatus { ExitStatus(rawValue: exitCode) ?? .software }
}
