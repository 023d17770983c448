import ArgumentParser
import Forecasting
import Foundation
import PhasecastCore
import Stages
import Store

/// `phasecast forecast`: forecasts of series files, or of a database's GPU-hours per phase.
struct ForecastCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forecast",
        abstract: "Forecast series, or a database's daily GPU-hours, tokens and peak hour per phase.",
        discussion: """
            With --series: forecasts each series H periods past its end (cutoff = the last observed period) and \
            writes unique_id, cutoff, ds, yhat, lo80, hi80, lo95, hi95, model. With --db: forecasts daily prefill \
            and decode GPU-hours and tokens and the daily peak hour, per model and for all models, from the marts \
            of `phasecast transform`; stores them behind the view v_forecasts, one run per cutoff day and horizon \
            (every run is kept; the same history again reuses the stored run). Each series' \
            method is chosen by a rolling-origin backtest on the series itself; intervals are calibrated on the \
            backtest errors. Partial days at either end of the history are left out, and the run says so.
            """)

    @OptionGroup var options: SeriesOptions

    @Option(help: ArgumentHelp("SQLite database whose marts to forecast.", valueName: "path"))
    var db: String?

    @Option(
        help: ArgumentHelp(
            "Dates of holidays or events (one YYYY-MM-DD a line, past and future), for the regression method.",
            valueName: "file"))
    var events: String?

    @Option(
        help: ArgumentHelp(
            "Wait up to this long for another run holding the database, instead of exiting 75.", valueName: "seconds"))
    var wait: Double = 0

    func validate() throws {
        guard (options.series == nil) != (db == nil) else {
            throw ValidationError("give either --series FILE or --db PATH")
        }
        if options.series != nil {
            try options.validateSeries()
            guard options.out != nil else { throw ValidationError("--out FILE is required with --series") }
            guard Int(options.horizon).map({ $0 > 0 }) == true else {
                throw ValidationError("--horizon must be a positive number of periods")
            }
        } else {
            guard Self.days(options.horizon) != nil else {
                throw ValidationError("--horizon must be like 90d, 12w or 90 (days)")
            }
        }
        if let events, !FileManager.default.fileExists(atPath: events) {
            throw ValidationError("--events \(events): no such file")
        }
    }

    /// `90d`, `12w`, `90` → days.
    static func days(_ text: String) -> Int? {
        let lower = text.lowercased().trimmingCharacters(in: .whitespaces)
        if lower.hasSuffix("d"), let n = Int(lower.dropLast()), n > 0 { return n }
        if lower.hasSuffix("w"), let n = Int(lower.dropLast()), n > 0 { return n * 7 }
        if let n = Int(lower), n > 0 { return n }
        return nil
    }

    func run() throws {
        do {
            if let db {
                let lock = try RunLock(databasePath: db, waitSeconds: wait)
                defer { withExtendedLifetime(lock) {} }
                let connection = try Connection(path: db)
                connection.setBusyTimeout(milliseconds: 30_000)
                try Migrator.migrate(connection)
                let outcome = try ForecastStage(
                    connection: connection, horizonDays: Self.days(options.horizon) ?? 90, eventDays: try eventDays()
                ).run()
                Console.error(outcome.summary)
            } else {
                try forecastSeries()
            }
        } catch let error as ExitCode {
            throw error
        } catch let error as ValidationError {
            throw error
        } catch {
            throw fail(error)
        }
    }

    /// Days since the epoch of the events file's dates.
    func eventDays() throws -> Set<Int64> {
        guard let events else { return [] }
        return try EventDates.read(path: events)
    }

    func forecastSeries() throws {
        let frequency = options.frequency!
        let h = Int(options.horizon)!
        let file = try SeriesFile.read(path: options.series!, frequency: frequency)
        let step = frequency == .daily ? UTCTime.microsPerDay : UTCTime.microsPerHour
        let events = try eventDays()
        let selection = try options.selection(
            frequency: frequency, seasons: options.seasons(length: file.series.first?.values.count ?? 0))
        let outputs = parallelMap(file.series.count) { index -> (rows: [ForecastRow], choices: [String]) in
            let series = file.series[index]
            let seasons = options.seasons(length: series.values.count)
            let last = series.stamps[series.stamps.count - 1]
            let cutoff = SeriesFile.format(last, frequency)
            var rows: [ForecastRow] = []
            var choices: [String] = []
            let eventIndexes = Set(
                events.compactMap { day -> Int? in
                    let offset = (day * UTCTime.microsPerDay - series.stamps[0]) / step
                    return offset >= 0 ? Int(offset) : nil
                })
            for (label, result) in runMethods(
                series.values, h: h, frequency: frequency, seasons: seasons, selection: selection, events: eventIndexes)
            {
                let mase = result.backtestMASE.map { String(format: "%.3f", $0) } ?? "–"
                let notes = result.notes.joined(separator: "; ").replacingOccurrences(of: "|", with: "/")
                choices.append("| \(series.id) | \(label) | \(result.model) | \(mase) | \(notes) |")
                for k in 0..<h {
                    rows.append(
                        ForecastRow(
                            id: series.id, cutoff: cutoff, ds: SeriesFile.format(last + Int64(k + 1) * step, frequency),
                            yhat: result.point[k], lo80: result.lower80[k], hi80: result.upper80[k],
                            lo95: result.lower95[k],
                            hi95: result.upper95[k], model: label))
                }
            }
            return (rows, choices)
        }
        var text = ForecastRow.header + "\n"
        for output in outputs { for row in output.rows { text += row.csv + "\n" } }
        do {
            try text.write(toFile: options.out!, atomically: true, encoding: .utf8)
        } catch {
            throw CommandError(message: "\(options.out!): \(error.localizedDescription)", status: .ioError)
        }
        var table = "| unique_id | model | method | backtest MASE | notes |\n|---|---|---|---:|---|\n"
        for output in outputs { for line in output.choices { table += line + "\n" } }
        Console.output(table)
        let filled = file.series.filter { $0.filled > 0 }
        for series in filled {
            Console.error("note: \(series.id): \(series.filled) missing periods were interpolated")
        }
        Console.error("forecast: \(file.series.count) series, \(h) periods → \(options.out!)")
    }
}
