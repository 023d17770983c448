import Foundation

/// One input to read: a file by path, or standard input.
public struct InputFile: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case file
        case standardInput
    }

    public let path: String
    public let kind: Kind
    /// Whether it was found by walking a directory rather than named: such a file that turns out
    /// not to be a log (a manifest, notes) is passed over rather than failed.
    public let fromDirectory: Bool

    public init(path: String, kind: Kind, fromDirectory: Bool = false) {
        self.path = path
        self.kind = kind
        self.fromDirectory = fromDirectory
    }
}

/// Expands the inputs named on a command line: files as given, directories walked recursively
/// in sorted order, `-` for standard input.
public enum InputDiscovery {
    /// Endings of the files taken from directories (each also with `.gz`); hidden files are skipped.
    public static let logEndings = [".csv", ".jsonl", ".ndjson", ".json", ".log", ".txt", ".tsv"]

    /// Names of files that sit beside logs but are not logs: notes, licences, checksums.
    static let notLogNames = [
        "readme", "license", "licence", "changelog", "notice", "manifest", "checksums", "sha256sums", "md5sums",
    ]
    /// Endings of such files (each also with `.gz`).
    static let notLogEndings = [".md", ".sha256", ".md5", ".sig", ".asc"]

    /// Whether a file's name says it sits beside logs without being one (README.txt,
    /// manifest.tsv, NOTES.md, SHA256SUMS).
    public static func isNotLogByName(_ name: String) -> Bool {
        let lower = name.lowercased()
        let stem = lower.hasSuffix(".gz") ? String(lower.dropLast(3)) : lower
        let base = stem.split(separator: ".", maxSplits: 1).first.map(String.init) ?? stem
        return notLogNames.contains(base) || notLogEndings.contains(where: { stem.hasSuffix($0) })
    }

    /// Whether a file found in a directory looks like a log.
    public static func looksLikeLog(_ name: String) -> Bool {
        if name.hasPrefix(".") || isNotLogByName(name) { return false }
        let lower = name.lowercased()
        if lower.hasSuffix(".gz") { return true }
        return logEndings.contains { lower.hasSuffix($0) }
    }

    /// What discovery found: the files to read, and the entries it could not take, each with why.
    public struct Discovery: Sendable {
        public var files: [InputFile] = []
        public var problems: [ExtractError] = []
        /// Entries inside directories passed over, each with why: files whose names say they
        /// are not logs (a README, a checksum list), links back to a directory already walked.
        public var passedOver: [PassedOver] = []
    }

    /// An entry discovery passed over on purpose, and why.
    public struct PassedOver: Sendable, Equatable {
        public var path: String
        public var reason: String
    }

    /// The files named by `arguments`, in order; directories contribute their log files sorted by
    /// path. Throws for a name that does not exist; entries that cannot be read are dropped (use
    /// `discover` to hear of them).
    public static func expand(_ arguments: [String]) throws(ExtractError) -> [InputFile] {
        try discover(arguments).files
    }

    /// The files named by `arguments`, in order, and what could not be taken. Symbolic links
    /// are followed, to files and to directories (a directory reached twice, by a loop, is
    /// walked once); a named input that is not a regular file (a FIFO, a device) is refused, as
    /// are unreadable entries inside directories. Throws for a name that does not exist.
    public static func discover(_ arguments: [String]) throws(ExtractError) -> Discovery {
        var found = Discovery()
        for argument in arguments {
            if argument == "-" {
                found.files.append(InputFile(path: "-", kind: .standardInput))
                continue
            }
            var info = stat()
            guard stat(argument, &info) == 0 else {
                if errno == ENOENT || errno == ENOTDIR { throw .notFound(path: argument) }
                throw .unreadable(path: argument, reason: String(cString: strerror(errno)))
            }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                var walker = DirectoryWalker()
                walker.walk(
                    argument,
                    prefix: argument == "." || argument == "./"
                        ? "" : argument.hasSuffix("/") ? argument : argument + "/")
                found.files += walker.files.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map {
                    InputFile(path: $0, kind: .file, fromDirectory: true)
                }
                found.problems += walker.problems
                found.passedOver += walker.passedOver
            case S_IFREG: found.files.append(InputFile(path: argument, kind: .file))
            default:
                found.problems.append(
                    .unreadable(
                        path: argument, reason: "not a regular file; to read a stream, pipe it to - (standard input)"))
            }
        }
        return found
    }
}

/// Walks a directory tree, following links, each directory once.
private struct DirectoryWalker {
    var files: [String] = []
    var problems: [ExtractError] = []
    var passedOver: [InputDiscovery.PassedOver] = []
    /// Directories entered, by device and inode, so that a link loop is walked once.
    private var visited = Set<[UInt64]>()

    /// Walks `directory`, whose entries are named `prefix` + their relative path.
    mutating func walk(_ directory: String, prefix: String) {
        var info = stat()
        guard stat(directory, &info) == 0 else {
            problems.append(.unreadable(path: directory, reason: String(cString: strerror(errno))))
            return
        }
        guard visited.insert([UInt64(info.st_dev), UInt64(info.st_ino)]).inserted else {
            let shown = prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix
            passedOver.append(.init(path: shown, reason: "a link to a folder already walked (a loop); passed over"))
            return
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            problems.append(.unreadable(path: directory, reason: "cannot list the directory: \(Self.reason(error))"))
            return
        }
        for name in names.sorted() where !name.hasPrefix(".") {
            let path = (directory.hasSuffix("/") ? directory : directory + "/") + name
            var entry = stat()
            guard stat(path, &entry) == 0 else {
                if InputDiscovery.looksLikeLog(name) || lstatIsLink(path) {
                    problems.append(.unreadable(path: prefix + name, reason: String(cString: strerror(errno))))
                }
                continue
            }
            switch entry.st_mode & S_IFMT {
            case S_IFDIR: walk(path, prefix: prefix + name + "/")
            case S_IFREG where InputDiscovery.looksLikeLog(name): files.append(prefix + name)
            case S_IFREG:
                if InputDiscovery.isNotLogByName(name) {
                    passedOver.append(.init(path: prefix + name, reason: "not a log by its name; passed over"))
                }
            default:
                if InputDiscovery.looksLikeLog(name) {
                    problems.append(.unreadable(path: prefix + name, reason: "not a regular file; skipped"))
                }
            }
        }
    }

    private func lstatIsLink(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK
    }

    private static func reason(_ error: Error) -> String {
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        return underlying.map { String(cString: strerror(Int32($0.code))) } ?? error.localizedDescription
    }
}
