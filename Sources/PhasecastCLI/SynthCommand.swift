import ArgumentParser
import Foundation
import PhasecastCore
import Synth

/// `phasecast synth`: realistic gzipped request logs of a simulated fleet, for the demo and tests.
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write synthetic gzipped request logs of a simulated fleet (the demo's input).",
        discussion: """
            Four models, each logging in its stack's format (OpenAI Chat Completions and Responses records, \
            Bedrock invocation logs, Anthropic Messages usage), one file per model and day under OUT/logs/YYYY-MM-DD/: \
            diurnal and weekly cycles, 0.4 % growth a day, a reasoning model launched 60 % of the way through that \
            turns the fleet from prefill-heavy to decode-heavy, two holidays (listed in OUT/holidays.csv with one \
            future one), a few malformed lines and one truncated file. The same seed and parameters write the same \
            bytes; files already written with them are left alone.

            Examples:
              phasecast synth --out /tmp/fleet --days 90
              phasecast synth --out /tmp/fleet --days 30 --seed 3 --scale 0.1
            """)

    @Option(help: ArgumentHelp("Directory to write the logs to.", valueName: "dir"))
    var out: String

    @Option(help: "Days of traffic.")
    var days: Int = 180

    @Option(help: ArgumentHelp("Last day of traffic (default: yesterday, UTC).", valueName: "YYYY-MM-DD"))
    var end: String?

    @Option(help: "Random seed.")
    var seed: UInt64 = 7

    @Option(help: ArgumentHelp("Multiplies requests a day (1: about 40,000 a day at the end).", valueName: "x"))
    var scale: Double = 1

    func validate() throws {
        guard (14...3650).contains(days) else { throw ValidationError("--days must be from 14 to 3650") }
        guard scale > 0 && scale <= 100 else { throw ValidationError("--scale must be above 0 and at most 100") }
        if let end, CalendarDay.parse(end) == nil {
            throw ValidationError("--end must be a date like 2026-06-30 (got '\(end)')")
        }
    }

    func run() throws {
        let endDay = end.flatMap(CalendarDay.parse) ?? WallClock.today() - 1
        let fleet = SyntheticFleet(days: days, endDay: endDay, seed: seed, scale: scale)
        do {
            Console.error("synth: " + (try SyntheticLogWriter(fleet: fleet, directory: out).writeReporting().line))
        } catch {
            throw fail(error)
        }
    }
}
