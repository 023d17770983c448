import ArgumentParser
import Foundation
import PhasecastCore
import Pipeline
import Planning
import Reporting
import Stages

/// `phasecast plan-backtest`: the plan's own ledger, on a pipeline's database.
struct PlanBacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan-backtest",
        abstract: "Replay earlier plans against the demand that followed them, beside a reactive planner.",
        discussion: """
            For each earlier cutoff with a stored forecast of every model (nightly runs, and the backfilled \
            cutoffs of [forecast] backfill), the plan the pipeline's policy makes from that forecast is replayed \
            minute by minute against the realized demand, costed with the same profiles: minutes and 15-minute \
            intervals short, minutes missing TTFT or ITL, the worst shortfall, idle GPU-hours and their cost. A \
            reactive planner in the manner of Dynamo's SLA planner (every interval, what the last interval's load \
            needs at the same per-GPU rates) is replayed beside it, and so is the headroom stack with each \
            allowance taken out. The capacity report carries the same section.

            Example: phasecast plan-backtest Pipelines/nightly.toml --cutoffs 4 --csv ledger.csv

            Exit codes: 0 done (also when there is nothing to replay yet); 66 no database; 75 another run holds \
            the database; 78 the pipeline file is wrong.
            """)

    @Argument(help: ArgumentHelp("Pipeline file or name.", valueName: "pipeline"))
    var pipeline: String

    @Option(help: ArgumentHelp("Database to use instead of the pipeline file's.", valueName: "path"))
    var db: String?

    @Option(
        help: ArgumentHelp(
            "Earlier cutoffs to replay, newest first (default: [plan] backtest_cutoffs).", valueName: "n"))
    var cutoffs: Int?

    @Option(
        help: ArgumentHelp(
            "Minutes between the reactive planner's decisions, as seconds (a multiple of 60) or minutes: 180s, 3m (default: [plan] reactive_interval).",
            valueName: "duration"))
    var reactiveInterval: String?

    @Option(help: ArgumentHelp("Also write every replay, variants included, as CSV here.", valueName: "file"))
    var csv: String?

    @Option(
        help: ArgumentHelp(
            "Wait up to this long for another run holding the database, instead of exiting 75.", valueName: "seconds"))
    var wait: Double = 0

    @Flag(help: "Print the replays as JSON instead of Markdown.")
    var json = false

    func validate() throws {
        if let cutoffs, !(1...52).contains(cutoffs) { throw ValidationError("--cutoffs must be from 1 to 52") }
        if let reactiveInterval, Self.minutes(reactiveInterval) == nil {
            throw ValidationError(
                "--reactive-interval must be a whole number of minutes from 60s to 3600s, like 180s or 3m (got '\(reactiveInterval)')"
            )
        }
        if wait < 0 { throw ValidationError("--wait must be 0 or more seconds") }
    }

    /// Minutes of `180s`, `3m` or `180`; nil unless whole minutes from 1 to 60.
    static func minutes(_ text: String) -> Int? {
        CalendarDay.wholeMinutes(text).flatMap { (1...60).contains($0) ? $0 : nil }
    }

    func run() throws {
        let backtest: PlanBacktest?
        do {
            let (text, file) = try RunCommand.load(pipeline)
            var config = try PipelineConfig.parse(text, file: file)
            if let db { config.database = db }
            let checked = try CheckedPipeline(config, catalog: try CatalogTables.forChecking(database: config.database))
            backtest = try PlanBacktestStage.run(
                checked, cutoffs: cutoffs ?? max(config.plan.backtestCutoffs, 1),
                reactiveIntervalMinutes: reactiveInterval.flatMap(Self.minutes) ?? config.plan.reactiveIntervalMinutes,
                waitSeconds: wait)
        } catch {
            throw fail(error)
        }
        if let csv {
            do {
                try CapacityReport.planBacktestCSV(backtest).write(toFile: csv, atomically: true, encoding: .utf8)
            } catch {
                throw fail(CommandError(message: "\(csv): \(error.localizedDescription)", status: .ioError))
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data = try encoder.encode((backtest?.replays ?? []).map(JSONReplay.init))
            Console.output(String(decoding: data, as: UTF8.self) + "\n")
        } else {
            Console.output(CapacityReport.backtestSection(backtest))
        }
    }
}

/// One replay as `plan-backtest --json` prints it: dates as ISO 8601 days.
struct JSONReplay: Encodable {
    var cutoff: String
    var horizon: String
    var through: String
    var daysReplayed: Int
    var planner: String
    var gpus: Double
    var totals: LedgerTotals

    init(_ replay: PlanBacktest.Replay) {
        cutoff = Horizon.isoDate(replay.cutoffDay)
        horizon = replay.horizon.key
        through = Horizon.isoDate(replay.horizon.lastDay)
        daysReplayed = replay.days
        planner = replay.planner
        gpus = replay.gpus
        totals = replay.totals
    }
}
