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
            season), sMAPE and interval coverage per model goes to standard output.
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
        guard Int(options.horizon).map({ $0 > 0 }) == true else {
            throw ValidationError("--horizon must be a positive number of periods")
        }
        guard windows >= 1 else { throw ValidationError("--windows must be at least 1") }
        if let step, step < 1 { throw ValidationError("--step must be at least 1") }
    }

    struct Score {
        var mase = 0.0
        var smape = 0.0
        var covered80 = 0
        var covered95 = 0
        var points = 0
        var windows = 0
    }

    func run() throws {
        let frequency = options.frequency!
        let h = Int(options.horizon)!
        let stride = step ?? h
        let file: SeriesFile
        do { file = try SeriesFile.read(path: options.series!, frequency: frequency) } catch { throw fail(error) }
        let started = Date()
        let cpuStart = processCPUSeconds()
        // One job per series and window.
        var jobs: [(series: Int, window: Int)] = []
        for (index, series) in file.series.enumerated() {
            for k in Swift.stride(from: windows - 1, through: 0, by: -1) where series.values.count - h - k * stride >= 2
            {
                jobs.append((index, k))
            }
        }
        let seasonsBySeries = file.series.map { options.seasons(length: $0.values.count) }
        let selection = try options.selection(frequency: frequency, seasons: seasonsBySeries.first ?? [7])
        let outputs = parallelMap(jobs.count) {
            j -> [(label: String, rows: [ForecastRow], score: Score, chosen: String)] in
            let series = file.series[jobs[j].series]
            let seasons = seasonsBySeries[jobs[j].series]
            let trainCount = series.values.count - h - jobs[j].window * stride
            let train = Array(series.values[..<trainCount])
            let actual = Array(series.values[trainCount..<(trainCount + h)])
            let cutoff = SeriesFile.format(series.stamps[trainCount - 1], frequency)
            let scale = AutoForecaster.scale(train, season: seasons.first ?? 1)
            return runMethods(train, h: h, frequency: frequency, seasons: seasons, selection: selection).map {
                label, result in
                var score = Score()
                var rows: [ForecastRow] = []
                for k in 0..<h {
                    rows.append(
                        ForecastRow(
                            id: series.id, cutoff: cutoff,
                            ds: SeriesFile.format(series.stamps[trainCount + k], frequency),
                            yhat: result.point[k], lo80: result.lower80[k], hi80: result.upper80[k],
                            lo95: result.lower95[k],
                            hi95: result.upper95[k], model: label))
                    let y = actual[k]
                    let f = result.point[k]
                    let denominator = abs(y) + abs(f)
                    score.smape += denominator > 0 ? 200 * abs(y - f) / denominator / Double(h) : 0
                    score.mase += abs(y - f) / scale / Double(h)
                    if y >= result.lower80[k] && y <= result.upper80[k] { score.covered80 += 1 }
                    if y >= result.lower95[k] && y <= result.upper95[k] { score.covered95 += 1 }
                    score.points += 1
                }
                score.windows = 1
                return (label, rows, score, result.model)
            }
        }
        let cpu = processCPUSeconds() - cpuStart
        let seconds = Date().timeIntervalSince(started)
        var text = ForecastRow.header + "\n"
        var scores: [String: Score] = [:]
        var order: [String] = []
        var chosen: [String: Int] = [:]
        for output in outputs {
            for entry in output {
                for row in entry.rows { text += row.csv + "\n" }
                if scores[entry.label] == nil { order.append(entry.label) }
                var total = scores[entry.label] ?? Score()
                total.mase += entry.score.mase
                total.smape += entry.score.smape
                total.covered80 += entry.score.covered80
                total.covered95 += entry.score.covered95
                total.points += entry.score.points
                total.windows += 1
                scores[entry.label] = total
                if entry.label == "auto" { chosen[entry.chosen, default: 0] += 1 }
            }
        }
        do {
            try text.write(toFile: options.out!, atomically: true, encoding: .utf8)
        } catch {
            throw fail(CommandError(message: "\(options.out!): \(error.localizedDescription)", status: .ioError))
        }
        var table = "| model | series × windows | MASE | sMAPE | Cov80 | Cov95 |\n|---|---:|---:|---:|---:|---:|\n"
        for label in order {
            let s = scores[label]!
            let n = Double(max(s.windows, 1))
            table +=
                "| \(label) | \(s.windows) | " + String(format: "%.3f", s.mase / n) + " | "
                + String(format: "%.2f", s.smape / n)
            table += " | " + String(format: "%.3f", Double(s.covered80) / Double(max(s.points, 1)))
            table += " | " + String(format: "%.3f", Double(s.covered95) / Double(max(s.points, 1))) + " |\n"
        }
        if !chosen.isEmpty {
            table +=
                "\nauto chose: "
                + chosen.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "\n"
        }
        table += String(
            format: "\n%d series × windows in %.2f s wall, %.2f s CPU (%.1f ms CPU a series-window)\n", jobs.count,
            seconds, cpu, 1000 * cpu / Double(max(jobs.count, 1)))
        Console.output(table)
    }
}
