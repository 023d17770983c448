import ArgumentParser
import CostModel
import Foundation
import PhasecastCore
import Stages
import Store
import Transform

/// `phasecast transform`: hourly and daily rollups, the prefill:decode ratio, and GPU-hours.
struct TransformCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transform",
        abstract: "Build hourly and daily rollups and the prefill:decode marts, and cost them in GPU-hours.",
        discussion: """
            Runs the SQL models of Pipelines/models in dependency order, rebuilding only the days whose rollups \
            changed since the last run (ingest records them), and runs each model's tests; a failing test undoes \
            the whole transform and exits 65 with the model's name and the offending rows. Then every model in \
            the logs is costed under its deployment profile (the flags below set the default one) at its mean \
            request lengths. `phasecast ingest` runs this at its end unless --no-transform.

            Examples:
              phasecast transform --db fleet.db
              phasecast transform --db fleet.db --full --llm Llama-3.1-70B --gpu H200 --ttft 800 --itl 40
            """)

    @Option(help: ArgumentHelp("SQLite database.", valueName: "path"))
    var db: String = ProcessInfo.processInfo.environment["PHASECAST_DB"] ?? "phasecast.db"

    @Flag(help: "Rebuild every day, not only those that changed.")
    var full = false

    @Option(help: ArgumentHelp("Run the models of this directory instead of the built-in ones.", valueName: "dir"))
    var models: String?

    @Option(
        name: .customLong("utc-offset"),
        help: ArgumentHelp(
            "Where days begin, as an offset from UTC (+08:00, -05:00, UTC); changing it rebuilds every day.",
            valueName: "offset"))
    var utcOffset: String?

    @OptionGroup var profile: ProfileOptions

    @Option(
        name: .customLong("measured-profile"),
        help: ArgumentHelp(
            "Measured per-GPU throughputs that replace the model: CSV, Dynamo profiler JSON, raw_data.npz or output directory, or an AIConfigurator result CSV.",
            valueName: "path")
    )
    var measuredProfile: String?

    @Option(
        help: ArgumentHelp(
            "Wait up to this long for another run holding the database, instead of exiting 75.", valueName: "seconds"))
    var wait: Double = 0

    func validate() throws {
        if let utcOffset, UTCOffset.parse(utcOffset) == nil {
            throw ValidationError("--utc-offset must look like +08:00, -05:30 or UTC (got '\(utcOffset)')")
        }
        if let measuredProfile, !FileManager.default.fileExists(atPath: measuredProfile) {
            throw ValidationError("--measured-profile \(measuredProfile): no such file")
        }
    }

    func run() throws {
        do {
            let lock = try RunLock(databasePath: db, waitSeconds: wait)
            defer { withExtendedLifetime(lock) {} }
            let connection = try Connection(path: db)
            connection.setBusyTimeout(milliseconds: 30_000)
            try Migrator.migrate(connection)
            Console.error(try Self.transformAndCost(connection, options: try stageOptions(connection)))
        } catch let error as ExitCode {
            throw error
        } catch {
            throw fail(error)
        }
    }

    func stageOptions(_ connection: Connection) throws -> TransformStage.Options {
        var options = TransformStage.Options()
        options.full = full
        options.modelsDirectory = models
        options.utcOffsetMinutes = utcOffset.flatMap(UTCOffset.parse)
        options.measuredProfilePath = measuredProfile
        if !profile.isEmpty {
            let stored = try ProfileTable.load(connection).first { $0.name == "default" }?.profile ?? .standard
            options.profile = profile.profile(over: stored)
        }
        return options
    }
}

extension TransformCommand {
    /// Runs the transform and cost stages; returns the lines for standard error: what was
    /// rebuilt, and each model's costing.
    /// The transform and costing that follow a load (ingest, merge) under its lock: their summary
    /// printed unless `quiet`; a failure is returned, to be reported after the load's own outcome.
    static func afterLoading(_ connection: Connection, quiet: Bool) -> Error? {
        do {
            let lines = try transformAndCost(connection, options: TransformStage.Options())
            if !quiet { Console.error(lines) }
            return nil
        } catch {
            return error
        }
    }

    static func transformAndCost(_ connection: Connection, options: TransformStage.Options) throws -> String {
        let summary = try TransformStage(connection: connection, options: options).run()
        let costs = try CostStage(connection: connection, catalog: try CatalogTables.load(connection)).run()
        let line =
            "transform: \(summary.mode), \(summary.daysRebuilt) days rebuilt, \(summary.models.count) models, "
            + String(format: "%.2f s", summary.seconds)
        return ([line] + CostStage.describe(costs)).joined(separator: "\n")
    }
}
