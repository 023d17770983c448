/// How often a series has a value.
public enum Frequency: String, Sendable, CaseIterable {
    case daily = "D"
    case hourly = "H"

    /// Default seasonal periods: weekly for days (and yearly once two years exist), daily and
    /// weekly for hours.
    public func defaultSeasons(length: Int) -> [Int] {
        switch self {
        case .daily: length >= 2 * 365 + 14 ? [7, 365] : [7]
        case .hourly: [24, 168]
        }
    }
}

/// The methods phasecast chooses among, by name.
public enum MethodCatalog {
    /// Every method suited to the frequency and seasons.
    public static func methods(frequency: Frequency, seasons: [Int], events: Set<Int> = []) -> [ForecastMethod] {
        let primary = seasons.first ?? 1
        let longest = seasons.max() ?? 1
        switch frequency {
        case .hourly:
            var methods: [ForecastMethod] = [.seasonalNaive(primary)]
            if longest != primary { methods.append(.seasonalNaive(longest)) }
            methods.append(.seasonalMean(longest, seasons: 3))
            // The trend of hourly data is read from its last weeks.
            methods.append(.mstl(seasons, window: max(4 * longest, 60)))
            methods.append(.theta(primary))
            methods.append(.fourier(seasons.map { (Double($0), $0 >= 168 ? 5 : 8) }, logScale: false, events: events))
            return methods
        case .daily:
            let fourierTerms = seasons.map { (Double($0 == 365 ? 365.25 : Double($0)), $0 >= 365 ? 10 : 3) }
            return [
                .ets(primary), .theta(primary), .mstl(seasons), .seasonalNaive(primary),
                .seasonalMean(primary, seasons: 4),
                .fourier(fourierTerms, logScale: false, events: events),
            ]
        }
    }

    /// The methods the automatic choice backtests. For days: ETS, Theta and MSTL (the
    /// regression joins them when event days are given); more candidates made the choice noisier
    /// and the forecasts worse on the benchmark's daily series. For hours: all of them.
    public static func automatic(frequency: Frequency, seasons: [Int], events: Set<Int> = []) -> [ForecastMethod] {
        let all = methods(frequency: frequency, seasons: seasons, events: events)
        switch frequency {
        case .hourly: return all
        case .daily:
            let names: Set<String> = events.isEmpty ? ["ETS", "Theta", "MSTL"] : ["ETS", "Theta", "MSTL", "Fourier"]
            return all.filter { names.contains($0.name) }
        }
    }

    /// The method the automatic choice keeps unless another backtests clearly better. For days,
    /// Theta: the most accurate on average on the daily benchmark, where picking by three
    /// windows alone swapped it for methods that then did worse. For hours none: the best
    /// backtest wins.
    public static func incumbent(frequency: Frequency) -> String? {
        switch frequency {
        case .daily: "Theta"
        case .hourly: nil
        }
    }
}
