import ArgumentParser
import Foundation
import PhasecastCore

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
        if let end, Self.day(end) == nil {
            throw ValidationError("--end must be a date like 2026-06-30 (got '\(end)')")
        }
    }

    static func day(_ text: String) -> Int64? {
        guard text.count == 10, let micros = SeriesFile.parseStamp(text) else { return nil }
        return UTCTime.floorDiv(micros, UTCTime.microsPerDay)
    }

    static func yesterday() -> Int64 { UTCTime.floorDiv(Int64(Date().timeIntervalSince1970), 86_400) - 1 }

    func run() throws {
        let endDay = end.flatMap(Self.day) ?? Self.yesterday()
        let summary = try Self.write(out: out, days: days, endDay: endDay, seed: seed, scale: scale)
        Console.error(summary)
    }

    /// Writes the logs and returns a line saying what was written.
    static func write(out: String, days: Int, endDay: Int64, seed: UInt64, scale: Double) throws -> String {
        let fleet = SyntheticFleet(days: days, endDay: endDay, seed: seed, scale: scale)
        let started = Date()
        let summary: SyntheticLogWriter.Summary
        do {
            summary = try SyntheticLogWriter(fleet: fleet, directory: out).write()
        } catch let error as PhasecastError {
            throw error
        } catch {
            throw CommandError(message: "\(out): \(error.localizedDescription)", status: .ioError)
        }
        let span =
            "\(UTCTime.isoDate(micros: fleet.firstDay * UTCTime.microsPerDay))…\(UTCTime.isoDate(micros: endDay * UTCTime.microsPerDay))"
        if summary.reused == summary.files {
            return "synth: \(summary.files) files for \(span) already in \(out) (same seed and parameters)"
        }
        return String(
            format: "synth: %d files, %d requests, %d malformed lines, 1 truncated file for %@ → %@ in %.1f s",
            summary.files, summary.requests, summary.badLines, span, out, Date().timeIntervalSince(started))
    }
}
