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
            methods += [.seasonallyAdjustedNaive(primary), .ses(primary)]
            methods.append(.naive)
            // On the log scale: seasons that multiply (a busy weekday's peak hour is higher than
            // a weekend's by a factor, not an amount) and growth that compounds.
            methods.append(.mstl(seasons, logScale: true, window: max(4 * longest, 60)))
            methods.append(.fourier(seasons.map { (Double($0), $0 >= 168 ? 5 : 8) }, logScale: true, events: events))
            return methods
        case .daily:
            let fourierTerms = seasons.map { (Double($0 == 365 ? 365.25 : Double($0)), $0 >= 365 ? 10 : 3) }
            return [
                .ets(primary), .theta(primary), .mstl(seasons), .seasonalNaive(primary),
                .seasonalMean(primary, seasons: 4),
                .fourier(fourierTerms, logScale: false, events: events),
                .arima(primary, yearlyOrder: seasons.contains(365) ? 4 : 0, events: events),
                .seasonallyAdjustedNaive(primary), .ses(primary),
            ]
        }
    }

    /// Whether a history counts as short: under three weeks of hours or eight weeks of days.
    /// Short histories are backtested at more origins, half a horizon apart, and choose among
    /// simple methods too.
    public static func isShort(frequency: Frequency, length: Int) -> Bool {
        switch frequency {
        case .hourly: length < 21 * 24
        case .daily: length < 8 * 7
        }
    }

    /// The methods the automatic choice backtests. For days: Theta and seasonal ARIMA (the
    /// regression joins them when event days are given): Theta was the most accurate on the
    /// benchmark's synthetic daily series, ARIMA the best of the reference forecasters on real
    /// daily traffic, and ETS and MSTL, slower, were never chosen over them there. For hours:
    /// all of them, the seasonally adjusted naive and exponential smoothing included, which win
    /// on noisy short histories.
    public static func automatic(
        frequency: Frequency, seasons: [Int], length: Int = .max, events: Set<Int> = []
    ) -> [ForecastMethod] {
        let all = methods(frequency: frequency, seasons: seasons, events: events)
        switch frequency {
        case .hourly:
            // Short histories leave the log-scale variants out: they followed the noise of
            // two-week histories (and lost to the plain ones there) while winning on long ones.
            guard isShort(frequency: frequency, length: length) else { return all }
            return all.filter { !$0.name.hasSuffix("-log") }
        case .daily:
            let names: Set<String> = events.isEmpty ? ["Theta", "ARIMA"] : ["Theta", "ARIMA", "Fourier"]
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
