import Extract
import Foundation

/// A directory under the system's temporary directory, removed when released.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    public init(_ label: String = "phasecast-test") {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/\(label)-\(UUID().uuidString.prefix(12))"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// A path inside the directory.
    public func file(_ name: String) -> String { path + "/" + name }

    /// Writes text to a file inside the directory and returns its path.
    @discardableResult
    public func write(_ name: String, _ text: String) -> String {
        let target = file(name)
        try! Data(text.utf8).write(to: URL(fileURLWithPath: target))
        return target
    }

    /// Writes bytes to a file inside the directory and returns its path.
    @discardableResult
    public func write(_ name: String, bytes: [UInt8]) -> String {
        let target = file(name)
        try! Data(bytes).write(to: URL(fileURLWithPath: target))
        return target
    }

    /// Writes a gzip file holding each text as its own member and returns its path.
    @discardableResult
    public func writeGzip(_ name: String, members: [String]) -> String {
        let target = file(name)
        var bytes: [UInt8] = []
        for member in members { bytes += Gzip.compress(member) }
        try! Data(bytes).write(to: URL(fileURLWithPath: target))
        return target
    }
}

/// Gzip compression for building test inputs.
public enum Gzip {
    /// One gzip member holding `text`.
    public static func compress(_ text: String) -> [UInt8] {
        let scratch = TemporaryDirectory("gzip")
        let path = scratch.file("member.gz")
        let writer = try! GzipWriter(path: path)
        try! writer.write(text)
        try! writer.finish()
        return Array(try! Data(contentsOf: URL(fileURLWithPath: path)))
    }
}

/// The checked-in fixtures of Tests/Fixtures.
public enum Fixtures {
    public static var directory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures").path
    }

    public static func path(_ name: String) -> String { directory + "/" + name }
}

/// What a finished child process left.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs the `phasecast` binary built next to the tests.
public enum Phasecast {
    public static var binary: String {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0])
        var directory = testBinary.deletingLastPathComponent()
        // The test bundle on macOS is a directory tree: walk up to the products directory.
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("phasecast").path)
            && directory.path != "/"
        {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("phasecast").path
    }

    /// Starts `phasecast` with arguments; the caller waits for it.
    public static func start(
        _ arguments: [String], directory: String? = nil, input: Pipe? = nil
    ) throws
        -> (Process, Pipe, Pipe)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input ?? FileHandle.nullDevice
        try process.run()
        return (process, out, err)
    }

    /// Runs `phasecast` to the end, feeding `input` on standard input.
    public static func run(
        _ arguments: [String], input: [UInt8]? = nil, directory: String? = nil
    ) throws
        -> ProcessResult
    {
        let inPipe = Pipe()
        let (process, out, err) = try start(arguments, directory: directory, input: input == nil ? nil : inPipe)
        if let input {
            let writer = inPipe.fileHandleForWriting
            DispatchQueue.global().async {
                writer.write(Data(input))
                try? writer.close()
            }
        }
        // Read both pipes while the process runs, so that a full pipe cannot block it.
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            outData = out.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        process.waitUntilExit()
        group.wait()
        return ProcessResult(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }
}
