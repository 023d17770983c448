import CostModel
import Foundation
import Ingest
import LogFormats
import PhasecastCore
import Pipeline
import Planning
import Reporting
import Store
import Synth

/// Runs a checked pipeline's stages in order under the database's run lock: synth, ingest,
/// transform (with costing), forecast, plan, report. Each stage hands what it made to the next.
/// A stage with bad input (a truncated log) marks the run 65 and the run goes on; a stage that
/// cannot finish stops the stages after it. The exit status is the worst of the stages'.
public struct PipelineRunner {
    let pipeline: CheckedPipeline
    let waitSeconds: Double
    let log: (String) -> Void
    /// Hears of each stage as it finishes (a terminal shows them as they come).
    public var progress: (StageResult) -> Void = { _ in }

    public init(pipeline: CheckedPipeline, waitSeconds: Double, log: @escaping (String) -> Void) {
        self.pipeline = pipeline
        self.waitSeconds = waitSeconds
        self.log = log
    }

    /// One stage's time and outcome.
    public struct StageResult: Sendable {
        public var name: String
        public var seconds: Double
        public var status: ExitStatus
        public var note: String
    }

    /// What the run did.
    public struct Outcome: Sendable {
        public var stages: [StageResult]
        public var reportDirectory: String?
        public var status: ExitStatus { stages.map(\.status).max() ?? .ok }
        /// When the run started and finished (UTC microseconds).
        public var startedMicros: Int64 = 0
        public var finishedMicros: Int64 = 0
        /// What ingest did this run (nil when the pipeline loads no logs).
        public var ingest: IngestTotals?
        /// New files and the data's age (nil when the pipeline loads no logs).
        public var freshness: Freshness?
        /// The freshness problems, as the report words them.
        public var freshnessProblems: [String] = []
        /// The report's input: the plan's figures (nil when the run stopped before the plan).
        public var report: ReportInput?
        /// When the newest run of this pipeline that exited 0 finished (ISO 8601), this one included.
        public var lastSuccessAt: String?
    }

    /// What the ingest stage did, over every set of logs.
    public struct IngestTotals: Sendable {
        public var filesLoaded = 0
        public var filesAlreadyLoaded = 0
        public var filesFailed = 0
        public var filesQuarantined = 0
        public var rows: Int64 = 0
        public var rejectedLines: Int64 = 0
    }

