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

    @Option(help: ArgumentHelp("Forecast horizon in periods (for --db: 90d, 12w or a number of days).", valueName: "h"))
    var horizon: String = "28"

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

/// One line of a forecast file.
struct ForecastRow {
    var id: String
    var cutoff: String
    var ds: String
    var yhat: Double
    var lo80: Double
    var hi80: Double
    var lo95: Double
    var hi95: Double
    var model: String

    static let header = "unique_id,cutoff,ds,yhat,lo80,hi80,lo95,hi95,model"

    var csv: String {
        [
            id, cutoff, ds, Self.number(yhat), Self.number(lo80), Self.number(hi80), Self.number(lo95),
            Self.number(hi95), model,
        ]
        .map { $0.contains(",") ? "\"\($0)\"" : $0 }.joined(separator: ",")
    }

    static func number(_ value: Double) -> String { String(format: "%.10g", value) }
}

/// Runs the selected methods on one training series; returns (label, result) pairs. `events`
/// are indices (in the series and its future) of event days, for the regression method.
func runMethods(
    _ train: [Double], h: Int, frequency: Frequency, seasons: [Int], selection: (auto: Bool, methods: [ForecastMethod]),
    events: Set<Int> = []
) -> [(label: String, result: AutoForecaster.Result)] {
    var results: [(String, AutoForecaster.Result)] = []
    let catalog = MethodCatalog.methods(frequency: frequency, seasons: seasons, events: events)
    if selection.auto {
        let forecaster = AutoForecaster.automatic(frequency: frequency, seasons: seasons, events: events)
        results.append(("auto", forecaster.forecast(train, h: h)))
    }
    for named in selection.methods {
        let method = catalog.first { $0.name == named.name } ?? named
        // A single method still gets backtest-calibrated intervals.
        let forecaster = AutoForecaster(methods: [method], scaleSeason: seasons.first ?? 1, combinations: false)
        results.append((method.name, forecaster.forecast(train, h: h)))
    }
    return results
}

/// Results of a parallel map, written once per index under a lock.
private final class ParallelResults<T>: @unchecked Sendable {
    var values: [T?]
    let lock = NSLock()

    init(count: Int) { values = [T?](repeating: nil, count: count) }

    func set(_ index: Int, _ value: T) {
        lock.lock()
        values[index] = value
        lock.unlock()
    }
}

/// Runs `body` for indices 0..<count on all cores, collecting results in order.
func parallelMap<T>(_ count: Int, _ body: @escaping (Int) -> T) -> [T] {
    let results = ParallelResults<T>(count: count)
    let work = Handoff(body)
    DispatchQueue.concurrentPerform(iterations: count) { index in
        results.set(index, work.value(index))
    }
    return results.values.map { $0! }
}

/// Hands a closure that only reads shared state to concurrent workers.
private struct Handoff<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// CPU seconds used by this process so far.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
        + Double(usage.ru_stime.tv_usec) / 1e6
}
