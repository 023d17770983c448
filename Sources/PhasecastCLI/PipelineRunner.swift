import CostModel
import Foundation
import Ingest
import LogFormats
import PhasecastCore
import Pipeline
import Planning
import Reporting
import Store

/// Runs a pipeline's stages in order under the database's run lock: synth, ingest, transform,
/// forecast, plan, report. A stage with bad input (a truncated log) marks the run 65 and the
/// run goes on; a stage that cannot finish stops the stages after it. The exit status is the
/// worst of the stages'.
struct PipelineRunner {
    let config: PipelineConfig
    let waitSeconds: Double
    let log: (String) -> Void

    struct StageResult {
        var name: String
        var seconds: Double
        var status: ExitStatus
        var note: String
    }

    struct Outcome {
        var stages: [StageResult]
        var reportDirectory: String?
        var status: ExitStatus { stages.map(\.status).max() ?? .ok }
    }

    func run() throws -> Outcome {
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
            [.text(config.name), .text(TransformStage.now())])
        let pipelineRunID = connection.lastInsertRowID

        var stages: [StageResult] = []
        var stopped = false
        var forecast: DatabaseForecast.Outcome?
        var reportInput: ReportInput?
        var reportDirectory: String?

        /// Runs one stage unless an earlier one stopped the run; records its time and outcome.
        func stage(_ name: String, _ body: () throws -> (ExitStatus, String)) {
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
                let end = synth.end.flatMap(SynthCommand.day) ?? SynthCommand.yesterday()
                let note = try SynthCommand.write(
                    out: synth.out, days: synth.days, endDay: end, seed: synth.seed, scale: synth.scale)
                return (.ok, note.replacingOccurrences(of: "synth: ", with: ""))
            }
        }
        if let ingest = config.ingest {
            stage("ingest") {
                var parse = ParseOptions(defaultModel: ingest.model ?? "unknown")
                parse.cacheBlockTokens = PrefixCacheSimulator.defaultBlockTokens
                let format = ingest.format == "auto" ? nil : LogFormat(rawValue: ingest.format)
                if ingest.format != "auto" && format == nil {
                    throw config.error(
                        "ingest.format",
                        "unknown format \"\(ingest.format)\"; expected \"auto\" or one of \(LogFormat.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))"
                    )
                }
                let options = IngestOptions(
                    databasePath: config.database, inputs: ingest.paths, format: format, parse: parse, keepRaw: true,
                    rawRetentionDays: nil, maxRejectRate: ingest.maxRejectRate ?? 0.01, standardInputName: nil,
                    waitSeconds: waitSeconds, commandLine: "phasecast run \(config.file)")
                let report = try Ingestor(options: options, showProgress: false, log: { _ in }).run()
                let loaded = report.files.filter { $0.status == .loaded || $0.status == .replaced }
                let failed = report.files.filter { $0.status == .failed }
                let skipped = report.files.filter { $0.status == .skipped }.count
                for file in failed { log("phasecast: ingest: \(file.message ?? file.path)") }
                let rows = loaded.reduce(0) { $0 + $1.rows }
                return (
                    report.exitStatus,
                    "\(loaded.count) loaded (\(rows) rows), \(skipped) already loaded, \(failed.count) failed"
                )
            }
        }
        stage("transform") {
            var options = TransformStage.Options()
            if let offset = config.utcOffset {
                guard let minutes = parseUTCOffset(offset) else {
                    throw config.error(
                        "transform.utc_offset", "expected an offset like \"+00:00\" or \"-05:00\", got \"\(offset)\"")
                }
                options.utcOffsetMinutes = minutes
            }
            options.declaredProfiles = try declaredProfiles()
            let result = try TransformStage(connection: connection, options: options).run()
            return (.ok, "\(result.summary.daysRebuilt) days rebuilt, \(result.costs.count) models costed")
        }
        stage("forecast") {
            let events = try eventDays()
            var notes: [String] = []
            let main = try DatabaseForecast(
                connection: connection, horizonDays: config.forecast.horizonDays, eventDays: events,
                pipeline: config.name
            ).run()
            forecast = main
            // Earlier cutoffs, so that the ledger can be scored from the first report: each one
            // that has no forecast of this pipeline within half a step of it (a ledger kept by
            // nightly runs has them all, so this adds nothing after the first runs).
            var backfilled = 0
            let step = Int64(config.forecast.backfillStepDays)
            for k in stride(from: config.forecast.backfill, through: 1, by: -1) {
                let asOf = main.cutoffDay - Int64(k) * step
                let near = try connection.scalar(
                    "SELECT COUNT(*) FROM forecast_runs WHERE pipeline = ? AND run_id <> ? AND cutoff_day BETWEEN ? AND ?",
                    [.text(config.name), .integer(main.runID), .integer(asOf - step / 2), .integer(asOf + step / 2)])
                if (near?.integer ?? 0) > 0 { continue }
                var earlier = DatabaseForecast(
                    connection: connection, horizonDays: config.forecast.horizonDays, eventDays: events,
                    pipeline: config.name)
                earlier.asOf = asOf
                earlier.totalsOnly = true
                if let outcome = try? earlier.run(), !outcome.reused { backfilled += 1 }
            }
            notes.append(main.reused ? "run \(main.runID) reused (same history)" : "run \(main.runID)")
            notes.append("through \(DatabaseForecast.date(main.cutoffDay)), \(config.forecast.horizonDays) days ahead")
            if backfilled > 0 { notes.append("\(backfilled) earlier cutoffs backfilled") }
            return (.ok, notes.joined(separator: ", "))
        }
        stage("plan") {
            guard let forecast else { throw CommandError(message: "no forecast to plan from", status: .software) }
            let capacity = CapacityStage(
                connection: connection, pipeline: config.name, forecastRunID: forecast.runID,
                cutoffDay: forecast.cutoffDay,
                policy: policy(), scenarios: try scenarios(connection), lookbackDays: config.plan.lookbackDays)
            let input = try capacity.run()
            reportInput = input
            let report = CapacityReport(input)
            return (.ok, report.headline())
        }
        stage("report") {
            guard let input = reportInput else { throw CommandError(message: "no plan to report", status: .software) }
            let directory =
                "\(config.reports)/\(config.name)/\(UTCTime.isoDate(micros: input.asOfDay * UTCTime.microsPerDay))"
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                for file in CapacityReport(input).files() {
                    try file.text.write(toFile: directory + "/" + file.name, atomically: true, encoding: .utf8)
                }
            } catch {
                throw CommandError(message: "\(directory): \(error.localizedDescription)", status: .ioError)
            }
            reportDirectory = directory
            return (.ok, directory + "/capacity.md")
        }

        let outcome = Outcome(stages: stages, reportDirectory: reportDirectory)
        let stageLines = stages.map {
            "\($0.name)\t\(String(format: "%.2f", $0.seconds))\t\($0.status.rawValue)\t\($0.note)"
        }
        try connection.run(
            "UPDATE pipeline_runs SET finished_at = ?, as_of_day = ?, exit_code = ?, stages = ?, report = ? WHERE run_id = ?",
            [
                .text(TransformStage.now()), forecast.map { .integer($0.cutoffDay) } ?? .null,
                .integer(Int64(outcome.status.rawValue)), .text(stageLines.joined(separator: "\n")),
                reportDirectory.map { .text($0) } ?? .null, .integer(pipelineRunID),
            ])
        return outcome
    }

    static func describe(_ error: Error) -> (String, ExitStatus) {
        if let known = error as? PhasecastError { return (known.description, known.exitStatus) }
        return (String(describing: error), .software)
    }

    // MARK: - From the pipeline file

    func declaredProfiles() throws -> [TransformStage.StoredProfile]? {
        guard !config.profiles.isEmpty else { return nil }
        return config.profiles.map { p in
            TransformStage.StoredProfile(
                name: p.name, pattern: p.models, priority: p.priority,
                profile: DeploymentProfile(
                    llm: p.llm, gpu: p.gpu, precision: Precision(rawValue: p.precision) ?? .fp8, tpPrefill: p.tpPrefill,
                    tpDecode: p.tpDecode, ttftMs: p.ttftMs, itlMs: p.itlMs),
                measuredPath: nil)
        }
    }

    func policy() -> PlanPolicy {
        var policy = PlanPolicy()
        policy.headlineQuantile = config.plan.headlineQuantile
        policy.quantiles = [50, 90, 95]
        policy.horizons = config.plan.horizons
        policy.targetUtilization = [.prefill: config.plan.prefillUtilization, .decode: config.plan.decodeUtilization]
        policy.spareWorkers = config.plan.failureHeadroom
        policy.prices = config.plan.prices
        return policy
    }

    /// The pipeline's scenarios, their GPU and LLM names checked against the catalog.
    func scenarios(_ connection: Connection) throws -> [Scenario] {
        let catalog = try CatalogTables.load(connection)
        for (gpu, _) in config.plan.prices where (try? catalog.gpu(named: gpu)) == nil {
            throw config.error(
                "plan.prices.\(gpu)", "unknown GPU; known: \(catalog.gpus.map(\.name).joined(separator: ", "))")
        }
        return try config.scenarios.enumerated().map { index, s in
            let path = "scenarios[\(index + 1)]"
            for (key, name) in [("gpu", s.gpu), ("prefill_gpu", s.prefillGPU), ("decode_gpu", s.decodeGPU)] {
                if let name, (try? catalog.gpu(named: name)) == nil {
                    throw config.error(
                        "\(path).\(key)",
                        "unknown GPU \"\(name)\"; known: \(catalog.gpus.map(\.name).joined(separator: ", "))")
                }
            }
            if let llm = s.llm, (try? catalog.llm(named: llm)) == nil {
                throw config.error(
                    "\(path).llm", "unknown LLM \"\(llm)\"; known: \(catalog.llms.map(\.name).joined(separator: ", "))")
            }
            return Scenario(
                name: s.name, models: s.models, growth: s.growth, cacheHitRate: s.cacheHitRate, gpu: s.gpu,
                prefillGPU: s.prefillGPU,
                decodeGPU: s.decodeGPU, llm: s.llm, precision: s.precision.flatMap(Precision.init(rawValue:)),
                ttftMs: s.ttftMs,
                itlMs: s.itlMs)
        }
    }

    /// Days since the epoch of the events file's dates.
    func eventDays() throws -> Set<Int64> {
        guard let events = config.forecast.events else { return [] }
        guard FileManager.default.fileExists(atPath: events) else {
            throw config.error("forecast.events", "no such file: \(events)")
        }
        return try EventDates.read(path: events)
    }
}
