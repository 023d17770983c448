import ArgumentParser
import Foundation
import Ingest
import PhasecastCore
import Stages

/// `phasecast merge`: joins the databases of a sharded ingest into one.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join the databases of a sharded ingest (ingest --shard-count) into one, then transform.",
        discussion: """
            Copies each shard file's registry row, minute rollups, rejects, skipped-line counts and raw rows (if \
            the shard kept them) into the target, with the target's file and model ids, as if one process had \
            loaded every file; then runs the transform (and costing) over the days they touch, as ingest does. \
            Every rollup is additive, so nothing is re-read or recomputed.

            Idempotent by content: a shard merged twice changes nothing; a file whose content the target already \
            holds (merged before, or loaded directly under any path) is skipped; the same path with other content \
            replaces the target's rows, unless the target's was loaded later (a stale shard: refused for that \
            file, exit 65). A file that failed in its shard is registered as failed, as ingest would (exit 65). \
            A file quarantined in the target (phasecast quarantine add) is passed over, whatever its shard holds. \
            Each shard commits in one transaction under both databases' locks; a merge stopped midway is \
            completed by running it again.

            Examples:
              phasecast merge shards/shard-*.db --into fleet.db
              phasecast merge /mnt/shards/*.db --into /mnt/fleet.db --wait 600 --quiet

            Exit codes: 0 merged; 65 a file failed in its shard or was refused (the rest merged); 66 a shard does \
            not exist; 74 I/O error; 75 a shard or the target is held by another run (see --wait).
            """)

    @Argument(help: ArgumentHelp("The shards' databases.", valueName: "shard.db"))
    var shards: [String]

    @Option(help: ArgumentHelp("The database to merge into; created if missing.", valueName: "path"))
    var into: String

    @Option(
        help: ArgumentHelp(
            "Wait up to this long for another run holding a database, instead of exiting 75.", valueName: "seconds"))
    var wait: Double = 0

    @Flag(name: .long, help: "Do not run `phasecast transform` after merging.")
    var noTransform = false

    @Flag(name: .long, help: "Print the merge's outcome per file as JSON on standard output.")
    var json = false

    @Flag(name: .shortAndLong, help: "Print only errors.")
    var quiet = false

    func validate() throws {
        if shards.isEmpty { throw ValidationError("name at least one shard database") }
        if wait < 0 { throw ValidationError("--wait must be 0 or more seconds") }
        if Set(shards).count != shards.count { throw ValidationError("a shard is named twice") }
    }

    func run() throws {
        var merger = ShardMerger(target: into, shards: shards)
        merger.waitSeconds = wait
        merger.commandLine = (["phasecast"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        let quiet = self.quiet || json
        var transformFailure: Error?
        let report: ShardMerger.Report
        do {
            report = try merger.run { connection in
                if !noTransform { transformFailure = TransformCommand.afterLoading(connection, quiet: quiet) }
            }
        } catch {
            throw fail(error)
        }
        if json {
            try printJSON(report)
        } else if !quiet {
            for file in report.files where file.status != .merged && file.status != .alreadyMerged {
                Console.error("\(file.status.rawValue): \(file.path)\(file.note.map { ": \($0)" } ?? "")")
            }
            Console.error(
                "\(shards.count) shard(s): \(report.count(.merged)) files merged, \(report.count(.replaced)) replaced, "
                    + "\(report.count(.alreadyMerged)) already there, \(report.count(.refused)) refused, "
                    + "\(report.count(.failed)) failed in their shard, \(report.count(.quarantined)) quarantined; "
                    + "\(report.files.reduce(0) { $0 + $1.rows }) rows into \(into) in "
                    + String(format: "%.2f s", report.seconds))
        }
        if let transformFailure { throw fail(transformFailure) }
        if report.exitStatus != .ok { throw ExitCode(report.exitStatus.rawValue) }
    }
}
