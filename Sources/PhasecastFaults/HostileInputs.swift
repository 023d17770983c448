import ChildProcess
import Foundation
import PhasecastCore
import Store

/// The bad-input corpus: log files and pipeline files that once lost data silently, crashed,
/// hung or exhausted memory, generated here (the large ones cannot be fixtures) and run
/// through the real binary with a time limit. Each names what must happen instead.
struct HostileInputs {
    let binary: String
    let root: String
    /// Seconds a case may take before it counts as hung.
    static let timeLimit = 90.0

    /// One input: what to write, how to run phasecast on it, and what must come of it.
    struct Case: Sendable {
        var name: String
        var expectation: String
        /// Writes the inputs into the folder and returns phasecast's arguments.
        var prepare: @Sendable (_ folder: String) throws -> [String]
        /// Whether the outcome is the expected one, and what was seen.
        var check: @Sendable (_ result: ChildProcess.Measurement, _ folder: String) throws -> (Bool, String)
    }

    func run(_ tally: FaultTally) throws {
        tally.section("hostile inputs", columns: ["input", "must", "exit", "seconds"])
        for (number, hostile) in Self.cases.enumerated() {
            let folder = root + "/hostile-\(number + 1)"
            try? FileManager.default.removeItem(atPath: folder)
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let arguments = try hostile.prepare(folder)
            let result = try ChildProcess.run(
                [binary] + arguments, outputPath: "/dev/null", captureErrors: true, killAfter: Self.timeLimit)
            var (ok, seen) = result.killed ? (false, "hung: killed after \(Int(Self.timeLimit)) s") : (true, "")
            if !result.killed { (ok, seen) = try hostile.check(result, folder) }
            let crashed = !result.killed && result.status >= 128
            if crashed { ok = false }
            if ok { try? FileManager.default.removeItem(atPath: folder) }
            tally.record(
                hostile.name,
                [
                    hostile.name, hostile.expectation, result.killed ? "–" : "\(result.status)",
                    String(format: "%.1f", result.seconds),
                ],
                ok: ok, note: seen, crashed: crashed)
        }
    }

    // MARK: the corpus

    static let cases: [Case] = logCases + discoveryCases + pipelineCases

    static let logCases: [Case] = [
        Case(
            name: "3 MiB of blank lines, then 50 lines", expectation: "all 50 rows loaded",
            prepare: { folder in
                try write(folder + "/late.jsonl", String(repeating: "\n", count: 3 << 20) + openAILines(50))
                return ingest(folder, "late.jsonl")
            },
            check: { result, folder in try rows(folder, expected: 50, status: result.status, exit: 0) }),
        Case(
            name: "33 MiB of blank lines, then a line", expectation: "fails (65), not 0 rows",
            prepare: { folder in
                try write(folder + "/blank.jsonl", String(repeating: "\n", count: 33 << 20) + openAILines(1))
                return ingest(folder, "blank.jsonl")
            },
            check: { result, folder in try failed(folder, result, saying: "no log line") }),
        Case(
            name: "a first line over 32 MiB", expectation: "fails (65), not 0 rows",
            prepare: { folder in
                let long = #"{"created":1762000000,"model":""# + String(repeating: "m", count: 33 << 20) + "\"}\n"
                try write(folder + "/long.jsonl", long + openAILines(10))
                return ingest(folder, "long.jsonl")
            },
            check: { result, folder in try failed(folder, result, saying: "32 MiB") }),
        Case(
            name: "1 MiB of zero bytes", expectation: "fails, not 0 rows",
            prepare: { folder in
                try Data(count: 1 << 20).write(to: URL(fileURLWithPath: folder + "/zeros.log"))
                return ingest(folder, "zeros.log")
            },
            check: { result, folder in try failed(folder, result, saying: "") }),
        Case(
            name: "1 MiB of zero bytes, --format openai", expectation: "fails (65), not 0 rows",
            prepare: { folder in
                try Data(count: 1 << 20).write(to: URL(fileURLWithPath: folder + "/zeros.jsonl"))
                return ingest(folder, "zeros.jsonl") + ["--format", "openai"]
            },
            check: { result, folder in try failed(folder, result, saying: "") }),
        Case(
            name: "10⁹ output tokens on one line of 200", expectation: "199 rows, that line a reject",
            prepare: { folder in
                let huge =
                    #"{"created":1762000100,"model":"m","usage":{"prompt_tokens":12,"completion_tokens":1000000000}}"#
                try write(folder + "/huge.jsonl", openAILines(199) + huge + "\n")
                return ingest(folder, "huge.jsonl")
            },
            check: { result, folder in
                let rejects = try scalar(folder, "SELECT count(*) FROM rejects WHERE reason LIKE '%plausibility%'")
                let (ok, seen) = try rows(folder, expected: 199, status: result.status, exit: 0)
                return (ok && rejects == 1, seen + ", \(rejects) plausibility rejects")
            }),
        Case(
            name: "three lines of 2³¹−1 tokens in a minute, ceiling raised",
            expectation: "loads; transform and v_request_minutes work",
            prepare: { folder in
                for (second, name) in ["a", "b", "c"].enumerated() {
                    let line =
                        #"{"created":\#(1_762_000_100 + second),"model":"m","usage":{"prompt_tokens":2147483647,"completion_tokens":2147483647}}"#
                    try write(folder + "/\(name).jsonl", line + "\n")
                }
                return ingest(folder, "a.jsonl", "b.jsonl", "c.jsonl") + ["--max-tokens-per-request", "2147483647"]
            },
            check: { result, folder in
                let requests = try scalar(folder, "SELECT sum(requests) FROM v_request_minutes")
                let hours = try scalar(folder, "SELECT count(*) FROM mart_phase_gpu_hours")
                return (result.status == 0 && requests == 3 && hours > 0, "\(requests) requests, \(hours) costed rows")
            }),
        Case(
            name: "NUL bytes in model names", expectation: "two models, not one truncated",
            prepare: { folder in
                let lines = ["a\\u0000x", "a\\u0000y"].map {
                    #"{"created":1762000100,"model":"\#($0)","usage":{"prompt_tokens":5,"completion_tokens":5}}"#
                }
                try write(folder + "/nul.jsonl", lines.joined(separator: "\n") + "\n")
                return ingest(folder, "nul.jsonl")
            },
            check: { result, folder in
                let models = try scalar(folder, "SELECT count(DISTINCT model_id) FROM requests")
                return (result.status == 0 && models == 2, "\(models) models")
            }),
    ]

