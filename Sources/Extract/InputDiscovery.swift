import Foundation

/// One input to read: a file by path, or standard input.
public struct InputFile: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case file
        case standardInput
    }

    public let path: String
    public let kind: Kind

    public init(path: String, kind: Kind) {
        self.path = path
        self.kind = kind
    }
}

/// Expands the inputs named on a command line: files as given, directories walked recursively
/// in sorted order, `-` for standard input.
public enum InputDiscovery {
    /// Endings of the files taken from directories (each also with `.gz`); hidden files are skipped.
    public static let logEndings = [".csv", ".jsonl", ".ndjson", ".json", ".log", ".txt", ".tsv"]

    /// Whether a file found in a directory looks like a log.
    public static func looksLikeLog(_ name: String) -> Bool {
        if name.hasPrefix(".") { return false }
        let lower = name.lowercased()
        if lower.hasSuffix(".gz") { return true }
        return logEndings.contains { lower.hasSuffix($0) }
    }

    /// The files named by `arguments`, in order; directories contribute their log files sorted by
    /// path. Throws for a name that does not exist.
    public static func expand(_ arguments: [String]) throws(ExtractError) -> [InputFile] {
        var files: [InputFile] = []
        for argument in arguments {
            if argument == "-" {
                files.append(InputFile(path: "-", kind: .standardInput))
                continue
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else {
                throw .notFound(path: argument)
            }
            if isDirectory.boolValue {
                files += try walk(argument).map { InputFile(path: $0, kind: .file) }
            } else {
                files.append(InputFile(path: argument, kind: .file))
            }
        }
        return files
    }

    private static func walk(_ directory: String) throws(ExtractError) -> [String] {
        let root = URL(fileURLWithPath: directory)
        guard
            let walker = FileManager.default.enumerator(
                at: root, includingPropertiesForKeys: [.isRegularFileKey],
                options: [.skipsHiddenFiles])
        else { throw .unreadable(path: directory, reason: "cannot list the directory") }
        var paths: [String] = []
        let prefix = directory == "." || directory == "./" ? "" : directory.hasSuffix("/") ? directory : directory + "/"
        for case let url as URL in walker {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true,
                looksLikeLog(url.lastPathComponent)
            else { continue }
            // Keep the path as the user spelled the directory, for stable registry keys.
            let relative =
                url.path.hasPrefix(root.path + "/")
                ? String(url.path.dropFirst(root.path.count + 1)) : url.lastPathComponent
            paths.append(prefix + relative)
        }
        return paths.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}
