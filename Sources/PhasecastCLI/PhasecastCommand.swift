import ArgumentParser
import Foundation
import PhasecastCore
import Store

/// The `phasecast` command: how many prefill GPUs and decode GPUs, and when.
public struct PhasecastCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "phasecast",
        abstract: "Capacity planning for disaggregated LLM serving: prefill GPUs and decode GPUs, from request logs.",
        discussion: """
            Exit codes follow sysexits(3): 0 done; 64 usage error; 65 some input was bad (the rest was \
            done); 66 an input does not exist; 69 new data did not arrive or is too old (the rest was done); \
            70 an internal error (a bug: please report it with the message); 74 I/O error; 75 another run \
            holds the database; 78 a pipeline file is wrong.

            Examples:
              phasecast run demo
              phasecast ingest --db fleet.db /var/log/llm-gateway/
              phasecast ratios --db fleet.db --from 2026-11-01
              phasecast report nightly --out /srv/share/capacity
            """,
        version: PhasecastVersion.description,
        subcommands: [
            IngestCommand.self, MergeCommand.self, TransformCommand.self, RatiosCommand.self, CostCommand.self,
            ForecastCommand.self,
            BacktestCommand.self, PlanBacktestCommand.self, RunCommand.self, ReportCommand.self, QuarantineCommand.self,
            SynthCommand.self,
        ])

    public init() {}
}

/// Prints a phasecast error's message and returns its exit status; an error that does not say
/// which status it means is an internal one (70).
func fail(_ error: Error) -> ExitCode {
    let message: String
    let status: ExitStatus
    if let known = error as? PhasecastError {
        message = known.description
        status = known.exitStatus
    } else {
        message = String(describing: error)
        status = .software
    }
    Console.error("phasecast: error: \(message)")
    return ExitCode(status.rawValue)
}

/// Prints `value` as pretty JSON with sorted keys on standard output.
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    Console.output(String(decoding: try encoder.encode(value), as: UTF8.self) + "\n")
}

/// A failure of a command itself (not of an input): its message and exit status.
struct CommandError: PhasecastError {
    let message: String
    let status: ExitStatus

    var description: String { message }
    var exitStatus: ExitStatus { status }
}

/// The version `phasecast --version` prints: the release and the database schema it writes.
enum PhasecastVersion {
    /// The release, bumped with each one.
    static let release = "0.9.0"

    static var description: String {
        "phasecast \(release) (database schema \(Migration.bundled.last?.version ?? 0))"
    }
}