    public func run() throws -> Outcome {
        let config = pipeline.config
        let directory = (config.database as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let lock = try RunLock(databasePath: config.database, waitSeconds: waitSeconds)
        defer { withExtendedLifetime(lock) {} }
        let connection = try Connection(path: config.database)
        connection.setBusyTimeout(milliseconds: 30_000)
        try Migrator.migrate(connection)
        try connection.run(
            "INSERT INTO pipeline_runs (pipeline, started_at) VALUES (?, ?)",
            [.text(config.name), .text(WallClock.nowISO8601())])
        let pipelineRunID = connection.lastInsertRowID

        let startedMicros = WallClock.nowMicros()
        var stages: [StageResult] = []
        var stopped = false
        var ingestTotals: IngestTotals?
        var freshness: Freshness?
        var freshnessProblems: [String] = []
        var catalog: Catalog?
        var costs: [CostStage.ModelCost] = []
        var forecast: ForecastStage.Outcome?
        var reportInput: ReportInput?
        var reportDirectory: String?

        /// Runs one stage unless an earlier one stopped the run; records its time and outcome.
        func stage(_ name: String, _ body: () throws -> (ExitStatus, String)) {
            defer { if let last = stages.last { progress(last) } }
            guard !stopped else {
                stages.append(
                    StageResult(name: name, seconds: 0, status: .ok, note: "skipped: an earlier stage failed"))
                return
            }
            let started = Date()
            do {
                let (status, note) = try body()
                stages.append(
                    StageResult(name: name, seconds: Date().timeIntervalSince(started), status: status, note: note))
            } catch {
                let (message, status) = Self.describe(error)
                stages.append(
                    StageResult(name: name, seconds: Date().timeIntervalSince(started), status: status, note: message))
                log("phasecast: \(name): \(message)")
                stopped = true
            }
        }

        if let synth = config.synth {
            stage("synth") {
                let end = synth.end.flatMap(CalendarDay.parse) ?? WallClock.today() - 1
                let fleet = SyntheticFleet(days: synth.days, endDay: end, seed: synth.seed, scale: synth.scale)
                return (.ok, try SyntheticLogWriter(fleet: fleet, directory: synth.out).writeReporting().line)
            }
        }
        if !pipeline.ingestRuns.isEmpty {
            stage("ingest") {
                var worst = ExitStatus.ok
                var totals = IngestTotals()
                var skippedLines: [SkipCount] = []
                let emptyPaths = Freshness.emptyPaths(pipeline.ingestRuns.flatMap(\.settings.paths))
                for path in emptyPaths { log("phasecast: ingest: warning: no log file under \(path)") }
                for run in pipeline.ingestRuns {
                    let options = run.options(
                        database: config.database, waitSeconds: waitSeconds, commandLine: "phasecast run \(config.file)"
                    )
                    let report = try Ingestor(options: options, showProgress: false, log: { _ in }).run()
                    let loaded = report.files.filter { $0.status == .loaded || $0.status == .replaced }
                    let failed = report.files.filter { $0.status == .failed }
                    for file in failed { log("phasecast: ingest: \(file.message ?? file.path)") }
                    for file in loaded {
                        for warning in file.warnings { log("phasecast: ingest: warning: \(file.path): \(warning)") }
                        skippedLines += file.skippedKinds
                    }
                    totals.filesLoaded += loaded.count
                    totals.rows += loaded.reduce(0) { $0 + $1.rows }
                    totals.rejectedLines += loaded.reduce(0) { $0 + $1.rejected }
                    totals.filesAlreadyLoaded += report.files.filter { $0.status == .skipped }.count
                    totals.filesFailed += failed.count
                    totals.filesQuarantined += report.files.filter { $0.status == .quarantined }.count
                    if report.exitStatus.rawValue > worst.rawValue { worst = report.exitStatus }
                }
                ingestTotals = totals
                freshness = Freshness(
                    newFiles: totals.filesLoaded, emptyPaths: emptyPaths,
                    newestRequestMicros: try Freshness.newestRequest(connection), runStartedMicros: startedMicros)
                var note =
                    "\(totals.filesLoaded) loaded (\(totals.rows) rows), \(totals.filesAlreadyLoaded) already loaded, \(totals.filesFailed) failed"
                if totals.filesQuarantined > 0 { note += ", \(totals.filesQuarantined) quarantined" }
                if !skippedLines.isEmpty {
                    note += "; skipped lines: " + SkipCount.phrase(SkipCount.totals(skippedLines))
                }
                return (worst, note)
            }
            let ingestSettings = config.ingest
            if let ingestSettings, ingestSettings.expectNewFiles || ingestSettings.maxDataAgeSeconds != nil {
                stage("freshness") {
                    guard let freshness else { throw StageError.missingInput(stage: "freshness", input: "ingest") }
                    freshnessProblems = freshness.problems(
                        expectNewFiles: ingestSettings.expectNewFiles,
                        maxDataAgeSeconds: ingestSettings.maxDataAgeSeconds)
                    for problem in freshnessProblems { log("phasecast: freshness: \(problem)") }
                    if !freshnessProblems.isEmpty { return (.unavailable, freshnessProblems.joined(separator: "; ")) }
                    let age = freshness.dataAgeSeconds.map { CalendarDay.describe(seconds: $0) } ?? "–"
                    return (.ok, "\(freshness.newFiles) new files, newest request \(age) old")
                }
            }
        }
        stage("transform") {
            var options = TransformStage.Options()
            options.utcOffsetMinutes = pipeline.utcOffsetMinutes
            options.declaredProfiles = pipeline.profiles
            let summary = try TransformStage(connection: connection, options: options).run()
            let loaded = try CatalogTables.load(connection)
            catalog = loaded
            costs = try CostStage(connection: connection, catalog: loaded).run()
            return (.ok, "\(summary.daysRebuilt) days rebuilt, \(costs.count) models costed")
        }
        stage("forecast") {
            let outcome = try forecastWithBackfill(connection)
            forecast = outcome.main
            return (outcome.main.unusableSeries > 0 ? .dataError : .ok, outcome.note)
        }
        stage("plan") {
            guard let forecast, let catalog else { throw StageError.missingInput(stage: "plan", input: "forecast") }
            let planned = try PlanStage(
                connection: connection, pipeline: config.name, forecast: forecast, policy: pipeline.policy,
                scenarios: pipeline.scenarios, lookbackDays: config.plan.lookbackDays, catalog: catalog,
                fleet: pipeline.fleet
            ).run(costs: costs)
            var input = try ReportStage(
                connection: connection, pipeline: config.name, forecast: forecast, policy: pipeline.policy,
                lookbackDays: config.plan.lookbackDays
            ).input(for: planned)
            if config.plan.backtestCutoffs > 0 {
                input.backtest = try PlanBacktestStage(
                    connection: connection, pipeline: config.name, cutoffDay: forecast.cutoffDay,
                    policy: pipeline.policy, lookbackDays: config.plan.lookbackDays, catalog: catalog,
                    reactiveIntervalMinutes: config.plan.reactiveIntervalMinutes,
                    maxCutoffs: config.plan.backtestCutoffs
                ).run(costs: planned.deployments.compactMap { d in costs.first { $0.modelID == d.modelID } })
            }
            input.quality.freshnessProblems = freshnessProblems
            reportInput = input
            return (.ok, CapacityReport(input).headline())
        }
        stage("report") {
            guard let input = reportInput else { throw StageError.missingInput(stage: "report", input: "plan") }
            try ReportSnapshot.save(input, runID: pipelineRunID, in: connection)
            let directory = try ReportStage.write(input, under: config.reports)
            reportDirectory = directory
            return (.ok, directory + "/capacity.md")
        }

        var outcome = Outcome(stages: stages, reportDirectory: reportDirectory)
        outcome.startedMicros = startedMicros
        outcome.finishedMicros = WallClock.nowMicros()
        outcome.ingest = ingestTotals
        outcome.freshness = freshness
        outcome.freshnessProblems = freshnessProblems
        outcome.report = reportInput
        let stageLines = stages.map {
            "\($0.name)\t\(String(format: "%.2f", $0.seconds))\t\($0.status.rawValue)\t\($0.note)"
        }
        try connection.run(
            "UPDATE pipeline_runs SET finished_at = ?, as_of_day = ?, exit_code = ?, stages = ?, report = ? WHERE run_id = ?",
            [
                .text(WallClock.nowISO8601()), forecast.map { .integer($0.cutoffDay) } ?? .null,
                .integer(Int64(outcome.status.rawValue)), .text(stageLines.joined(separator: "\n")),
                reportDirectory.map { .text($0) } ?? .null, .integer(pipelineRunID),
            ])
        outcome.lastSuccessAt = try connection.queryOne(
            "SELECT MAX(finished_at) AS at FROM pipeline_runs WHERE pipeline = ? AND exit_code = 0",
            [.text(config.name)]
        ).optionalText("at")
        return outcome
    }

    /// The forecast of the latest cutoff, and earlier cutoffs so that the ledger can be scored
    /// from the first report: each one that has no forecast of this pipeline within half a step
    /// of it (a ledger kept by nightly runs has them all, so this adds nothing after the first runs).
    func forecastWithBackfill(_ connection: Connection) throws -> (main: ForecastStage.Outcome, note: String) {
        let config = pipeline.config
        let events = try pipeline.eventDays()
        let main = try ForecastStage(
            connection: connection, horizonDays: config.forecast.horizonDays, eventDays: events,
            pipeline: config.name
        ).run()
        var backfilled = 0
        let step = Int64(config.forecast.backfillStepDays)
        for k in stride(from: config.forecast.backfill, through: 1, by: -1) {
            let asOf = main.cutoffDay - Int64(k) * step
            let near = try connection.queryOne(
                """
                SELECT COUNT(*) AS n FROM forecast_runs
                WHERE pipeline = ? AND run_id <> ? AND cutoff_day BETWEEN ? AND ?
                """,
                [.text(config.name), .integer(main.runID), .integer(asOf - step / 2), .integer(asOf + step / 2)]
            ).int("n")
            if near > 0 { continue }
            var earlier = ForecastStage(
                connection: connection, horizonDays: config.forecast.horizonDays, eventDays: events,
                pipeline: config.name)
            earlier.asOf = asOf
            earlier.totalsOnly = true
            if let outcome = try? earlier.run(), !outcome.reused { backfilled += 1 }
        }
        var notes = [main.reused ? "run \(main.runID) reused (same history)" : "run \(main.runID)"]
        notes.append("through \(ForecastStage.date(main.cutoffDay)), \(config.forecast.horizonDays) days ahead")
        if backfilled > 0 { notes.append("\(backfilled) earlier cutoffs backfilled") }
        if main.unusableSeries > 0 {
            notes.append(
                "\(main.unusableSeries) series not forecast (non-finite values; see the report's data quality)")
        }
        return (main, notes.joined(separator: ", "))
    }

    /// An error's message and exit status; 70 for one that does not say.
    public static func describe(_ error: Error) -> (String, ExitStatus) {
        if let known = error as? PhasecastError { return (known.description, known.exitStatus) }
        return (String(describing: error), .software)
    }
}
