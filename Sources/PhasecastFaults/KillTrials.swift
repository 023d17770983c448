import ChildProcess
import Foundation
import PhasecastCore

/// `kill -9` at random moments of ingest, transform and run: each trial starts the stage on a
/// fresh database, kills it, runs it again to its end and compares the database (and for run
/// the report's bytes) with an uninterrupted run's.
struct KillTrials {
    let binary: String
    let root: String
    let logs: String
    let trialsPerStage: Int
    let seed: UInt64

    func run(_ tally: FaultTally) throws {
        tally.section(
            "kill -9 during ingest, transform and run",
            columns: ["trial", "killed after", "killed run's exit", "rerun's exit", "integrity", "data", "report"])
        // The transform's trials start from logs loaded without a transform.
        let loaded = Trial(root: root, name: "loaded", logs: logs)
        let load = try ChildProcess.run(
            [binary, "ingest", "--quiet", "--no-transform", "--db", loaded.database, logs + "/logs"],
            outputPath: "/dev/null", captureErrors: true)
        guard load.status == 0 || load.status == 65 else {
            throw FaultError("loading the logs for the transform trials exited \(load.status): \(load.errorOutput)")
        }
        var random = SplitMix64(seed: seed)
        for stage in Stage.allCases {
            let reference = Trial(root: root, name: "reference-\(stage.rawValue)", logs: logs)
            if stage == .transform { try reference.copyDatabase(from: loaded) }
            let uninterrupted = try reference.run(binary, stage)
            guard uninterrupted.status == 0 || uninterrupted.status == 65 else {
                throw FaultError(
                    "the uninterrupted \(stage) exited \(uninterrupted.status): \(uninterrupted.errorOutput)")
            }
            let expected = try reference.snapshot()
            // The comparison must be able to fail: the database before the stage is not its result.
            let before = Trial(root: root, name: "before-\(stage.rawValue)", logs: logs)
            if stage == .transform { try before.copyDatabase(from: loaded) }
            guard try before.snapshot() != expected, stage != .run || !expected.report.isEmpty else {
                throw FaultError("the snapshot of \(stage) sees no difference between before and after the stage")
            }
            for number in 1...trialsPerStage {
                let trial = Trial(root: root, name: "\(stage.rawValue)-\(number)", logs: logs)
                if stage == .transform { try trial.copyDatabase(from: loaded) }
                let delay = random.uniform() * uninterrupted.seconds
                let killed = try trial.run(binary, stage, killAfter: delay)
                let rerun = try trial.run(binary, stage)
                let integrity = try trial.integrity()
                let actual = try trial.snapshot()
                let (lost, extra) = actual.rowDifferences(from: expected)
                let dataSame = actual.tables == expected.tables
                let reportSame = actual.report == expected.report
                let ok = integrity == "ok" && dataSame && reportSame && rerun.status == uninterrupted.status
                if ok { try? FileManager.default.removeItem(atPath: trial.folder) }
                tally.record(
                    "\(stage) \(number)",
                    [
                        "\(stage) \(number)", String(format: "%.2f s", delay),
                        killed.killed ? "killed" : "\(killed.status) (ended first)", "\(rerun.status)", integrity,
                        dataSame ? "same" : "DIFFERENT (\(actual.differences(from: expected)))",
                        stage != .run ? "–" : reportSame ? "same bytes" : "DIFFERENT",
                    ], ok: ok, lost: lost, extra: extra,
                    crashed: (!killed.killed && killed.status >= 128) || rerun.status >= 128)
            }
        }
    }
}
