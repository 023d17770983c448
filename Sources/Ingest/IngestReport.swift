import LogFormats
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
        /// Acknowledged as bad (`phasecast quarantine add`): not read, not failed again.
        case quarantined
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
    /// The skipped lines by kind, most first.
    public var skippedKinds: [SkipCount] = []
    /// What looked wrong about the file as a whole although it loaded.
    public var warnings: [String] = []

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

/// How many lines of one kind a file skipped.
public struct SkipCount: Sendable, Codable, Equatable {
    public var kind: String
    public var lines: Int64

    public init(kind: String, lines: Int64) {
        self.kind = kind
        self.lines = lines
    }

    /// The counts of `byKind`, most first, ties by name.
    static func list(_ byKind: [SkipKind: Int64]) -> [SkipCount] {
        totals(byKind.map { SkipCount(kind: $0.key.rawValue, lines: $0.value) })
    }

    /// `counts` added up per kind, most first, ties by name (the skips of several files).
    public static func totals(_ counts: some Sequence<SkipCount>) -> [SkipCount] {
        var lines: [String: Int64] = [:]
        for count in counts { lines[count.kind, default: 0] += count.lines }
        return lines.map { SkipCount(kind: $0.key, lines: $0.value) }.sorted {
            ($0.lines, $1.kind) > ($1.lines, $0.kind)
        }
    }

    /// "5 queued or unfinished, 3 guardrail-blocked".
    public static func phrase(_ counts: [SkipCount]) -> String {
        counts.map { count in
            "\(count.lines) \(SkipKind(rawValue: count.kind)?.phrase ?? count.kind)"
        }.joined(separator: ", ")
    }
}
