import Foundation

/// Runs a program to its end (or kills it) and measures it: wall time, CPU time and peak
/// resident memory as the kernel reports them for the child (wait4). Used by `make bench` and
/// `make faults`, never by the shipped binary.
public enum ChildProcess {
    public struct Measurement: Sendable {
        /// Exit status, or 128 + the signal that ended the process.
        public var status: Int32
        public var seconds: Double
        public var cpuSeconds: Double
        /// Peak resident set size in bytes.
        public var peakRSS: Int64
        /// Standard output, when it was captured.
        public var output: String
        /// Standard error, when it was captured.
        public var errorOutput: String
        /// Whether the process was killed by `killAfter`.
        public var killed: Bool
    }

    /// Runs `arguments[0]` (looked up in PATH). Standard output goes to `outputPath`, or is
    /// captured when nil; standard error is captured with `captureErrors`, inherited otherwise.
    /// With `killAfter`, a process still running after that many seconds gets SIGKILL.
    public static func run(
        _ arguments: [String], outputPath: String? = nil, inputPath: String? = nil, captureErrors: Bool = false,
        killAfter: Double? = nil
    ) throws(ChildProcessError) -> Measurement {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "phasecast-child-\(UUID().uuidString)"
        )
        .path
        let capturedOutput = scratch + ".out"
        let capturedErrors = scratch + ".err"
        defer {
            try? FileManager.default.removeItem(atPath: capturedOutput)
            try? FileManager.default.removeItem(atPath: capturedErrors)
        }
        posix_spawn_file_actions_addopen(&actions, 0, inputPath ?? "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath ?? capturedOutput, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if captureErrors {
            posix_spawn_file_actions_addopen(&actions, 2, capturedErrors, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        }
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let started = Date()
        let code = posix_spawnp(&pid, arguments.first ?? "", &actions, nil, &argv, environ)
        guard code == 0 else {
            throw ChildProcessError(
                description: "cannot run \(arguments.joined(separator: " ")): \(String(cString: strerror(code)))")
        }
        var status: Int32 = 0
        var usage = rusage()
        var killed = false
        if let killAfter {
            let deadline = started.addingTimeInterval(killAfter)
            while true {
                let reaped = wait4(pid, &status, WNOHANG, &usage)
                if reaped == pid { break }
                if reaped < 0 && errno != EINTR { break }
                if Date() >= deadline {
                    kill(pid, SIGKILL)
                    killed = true
                    while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
                    break
                }
                usleep(2_000)
            }
        } else {
            while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        }
        let seconds = Date().timeIntervalSince(started)
        let cpu =
            Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
            + Double(usage.ru_stime.tv_usec) / 1e6
        let signal = status & 0x7F
        return Measurement(
            status: signal == 0 ? (status >> 8) & 0xFF : 128 + signal, seconds: seconds, cpuSeconds: cpu,
            peakRSS: Int64(usage.ru_maxrss) * 1024,
            output: outputPath == nil ? (try? String(contentsOfFile: capturedOutput, encoding: .utf8)) ?? "" : "",
            errorOutput: captureErrors ? (try? String(contentsOfFile: capturedErrors, encoding: .utf8)) ?? "" : "",
            killed: killed)
    }
}

/// A program could not be started.
public struct ChildProcessError: Error, CustomStringConvertible {
    public let description: String
}