    static let discoveryCases: [Case] = [
        Case(
            name: "a FIFO named as an input", expectation: "fails at once: not a regular file",
            prepare: { folder in
                guard mkfifo(folder + "/stream.jsonl", 0o600) == 0 else { throw FaultError("mkfifo failed") }
                return ingest(folder, "stream.jsonl")
            },
            check: { result, _ in
                (result.status != 0 && result.errorOutput.contains("not a regular file"), firstLine(result.errorOutput))
            }),
        Case(
            name: "a log folder given as a symlink", expectation: "its 30 rows loaded",
            prepare: { folder in
                try FileManager.default.createDirectory(atPath: folder + "/real", withIntermediateDirectories: true)
                try write(folder + "/real/a.jsonl", openAILines(30))
                try FileManager.default.createSymbolicLink(
                    atPath: folder + "/logs", withDestinationPath: folder + "/real")
                return ingest(folder, "logs")
            },
            check: { result, folder in try rows(folder, expected: 30, status: result.status, exit: 0) }),
        Case(
            name: "symlinked files in a folder (/var/log/containers)", expectation: "every linked file loaded",
            prepare: { folder in
                let fm = FileManager.default
                try fm.createDirectory(atPath: folder + "/pods", withIntermediateDirectories: true)
                try fm.createDirectory(atPath: folder + "/containers", withIntermediateDirectories: true)
                for pod in 0..<3 {
                    try write(folder + "/pods/\(pod).jsonl", openAILines(20, seed: UInt64(pod) + 1))
                    try fm.createSymbolicLink(
                        atPath: folder + "/containers/pod-\(pod).jsonl",
                        withDestinationPath: folder + "/pods/\(pod).jsonl")
                }
                return ingest(folder, "containers")
            },
            check: { result, folder in try rows(folder, expected: 60, status: result.status, exit: 0) }),
        Case(
            name: "a symlink loop inside a log folder", expectation: "ends, loads the logs, names the loop",
            prepare: { folder in
                try FileManager.default.createDirectory(atPath: folder + "/logs", withIntermediateDirectories: true)
                try write(folder + "/logs/a.jsonl", openAILines(25))
                try FileManager.default.createSymbolicLink(
                    atPath: folder + "/logs/again", withDestinationPath: folder + "/logs")
                return ingest(folder, "logs")
            },
            check: { result, folder in
                let (ok, seen) = try rows(folder, expected: 25, status: result.status, exit: 0)
                let named = result.errorOutput.split(separator: "\n").first { $0.contains("loop") } ?? "loop not named"
                return (ok && named.contains("again"), seen + "; " + named)
            }),
    ]

