import ArgumentParser
import Foundation
import PhasecastCore
import PhasecastResources
import Pipeline
import Stages

/// `phasecast run`: a pipeline file's stages, under the database's run lock.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a pipeline: synthesize or load logs, transform, forecast, plan and write the capacity report.",
        discussion: """
            PIPELINE is a pipeline file (see Pipelines/*.toml), or the name of one: NAME looks for \
            Pipelines/NAME.toml in the current directory, then for the copy built into phasecast (nightly, \
            quarterly, demo). The stages run in order under the database's lock, so two runs never overlap (exit \
            75 at once, or wait with --wait). Each stage's time and outcome is printed and kept in the \
            pipeline_runs table. The exit status is the worst stage's: 0 all done; 65 some input was bad (a \
            corrupt log file; the report is still written and lists it under data quality); 75 another run holds \
            the database; 69 the data did not arrive or is too old ([ingest] expect_new_files, max_data_age; the \
            report is still written and says so); 78 the pipeline file is wrong (the message names the line and \
            key). Re-running the same night loads nothing twice, reuses the stored forecast and writes the same \
            report. On a terminal each stage is shown as it finishes; otherwise the stage table comes at the end. \
            --quiet prints nothing on success; --json prints the outcome as JSON; --metrics-file writes Prometheus \
            metrics (last success, stage durations and exit codes, rows, rejects, data age, planned GPUs, forecast \
            error) for node_exporter's textfile collector.

            Before any stage runs, the whole file is checked: every profile's and scenario's GPU, LLM and \
            precision must be in the catalog (the built-in seeds plus the database's own rows), every TP must hold \
            its model, every latency target must be reachable, every file named must exist. A problem exits 78 \
            naming the file, the line, the key and the valid choices. --check does only this.

            Examples:
              phasecast run Pipelines/nightly.toml --quiet --metrics-file /var/lib/node_exporter/phasecast.prom
              phasecast run demo --json | jq '.plan[] | select(.horizon == "30d")'
              phasecast run /etc/phasecast/nightly.toml --check
            """)

    @Argument(help: ArgumentHelp("Pipeline file or name.", valueName: "pipeline"))
    var pipeline: String

    @Option(help: ArgumentHelp("Database to use instead of the pipeline file's.", valueName: "path"))
    var db: String?

    @Option(help: ArgumentHelp("Folder to write reports under instead of the pipeline file's.", valueName: "dir"))
    var reports: String?

    @Option(
        help: ArgumentHelp(
            "Wait up to this long for another run holding the database, instead of exiting 75.", valueName: "seconds"))
    var wait: Double = 0

    @Flag(name: .shortAndLong, help: "Print only errors: nothing on success (for cron, which mails any output).")
    var quiet = false

    @Flag(
        help:
            "Print the run's outcome as JSON on standard output: stages, exit code, GPUs per pool and horizon, ratio, freshness."
    )
    var json = false

    @Option(
        help: ArgumentHelp(
            "Also write the run's figures as Prometheus metrics to this file, atomically (node_exporter's textfile collector).",
            valueName: "path"))
    var metricsFile: String?

    @Flag(help: "Only check the pipeline file against the catalog, then exit 0 (fine) or 78 (the problem).")
    var check = false

    func validate() throws {
        if wait < 0 { throw ValidationError("--wait must be 0 or more seconds") }
        if quiet && json { throw ValidationError("--quiet and --json: choose one (--json prints only the JSON)") }
    }

    /// The pipeline file's text and the name to show for it.
    static func load(_ pipeline: String) throws -> (text: String, file: String) {
        let manager = FileManager.default
        if pipeline.hasSuffix(".toml") || pipeline.contains("/") {
            guard let data = manager.contents(atPath: pipeline) else {
                throw CommandError(message: "\(pipeline): no such pipeline file", status: .noInput)
            }
            return (String(decoding: data, as: UTF8.self), pipeline)
        }
        let local = "Pipelines/\(pipeline).toml"
        if let data = manager.contents(atPath: local) { return (String(decoding: data, as: UTF8.self), local) }
        if let text = EmbeddedFiles.text(at: local) { return (text, "\(local) (built in)") }
        let known = EmbeddedFiles.paths(under: "Pipelines").filter { $0.hasSuffix(".toml") && !$0.contains("/models/") }
            .map { (($0 as NSString).lastPathComponent as NSString).deletingPathExtension }
        throw CommandError(
            message:
                "no pipeline '\(pipeline)': not a file, not in ./Pipelines, not built in (built in: \(known.joined(separator: ", ")))",
            status: .noInput)
    }

    func run() throws {
        let pipeline: CheckedPipeline
        do {
            let (text, file) = try Self.load(self.pipeline)
            var config = try PipelineConfig.parse(text, file: file)
            if let db { config.database = db }
            if let reports { config.reports = reports }
            pipeline = try CheckedPipeline(config, catalog: try CatalogTables.forChecking(database: config.database))
        } catch {
            writeFailureMetrics(pipeline: self.pipeline, error: error)
            throw fail(error)
        }
        if check {
            if !quiet && !json { Console.error("\(pipeline.config.file): ok") }
            return
        }
        let live = !quiet && !json && isatty(STDERR_FILENO) == 1
        var runner = PipelineRunner(pipeline: pipeline, waitSeconds: wait, log: { Console.error($0) })
        if live {
            runner.progress = { stage in
                let name = stage.name.padding(toLength: 10, withPad: " ", startingAt: 0)
                let note = stage.note.replacingOccurrences(of: "\n", with: " ")
                Console.error(
                    name + String(format: " %7.2f s  exit %3d  ", stage.seconds, stage.status.rawValue) + note)
            }
        }
        let outcome: PipelineRunner.Outcome
        do {
            outcome = try runner.run()
        } catch {
            writeFailureMetrics(pipeline: pipeline.config.name, error: error)
            throw fail(error)
        }
        let summary = RunSummary(outcome, pipeline: pipeline.config.name)
        if let metricsFile {
            do { try RunMetrics.write(RunMetrics.text(summary), to: metricsFile) } catch { throw fail(error) }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            let data = (try? encoder.encode(summary)) ?? Data("{}".utf8)
            Console.output(String(decoding: data, as: UTF8.self) + "\n")
        } else if !quiet {
            if !live {
                var table = "| stage | seconds | exit | outcome |\n|---|---:|---:|---|\n"
                for stage in outcome.stages {
                    table +=
                        "| \(stage.name) | \(String(format: "%.2f", stage.seconds)) | \(stage.status.rawValue) | \(stage.note.replacingOccurrences(of: "\n", with: " ")) |\n"
                }
                Console.error(table)
            }
            if let directory = outcome.reportDirectory { Console.output(directory + "/capacity.md\n") }
        }
        if outcome.status != .ok { throw ExitCode(outcome.status.rawValue) }
    }

    /// Metrics of a run that could not start, so that a busy database or a broken pipeline
    /// file shows on the dashboard too.
    func writeFailureMetrics(pipeline: String, error: Error) {
        guard let metricsFile else { return }
        let (_, status) = PipelineRunner.describe(error)
        let name = (pipeline as NSString).lastPathComponent.replacingOccurrences(of: ".toml", with: "")
        try? RunMetrics.write(
            RunMetrics.text(failedPipeline: name, status: status, at: WallClock.nowMicros()), to: metricsFile)
    }
}
