import ArgumentParser
import Forecasting
import Foundation
import PhasecastCore

/// Options shared by `backtest` and `forecast` on series files.
struct SeriesOptions: ParsableArguments {
    @Option(help: ArgumentHelp("CSV of series: unique_id, ds, y (many series allowed).", valueName: "file"))
    var series: String?

    @Option(help: "Frequency: D (daily) or H (hourly).")
    var freq: String = "D"

    @Option(
        name: .customLong("horizon"),
        help: ArgumentHelp(
            "Forecast horizon: periods of the series (default 28), or with --db days like 90d or 12w (default 90d).",
            valueName: "h"))
    var horizonOption: String?

    @Option(
        help: ArgumentHelp(
            "Seasonal periods, e.g. 7 or 24,168 (default: 7 for D, 365 too with two years; 24,168 for H).",
            valueName: "periods"))
    var season: String?

    @Option(
        help: ArgumentHelp(
            "auto (choose per series by backtest), all (every method and auto), or a comma list of method names.",
            valueName: "models"))
    var models: String = "auto"

    @Option(help: ArgumentHelp("Where to write the forecasts (CSV).", valueName: "file"))
    var out: String?

    var frequency: Frequency? { Frequency(rawValue: freq.uppercased()) }

    /// The horizon as given, or the default: 90 days for a database, 28 periods for series.
    func horizon(forDatabase: Bool) -> String { horizonOption ?? (forDatabase ? "90d" : "28") }

    func seasons(length: Int) -> [Int] {
        guard let season else { return frequency?.defaultSeasons(length: length) ?? [7] }
        return season.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }

    func validateSeries() throws {
        guard frequency != nil else { throw ValidationError("--freq must be D or H (got '\(freq)')") }
        if let season {
            let parsed = season.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !parsed.isEmpty, parsed.allSatisfy({ ($0 ?? 0) >= 1 }) else {
                throw ValidationError("--season must be periods like 7 or 24,168 (got '\(season)')")
            }
        }
    }

    /// The methods to run: "auto" as one entry, or named ones.
    func selection(frequency: Frequency, seasons: [Int]) throws -> (auto: Bool, methods: [ForecastMethod]) {
        let catalog = MethodCatalog.methods(frequency: frequency, seasons: seasons)
        let requested = models.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if requested == ["auto"] { return (true, []) }
        if requested == ["all"] { return (true, catalog) }
        var chosen: [ForecastMethod] = []
        var auto = false
        for name in requested {
            if name.lowercased() == "auto" {
                auto = true
                continue
            }
            // The exact name, or a name without its parameters when only one method has it:
            // "SeasonalMean" for "SeasonalMean(7×4)".
            let exact = catalog.first { $0.name.lowercased() == name.lowercased() }
            let byBase = catalog.filter {
                $0.name.lowercased().split(separator: "(").first.map(String.init) == name.lowercased()
            }
            guard let method = exact ?? (byBase.count == 1 ? byBase[0] : nil) else {
                throw ValidationError(
                    "unknown model '\(name)'; for \(frequency.rawValue) with seasons \(seasons.map(String.init).joined(separator: ",")): auto, all, \(catalog.map(\.name).joined(separator: ", "))"
                )
            }
            chosen.append(method)
        }
        return (auto, chosen)
    }
}
