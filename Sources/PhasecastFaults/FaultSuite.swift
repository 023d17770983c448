import ArgumentParser
import ChildProcess
import Foundation
import PhasecastCore
import Synth

/// `phasecast-faults` (`make faults`): faults against the real binary, each with what must
/// hold — kill -9 at random moments of ingest, transform and run (reruns converge to the
/// uninterrupted tables and report bytes, integrity intact); two writers and a reader at once;
/// a full disk; the bad-input corpus; peak memory on large files. Prints a table per section
/// and exits 1 when any trial failed.
@main
struct FaultSuite: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "phasecast-faults",
        abstract:
            "Fault trials of phasecast: kill -9, concurrent writers and readers, disk full, hostile inputs, memory.")

    /// The sections of the suite, in the order they run. Memory runs first: Linux carries a
    /// spawning process's resident high-water mark into its child's peak RSS, so the children
    /// must be measured before the suite itself has grown.
    enum Section: String, CaseIterable, ExpressibleByArgument {
        case memory, kills, writers, disk, inputs
    }

    @Option(help: "Kill trials per stage (ingest, transform, run), and rounds of two writers.")
    var trials: Int = 10

    @Option(help: "Seed of the kill moments.")
    var seed: UInt64 = 1

    @Option(help: "Rows of the larger file of the memory trials (the smaller has a quarter).")
    var memoryRows: Int = 1_000_000

    @Option(help: "Sections to run (default: all): memory, kills, writers, disk, inputs.")
    var only: [Section] = []

    @Option(help: "Working folder (emptied first).")
    var dir: String = ".build/faults"

    @Option(help: "The phasecast binary (default: the one beside this suite).")
    var phasecast: String?

    func validate() throws {
        guard trials >= 1 else { throw ValidationError("--trials must be at least 1") }
        guard memoryRows >= 4 else { throw ValidationError("--memory-rows must be at least 4") }
    }

    func run() throws {
        let binary =
            phasecast
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("phasecast").standardizedFileURL.path
        let root = URL(fileURLWithPath: dir).standardizedFileURL.path
        // A suite killed during the disk-full trial leaves its tmpfs mounted.
        _ = try? ChildProcess.run(["umount", root + "/tmpfs"], outputPath: "/dev/null", captureErrors: true)
        try? FileManager.default.removeItem(atPath: root)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let logs = root + "/logs"
        let endDay = CalendarDay.parse("2026-03-31") ?? 0
        let fleet = SyntheticFleet(days: 35, endDay: endDay, seed: 5, scale: 0.03)
        _ = try SyntheticLogWriter(fleet: fleet, directory: logs).write()

        let sections = only.isEmpty ? Section.allCases : Section.allCases.filter(only.contains)
        let tally = FaultTally()
        let started = Date()
        for section in sections {
            switch section {
            case .kills:
                try KillTrials(binary: binary, root: root, logs: logs, trialsPerStage: trials, seed: seed).run(tally)
            case .writers: try ConcurrencyTrials(binary: binary, root: root, logs: logs, rounds: trials).run(tally)
            case .disk: try DiskFullTrial(binary: binary, root: root, logs: logs).run(tally)
            case .inputs: try HostileInputs(binary: binary, root: root).run(tally)
            case .memory: try PeakMemoryTrials(binary: binary, root: root, rows: memoryRows).run(tally)
            }
        }
        Console.output(tally.summary + String(format: "%.0f s\n", Date().timeIntervalSince(started)))
        if tally.failures > 0 { throw ExitCode(1) }
    }
}

/// A failure of the suite itself.
struct FaultError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
