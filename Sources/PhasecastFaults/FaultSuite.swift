import ArgumentParser
import Foundation
import PhasecastCore
import Store
import Synth

/// `phasecast-faults` (`make faults`): kill -9 trials against the real binary. A reference
/// pipeline run is made once; each trial starts the same run on a new database, kills it at a
/// random moment, runs it again to the end, and checks that the database and the report are
/// those of the reference: nothing lost, nothing doubled, integrity intact, same report bytes.
@main
struct FaultSuite: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "phasecast-faults",
        abstract: "Kill -9 trials of phasecast run: every rerun must converge to the uninterrupted result.")

    @Option(help: "Kill trials.")
    var trials: Int = 10

    @Option(help: "Seed of the kill moments.")
    var seed: UInt64 = 1

    @Option(help: "Working folder (emptied first).")
    var dir: String = ".build/faults"

    @Option(help: "The phasecast binary (default: the one beside this suite).")
    var phasecast: String?

    func validate() throws {
        guard trials >= 1 else { throw ValidationError("--trials must be at least 1") }
    }

    func run() throws {
        let binary =
            phasecast
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("phasecast").standardizedFileURL.path
        let root = URL(fileURLWithPath: dir).standardizedFileURL.path
        try? FileManager.default.removeItem(atPath: root)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let logs = root + "/logs"
        let endDay = CalendarDay.parse("2026-03-31") ?? 0
        let fleet = SyntheticFleet(days: 35, endDay: endDay, seed: 5, scale: 0.03)
        _ = try SyntheticLogWriter(fleet: fleet, directory: logs).write()

        let reference = Trial(root: root, name: "reference", logs: logs)
        let started = Date()
        let referenceStatus = try reference.run(binary)
        let referenceSeconds = Date().timeIntervalSince(started)
        guard referenceStatus == 65 || referenceStatus == 0 else {
            throw FaultError("the reference run exited \(referenceStatus)")
        }
        let expected = try reference.snapshot()
        // The comparison must be able to fail: a database with nothing in it is not the reference.
        guard try Trial(root: root, name: "empty", logs: logs).snapshot() != expected, !expected.report.isEmpty else {
            throw FaultError("the snapshot sees no difference between an empty database and the reference")
        }
        Console.output(
            String(format: "reference run: %.2f s, exit %d\n\n", referenceSeconds, referenceStatus)
                + "| trial | killed after | killed run's exit | rerun's exit | integrity | data | report |\n"
                + "|---:|---:|---:|---:|---|---|---|\n")
        var random = SplitMix64(seed: seed)
        var failures = 0
        for number in 1...trials {
            let trial = Trial(root: root, name: "trial-\(number)", logs: logs)
            let delay = random.uniform() * referenceSeconds
            let killed = try trial.run(binary, killAfter: delay)
            let rerun = try trial.run(binary)
            let integrity = try trial.integrity()
            let actual = try trial.snapshot()
            let dataSame = actual.tables == expected.tables
            let reportSame = actual.report == expected.report
            let ok = integrity == "ok" && dataSame && reportSame && rerun == referenceStatus
            if !ok { failures += 1 }
            if ok { try? FileManager.default.removeItem(atPath: trial.folder) }
            Console.output(
                String(
                    format: "| %d | %.2f s | %d | %d | %@ | %@ | %@ |\n", number, delay, killed, rerun, integrity,
                    dataSame ? "same" : "DIFFERENT (\(actual.differences(from: expected)))",
                    reportSame ? "same bytes" : "DIFFERENT"))
        }
        Console.output("\n\(trials) trials: \(trials - failures) converged, \(failures) did not\n")
        if failures > 0 { throw ExitCode(1) }
    }
}

/// A failure of the suite itself.
struct FaultError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