    static let pipelineCases: [Case] = [
        Case(
            name: "a pipeline nested 50,000 deep", expectation: "config error (78), no crash",
            prepare: { folder in
                try write(
                    folder + "/deep.toml",
                    "[pipeline]\nname = \"x\"\nvalue = " + String(repeating: "[", count: 50_000)
                        + String(repeating: "]", count: 50_000) + "\n")
                return ["run", folder + "/deep.toml", "--check"]
            },
            check: { result, _ in (result.status == 78, firstLine(result.errorOutput)) }),
        Case(
            name: "a 200 KB dotted key", expectation: "config error (78), little memory",
            prepare: { folder in
                let key = Array(repeating: "a", count: 100_000).joined(separator: ".")
                try write(folder + "/key.toml", "[pipeline]\nname = \"x\"\n" + key + " = 1\n")
                return ["run", folder + "/key.toml", "--check"]
            },
            check: { result, _ in
                (result.status == 78 && result.peakRSS < 256 << 20, firstLine(result.errorOutput) + rss(result))
            }),
        Case(
            name: "horizon = \"99999999999d\"", expectation: "config error (78)",
            prepare: { folder in
                try write(folder + "/h.toml", "[pipeline]\nname = \"x\"\n\n[forecast]\nhorizon = \"99999999999d\"\n")
                return ["run", folder + "/h.toml", "--check"]
            },
            check: { result, _ in (result.status == 78, firstLine(result.errorOutput)) }),
        Case(
            name: "a 1.6 MB multi-line array", expectation: "read or refused within seconds",
            prepare: { folder in
                let items = (0..<200_000).map { "  \"p\($0)\"," }.joined(separator: "\n")
                try write(folder + "/big.toml", "[pipeline]\nname = \"x\"\n\n[ingest]\npaths = [\n" + items + "\n]\n")
                return ["run", folder + "/big.toml", "--check"]
            },
            check: { result, _ in
                ((result.status == 0 || result.status == 78) && result.seconds < 30, firstLine(result.errorOutput))
            }),
        Case(
            name: "a pipeline with a byte-order mark and CRLF line endings", expectation: "read as written (0)",
            prepare: { folder in
                let text =
                    "[pipeline]\nname = \"x\"\ndatabase = \"\(folder)/x.db\"\n\n[ingest]\npaths = [\"\(folder)\"]\n"
                try write(folder + "/crlf.toml", "\u{FEFF}" + text.replacingOccurrences(of: "\n", with: "\r\n"))
                return ["run", folder + "/crlf.toml", "--check"]
            },
            check: { result, _ in (result.status == 0, firstLine(result.errorOutput)) }),
    ]

    // MARK: helpers

    static func ingest(_ folder: String, _ names: String...) -> [String] {
        ["ingest", "--db", folder + "/fleet.db"] + names.map { folder + "/" + $0 }
    }

    static func write(_ path: String, _ text: String) throws {
        try text.write(toFile: path, atomically: false, encoding: .utf8)
    }

    /// `count` OpenAI chat completion records, one a line, seven seconds apart.
    static func openAILines(_ count: Int, seed: UInt64 = 1) -> String {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { index in
            let prompt = 1 + Int(random.uniform() * 4000)
            let output = 1 + Int(random.uniform() * 900)
            return
                #"{"created":\#(1_762_000_000 + 7 * index),"model":"m","usage":{"prompt_tokens":\#(prompt),"completion_tokens":\#(output)}}"#
        }.joined(separator: "\n") + "\n"
    }

    static func scalar(_ folder: String, _ sql: String) throws -> Int64 {
        try Connection(path: folder + "/fleet.db").queryOne("SELECT (\(sql)) AS value").int("value")
    }

    /// Whether the database holds `expected` raw rows and the run exited `exit`.
    static func rows(_ folder: String, expected: Int64, status: Int32, exit: Int32) throws -> (Bool, String) {
        let count = try scalar(folder, "SELECT count(*) FROM requests")
        return (count == expected && status == exit, "\(count) rows")
    }

    /// Whether the run failed the file (nonzero exit, no file registered as loaded with no
    /// rows), saying `phrase` on standard error.
    static func failed(
        _ folder: String, _ result: ChildProcess.Measurement, saying phrase: String
    ) throws -> (
        Bool, String
    ) {
        let silent = try scalar(folder, "SELECT count(*) FROM source_files WHERE status = 'loaded' AND rows = 0")
        let said = phrase.isEmpty || result.errorOutput.contains(phrase)
        let controlBytes = result.errorOutput.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }
        return (
            result.status != 0 && result.status < 128 && silent == 0 && said && !controlBytes,
            firstLine(result.errorOutput).prefix(160) + (silent > 0 ? "; loaded with 0 rows" : "")
                + (controlBytes ? "; control bytes in the message" : "")
        )
    }

    static func firstLine(_ text: String) -> String {
        String(text.split(separator: "\n").first ?? "")
    }

    static func rss(_ result: ChildProcess.Measurement) -> String {
        String(format: "; peak RSS %.0f MiB", Double(result.peakRSS) / 1_048_576)
    }
}
