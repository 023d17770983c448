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
            backtest errors, and the series of one run (a database's, or a file's) are forecast as one pool that \
            shares its evidence. Partial days at either end of the history are left out, and the run says so. \
            The horizon defaults to 90 days with --db and to 28 periods with --series.

            Examples:
              phasecast forecast --db fleet.db --horizon 13w --events holidays.csv
              phasecast forecast --series gpu_hours.csv --freq H --horizon 48 --season 24,168 --out forecast.csv
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
            guard Int(options.horizon(forDatabase: false)).map({ $0 > 0 }) == true else {
                throw ValidationError("--horizon must be a positive number of periods")
            }
        } else {
            guard CalendarDay.duration(options.horizon(forDatabase: true)) != nil else {
                throw ValidationError("--horizon must be like 90d, 12w or 90 (days)")
            }
        }
        if let events, !FileManager.default.fileExists(atPath: events) {
            throw ValidationError("--events \(events): no such file")
        }
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
                    connection: connection, horizonDays: CalendarDay.duration(options.horizon(forDatabase: true)) ?? 90,
                    eventDays: try eventDays()
                ).run()
                Console.error(outcome.summary)
                if outcome.unusableSeries > 0 { throw ExitCode(ExitStatus.dataError.rawValue) }
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
        guard let frequency = options.frequency, let h = Int(options.horizon(forDatabase: false)),
            let path = options.series,
            let out = options.out
        else { throw ValidationError("--series, --out, --freq and --horizon are required") }
        let file = try SeriesFile.read(path: path, frequency: frequency)
        let selection = try options.selection(
            frequency: frequency, seasons: options.seasons(length: file.series.first?.values.count ?? 0))
        let forecast = SeriesForecast(horizon: h, frequency: frequency, eventDays: try eventDays()).run(
            file, seasons: { options.seasons(length: $0) }, selection: selection)
        var text = ForecastRow.header + "\n"
        for row in forecast.rows { text += row.csv + "\n" }
        do {
            try text.write(toFile: out, atomically: true, encoding: .utf8)
        } catch {
            throw CommandError(message: "\(out): \(error.localizedDescription)", status: .ioError)
        }
        var table = "| unique_id | model | method | backtest MASE | notes |\n|---|---|---|---:|---|\n"
        for choice in forecast.choices {
            let mase = choice.backtestMASE.map { String(format: "%.3f", $0) } ?? "–"
            let notes = choice.notes.joined(separator: "; ").replacingOccurrences(of: "|", with: "/")
            table += "| \(choice.series) | \(choice.label) | \(choice.method) | \(mase) | \(notes) |\n"
        }
        Console.output(table)
        for series in file.series where series.filled > 0 {
            Console.error("note: \(series.id): \(series.filled) missing periods were interpolated")
        }
        Console.error("forecast: \(file.series.count) series, \(h) periods → \(out)")
    }
}
