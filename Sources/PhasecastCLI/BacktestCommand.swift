import ArgumentParser
import Forecasting
import Foundation
import PhasecastCore
import Stages

/// `phasecast backtest`: rolling-origin forecasts of series, scored.
struct BacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Backtest forecasting methods on series by rolling origin, and score them.",
        discussion: """
            Window k (k = 0 is the last) trains on the first n − H − k·S points and forecasts the next H. The \
            output has one row per series, window, period and model: unique_id, cutoff (the last training \
            period), ds, yhat, lo80, hi80, lo95, hi95, model. A Markdown table of MASE (scaled by the first \
            season), sMAPE and interval coverage per model goes to standard output, then the coverage per quarter of \
            the horizon. With --models auto the series of one origin are forecast as one pool, as a database's \
            series are: a method's skill across them weighs on each series' choice.

            Example: phasecast backtest --series gpu_hours.csv --freq D --horizon 28 --windows 4 --out backtest.csv
            """)

    @OptionGroup var options: SeriesOptions

    @Option(help: "Rolling origins.")
    var windows: Int = 1

    @Option(help: ArgumentHelp("Periods between origins (default: the horizon).", valueName: "S"))
    var step: Int?

    func validate() throws {
        try options.validateSeries()
        guard options.series != nil else { throw ValidationError("--series FILE is required") }
        guard options.out != nil else { throw ValidationError("--out FILE is required") }
        guard Int(options.horizon(forDatabase: false)).map({ $0 > 0 }) == true else {
            throw ValidationError("--horizon must be a positive number of periods")
        }
        guard windows >= 1 else { throw ValidationError("--windows must be at least 1") }
        if let step, step < 1 { throw ValidationError("--step must be at least 1") }
    }

    func run() throws {
        guard let frequency = options.frequency, let h = Int(options.horizon(forDatabase: false)),
            let path = options.series,
            let out = options.out
        else { throw ValidationError("--series, --out, --freq and --horizon are required") }
        let file: SeriesFile
        do { file = try SeriesFile.read(path: path, frequency: frequency) } catch { throw fail(error) }
        let started = Date()
        let cpuStart = processCPUSeconds()
        let selection = try options.selection(
            frequency: frequency, seasons: options.seasons(length: file.series.first?.values.count ?? 0))
        let backtest = SeriesBacktest(horizon: h, windows: windows, step: step ?? h, frequency: frequency)
        let outcome = backtest.run(file, seasons: { options.seasons(length: $0) }, selection: selection)
        let cpu = processCPUSeconds() - cpuStart
        let seconds = Date().timeIntervalSince(started)
        var text = ForecastRow.header + "\n"
        for row in outcome.rows { text += row.csv + "\n" }
        do {
            try text.write(toFile: out, atomically: true, encoding: .utf8)
        } catch {
            throw fail(CommandError(message: "\(out): \(error.localizedDescription)", status: .ioError))
        }
        var table = "| model | series × windows | MASE | sMAPE | Cov80 | Cov95 |\n|---|---:|---:|---:|---:|---:|\n"
        for (label, s) in outcome.scores {
            let n = Double(max(s.windows, 1))
            table +=
                "| \(label) | \(s.windows) | " + String(format: "%.3f", s.mase / n) + " | "
                + String(format: "%.2f", s.smape / n)
            table += " | " + String(format: "%.3f", Double(s.covered80) / Double(max(s.points, 1)))
            table += " | " + String(format: "%.3f", Double(s.covered95) / Double(max(s.points, 1))) + " |\n"
        }
        table += "\nInterval coverage by quarter of the horizon (nominal 0.80 / 0.95):\n\n| model |"
        for bucket in 0..<4 { table += " periods \(SeriesBacktest.Score.bucketLabel(bucket, horizon: h)) |" }
        table += "\n|---|" + String(repeating: "---:|", count: 4) + "\n"
        for (label, s) in outcome.scores {
            table += "| \(label) |"
            for bucket in 0..<4 {
                let points = Double(max(s.bucketPoints[bucket], 1))
                table += String(
                    format: " %.3f / %.3f |", Double(s.bucketCovered80[bucket]) / points,
                    Double(s.bucketCovered95[bucket]) / points)
            }
            table += "\n"
        }
        if !outcome.chosen.isEmpty {
            table +=
                "\nauto chose: "
                + outcome.chosen.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.key) \($0.value)" }
                .joined(separator: ", ")
                + "\n"
        }
        table += String(
            format: "\n%d series × windows in %.2f s wall, %.2f s CPU (%.1f ms CPU a series-window)\n", outcome.jobs,
            seconds, cpu, 1000 * cpu / Double(max(outcome.jobs, 1)))
        Console.output(table)
    }
}
