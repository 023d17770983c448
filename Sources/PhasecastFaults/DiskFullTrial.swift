import ChildProcess
import Foundation
import PhasecastCore
import Store

/// A database on a small tmpfs that fills during ingest, then during transform: each must exit
/// 74 with the database intact and every committed file whole; once there is room again a
/// rerun must come to an uninterrupted ingest's tables. Needs permission to mount a tmpfs
/// (root, or a container that allows it); skipped with a note elsewhere.
struct DiskFullTrial {
    let binary: String
    let root: String
    let logs: String

    func run(_ tally: FaultTally) throws {
        tally.section(
            "disk full on a small tmpfs",
            columns: ["stage", "exit", "integrity", "committed files whole", "after room"])
        let reference = Trial(root: root, name: "reference-disk", logs: logs)
        let uninterrupted = try reference.run(binary, .ingest)
        let expected = try reference.snapshot()
        let referenceBytes = Self.bytes(of: reference.database)
        let mountPoint = root + "/tmpfs"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        for stage in [Stage.ingest, .transform] {
            // Ingest: room for about half of its database. Transform: room for the logs, loaded
            // first; the room left is then cut to a little more than they take.
            let size = stage == .ingest ? referenceBytes / 2 : referenceBytes * 4
            let mounted = try ChildProcess.run(
                ["mount", "-t", "tmpfs", "-o", "size=\(max(size, 64 << 10))", "tmpfs", mountPoint],
                outputPath: "/dev/null", captureErrors: true)
            guard mounted.status == 0 else {
                tally.skip(
                    [stage.rawValue, "", "", "", ""],
                    because:
                        "cannot mount a tmpfs here (\(mounted.errorOutput.trimmingCharacters(in: .whitespacesAndNewlines)))"
                )
                continue
            }
            defer { _ = try? ChildProcess.run(["umount", mountPoint], outputPath: "/dev/null", captureErrors: true) }
            let trial = Trial(root: mountPoint, name: "full-\(stage.rawValue)", logs: logs)
            if stage == .transform {
                let load = try ChildProcess.run(
                    [binary, "ingest", "--quiet", "--no-transform", "--db", trial.database, logs + "/logs"],
                    outputPath: "/dev/null", captureErrors: true)
                let used = Self.usedBytes(mountPoint)
                let shrunk = try ChildProcess.run(
                    ["mount", "-o", "remount,size=\(used + (128 << 10))", mountPoint], outputPath: "/dev/null",
                    captureErrors: true)
                guard load.status == 0 || load.status == 65, shrunk.status == 0 else {
                    tally.record(
                        "disk full: transform", [stage.rawValue, "\(load.status)", "", "", ""], ok: false,
                        note: "could not set up the full disk: \(load.errorOutput.suffix(200))\(shrunk.errorOutput)")
                    continue
                }
            }
            let full = try trial.run(binary, stage)
            let integrity = try trial.integrity()
            let whole = try Self.committedFilesAreWhole(trial.database)
            _ = try ChildProcess.run(
                ["mount", "-o", "remount,size=\(referenceBytes * 4)", mountPoint], outputPath: "/dev/null",
                captureErrors: true)
            let rerun = try trial.run(binary, .ingest)
            let converged = try trial.snapshot().tables == expected.tables && rerun.status == uninterrupted.status
            let ok = full.status == 74 && integrity == "ok" && whole && converged
            tally.record(
                "disk full: \(stage)",
                [
                    stage.rawValue, "\(full.status)", integrity, whole ? "yes" : "NO",
                    converged ? "same tables as uninterrupted" : "DIFFERENT (exit \(rerun.status))",
                ], ok: ok, note: full.status == 74 ? "" : String(full.errorOutput.suffix(200)),
                crashed: full.status >= 128 || rerun.status >= 128)
        }
    }

    /// Size of a database and its write-ahead log.
    static func bytes(of database: String) -> Int64 {
        ["", "-wal"].reduce(0) { total, suffix in
            let size = (try? FileManager.default.attributesOfItem(atPath: database + suffix))?[.size] as? Int64
            return total + (size ?? 0)
        }
    }

    /// Bytes in use on the file system holding `path`.
    static func usedBytes(_ path: String) -> Int64 {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return 0 }
        return Int64(info.f_blocks - info.f_bfree) * Int64(info.f_frsize)
    }

    /// Whether every file the registry calls loaded has all its raw rows.
    static func committedFilesAreWhole(_ database: String) throws -> Bool {
        try Connection(path: database).queryOne(
            """
            SELECT count(*) AS n FROM source_files f
            WHERE f.status = 'loaded' AND f.raw_rows <> (SELECT count(*) FROM requests r WHERE r.file_id = f.file_id)
            """
        ).int("n") == 0
    }
}
