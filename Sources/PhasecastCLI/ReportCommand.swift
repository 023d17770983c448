import ArgumentParser
import Foundation
import PhasecastCore
import Pipeline
import Stages
import Store

/// `phasecast report`: renders a stored run's report again, without recomputing anything.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Render the report of a stored run again (Markdown, HTML, CSV, SVG) without recomputing.",
        discussion: """
            Every run that reaches the report stage stores what its report shows in the report_snapshots table. \
            This command renders that snapshot again: the same files the run wrote (capacity.md, the \
            self-contained capacity.html with its charts inline, the CSV tables and the SVG charts), byte for byte \
            as this version of phasecast writes them, without reading logs, forecasting or planning. Use it to get \
            a lost or deleted report back, to render an old run with a newer phasecast, or to write a copy \
            elsewhere (--out). It only reads the database, so it can run while a nightly run holds it.

            The run is the newest one that stored a report (of PIPELINE, when given), or --run. The files go to \
            --out, else to where the run wrote them (under the pipeline's reports folder when PIPELINE is given). \
            --list shows the stored reports instead; --json prints a run's snapshot (gzipped JSON in the table) \
            for jq.

            Examples:
              phasecast report nightly
              phasecast report --db fleet.db --run 41 --out /srv/share/capacity-2026-11
              phasecast report --db fleet.db --list
              phasecast report nightly --json | jq '.plan.columns[0].name'

            Exit codes: 0 done; 64 usage error; 66 no such database, pipeline or stored report; 65 the stored \
            report cannot be read by this version; 74 the files cannot be written; 78 the pipeline file is wrong.
            """)

    @Argument(help: ArgumentHelp("Pipeline file or name (its database and reports folder).", valueName: "pipeline"))
    var pipeline: String?

    @Option(help: ArgumentHelp("Database to read instead of the pipeline file's.", valueName: "path"))
    var db: String?

    @Option(
        name: .customLong("run"),
        help: ArgumentHelp("The pipeline run whose report to render (default: the newest).", valueName: "id"))
    var runID: Int64?

    @Option(help: ArgumentHelp("Folder to write the files into (made if missing).", valueName: "dir"))
    var out: String?

    @Flag(help: "List the stored reports (run, pipeline, day, when, exit code, folder) instead of rendering one.")
    var list = false

    @Flag(help: "Print the stored snapshot (what the report shows) as JSON instead of writing the files.")
    var json = false

    func validate() throws {
        if pipeline == nil && db == nil {
            throw ValidationError("name a pipeline or a database (--db): phasecast report nightly, or --db fleet.db")
        }
        if list && (runID != nil || out != nil || json) {
            throw ValidationError("--list shows the stored reports; it takes no --run, --out or --json")
        }
        if json && out != nil { throw ValidationError("--json prints to standard output; it takes no --out") }
        if let runID, runID < 1 { throw ValidationError("--run must be a run id (phasecast report --list shows them)") }
    }

    func run() throws {
        do {
            var database = db
            var pipelineName: String?
            var reportsFolder: String?
            if let pipeline {
                let (text, file) = try RunCommand.load(pipeline)
                let config = try PipelineConfig.parse(text, file: file)
                database = database ?? config.database
                pipelineName = config.name
                reportsFolder = config.reports
            }
            guard let database, FileManager.default.fileExists(atPath: database) else {
                throw CommandError(message: "\(database ?? "phasecast.db"): no such database", status: .noInput)
            }
            let connection = try Connection(path: database, readOnly: true)
            connection.setBusyTimeout(milliseconds: 10_000)
            if list {
                Console.output(Self.table(try ReportSnapshot.list(in: connection, pipeline: pipelineName)))
                return
            }
            if json {
                let stored = try ReportSnapshot.stored(from: connection, runID: runID, pipeline: pipelineName)
                Console.output(String(decoding: stored.json, as: UTF8.self) + "\n")
                return
            }
            let (entry, input) = try ReportSnapshot.load(from: connection, runID: runID, pipeline: pipelineName)
            let folder: String
            if let out {
                folder = out
            } else if let reportsFolder {
                folder = "\(reportsFolder)/\(input.pipeline)/\(CalendarDay.format(input.asOfDay))"
            } else if let stored = entry.directory {
                folder = stored
            } else {
                throw CommandError(
                    message: "run \(entry.runID) recorded no report folder; say where to write it with --out",
                    status: .usage)
            }
            try ReportStage.write(input, into: folder)
            Console.output("\(folder)/capacity.md\n\(folder)/capacity.html\n")
        } catch {
            throw fail(error)
        }
    }

    /// The stored reports as a Markdown table.
    static func table(_ entries: [ReportSnapshot.Entry]) -> String {
        guard !entries.isEmpty else {
            return "No stored report: phasecast run stores one when it reaches the report stage.\n"
        }
        var text = "| run | pipeline | as of | finished | exit | folder |\n|---:|---|---|---|---:|---|\n"
        for e in entries {
            text +=
                "| \(e.runID) | \(e.pipeline) | \(CalendarDay.format(e.asOfDay)) | \(e.finishedAt ?? "–") | \(e.exitCode.map(String.init) ?? "–") | \(e.directory ?? "–") |\n"
        }
        return text
    }
}
