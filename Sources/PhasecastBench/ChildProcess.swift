import Foundation

/// Runs a program to its end and measures it: wall time, CPU time and peak resident memory,
/// as the kernel reports them for the child (wait4).
struct ChildProcess {
    struct Measurement {
        var status: Int32
        var seconds: Double
        var cpuSeconds: Double
        /// Peak resident set size in bytes.
        var peakRSS: Int64
        var output: String
    }

    /// Runs `arguments[0]` (looked up in PATH) with standard output to `outputPath` (or captured
    /// when nil) and standard error inherited.
    static func run(_ arguments: [String], outputPath: String? = nil) throws -> Measurement {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let captured = FileManager.default.temporaryDirectory.appendingPathComponent(
            "phasecast-bench-\(UUID().uuidString)"
        ).path
        posix_spawn_file_actions_addopen(&actions, 1, outputPath ?? captured, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        defer { try? FileManager.default.removeItem(atPath: captured) }
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let started = Date()
        let code = posix_spawnp(&pid, arguments[0], &actions, nil, &argv, environ)
        guard code == 0 else {
            throw BenchError.cannotRun(arguments.joined(separator: " "), String(cString: strerror(code)))
        }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let seconds = Date().timeIntervalSince(started)
        let cpu =
            Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
            + Double(usage.ru_stime.tv_usec) / 1e6
        let output = outputPath == nil ? (try? String(contentsOfFile: captured, encoding: .utf8)) ?? "" : ""
        let exitStatus = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return Measurement(
            status: exitStatus, seconds: seconds, cpuSeconds: cpu, peakRSS: Int64(usage.ru_maxrss) * 1024,
            output: output)
    }
}

/// Why the bench could not run a step.
struct BenchError: Error, CustomStringConvertible {
    let description: String

    static func cannotRun(_ command: String, _ reason: String) -> BenchError {
        BenchError(description: "cannot run \(command): \(reason)")
    }
}
