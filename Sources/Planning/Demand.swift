import Foundation
import PhasecastCore

/// Forecast busy GPU-hours of one phase on one day, with its prediction interval.
public struct DailyDemand: Sendable, Equatable, Codable {
    /// Days since the epoch.
    public var day: Int64
    public var median: Double
    public var lower80: Double
    public var upper80: Double
    public var lower95: Double
    public var upper95: Double

    public init(day: Int64, median: Double, lower80: Double, upper80: Double, lower95: Double, upper95: Double) {
        self.day = day
        self.median = median
        self.lower80 = lower80
        self.upper80 = upper80
        self.lower95 = lower95
        self.upper95 = upper95
    }

    /// A day whose demand is known: every quantile is the value.
    public init(day: Int64, actual: Double) {
        self.init(day: day, median: actual, lower80: actual, upper80: actual, lower95: actual, upper95: actual)
    }

    /// The demand at quantile 50, 90 or 95. P90 is the upper bound of the central 80 % interval;
    /// P95 lies between it and the upper 95 % bound (the 97.5th percentile), interpolated where a
    /// normal distribution would put it: (z.95 − z.90) ÷ (z.975 − z.90) = 0.5355 of the way.
    public func quantile(_ q: Int) -> Double {
        switch q {
        case 50: median
        case 90: upper80
        case 95: upper80 + Self.p95Position * (upper95 - upper80)
        default: median
        }
    }

    public static let p95Position = (1.644_854 - 1.281_552) / (1.959_964 - 1.281_552)

    /// Weekday, 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday).
    public var weekday: Int { Int(((day % 7) + 7 + 3) % 7) }
}

/// How a phase's busy GPU-time is spread within a day and within its busiest hour, measured from
/// the minute rollups: the one model of arrival variability the headroom stack uses.
///
/// - `peakFactor`: the hour-of-week profile's busiest hour against the day's mean hour, by
///   weekday (the profile averages each hour's share over the weeks first, so that noise in
///   single hours does not pile up as it does in a mean of daily maxima).
/// - `minuteVariation`: the relative standard deviation of the minute arrival rate around its
///   hour's mean, with the Poisson part removed: measured on the logged request counts, whose
///   variance a Poisson stream makes equal to their mean (the index of dispersion), so what
///   remains is burstiness a larger fleet still sees, where the Poisson part of a small or
///   sampled log shrinks with scale.
/// - `secondsPerArrival`: E[s²] ÷ E[s] of the GPU-seconds s of one request, so that a pool busy
///   with μ GPUs has a Poisson relative variance of `secondsPerArrival ÷ (60 μ)` per minute.
public struct IntradayShape: Sendable, Equatable, Codable {
    public var peakFactor: [Double]
    public var minuteVariation: Double
    public var secondsPerArrival: Double
    /// Busiest minute ÷ busiest hour as observed, Poisson noise included: what the earlier
    /// headroom stack multiplied by, kept for the plan backtest's comparison.
    public var observedBurst: Double
    /// Days the factors were measured on.
    public var days: Int

    public init(
        peakFactor: [Double], minuteVariation: Double, secondsPerArrival: Double = 0, observedBurst: Double = 1,
        days: Int
    ) {
        self.peakFactor = peakFactor
        self.minuteVariation = max(minuteVariation, 0)
        self.secondsPerArrival = max(secondsPerArrival, 0)
        self.observedBurst = max(observedBurst, 1)
        self.days = days
    }

    /// No measurement: flat days, no variation.
    public static let flat = IntradayShape(peakFactor: Array(repeating: 1, count: 7), minuteVariation: 0, days: 0)

    /// One minute of one model's phase, as the rollups hold it.
    public struct Minute: Sendable, Equatable {
        /// Minutes since the epoch in the rollups' time zone.
        public var minute: Int64
        /// Busy GPU-seconds of the requests that arrived in the minute (scaled to the whole traffic).
        public var gpuSeconds: Double
        /// Σ s² of those requests' GPU-seconds at the whole traffic's scale (approximated from the
        /// token counts' second moment, s taken proportional to the tokens).
        public var squaredSeconds: Double
        /// Requests logged in the minute (before any sample-rate scaling): the counts whose
        /// dispersion measures the minute variation.
        public var loggedRequests: Double
        /// 1 in how many requests were logged.
        public var sampleRate: Double

        public init(
            minute: Int64, gpuSeconds: Double, squaredSeconds: Double, loggedRequests: Double, sampleRate: Double = 1
        ) {
            self.minute = minute
            self.gpuSeconds = gpuSeconds
            self.squaredSeconds = squaredSeconds
            self.loggedRequests = loggedRequests
            self.sampleRate = max(sampleRate, 1)
        }
    }

    /// Measures the shape from the minutes of `wholeDays` (days since the epoch, local): a
    /// minute without a row had no requests. No day with traffic: `flat`.
    public static func measure(_ minutes: [Minute], wholeDays: Set<Int64>) -> IntradayShape {
        var hours: [Int64: [Minute]] = [:]
        var dayTotals: [Int64: Double] = [:]
        for m in minutes {
            let day = m.minute.floorDivided(by: 1440)
            guard wholeDays.contains(day) else { continue }
            hours[m.minute.floorDivided(by: 60), default: []].append(m)
            dayTotals[day, default: 0] += m.gpuSeconds
        }
        let busyDays = dayTotals.filter { $0.value > 0 }
        guard !busyDays.isEmpty else { return .flat }
        // Hour-of-week profile: each hour's share of its day × 24, averaged per weekday and hour.
        var shareSums = Array(repeating: Array(repeating: 0.0, count: 24), count: 7)
        var dayCounts = Array(repeating: 0, count: 7)
        for (day, _) in busyDays { dayCounts[DailyDemand(day: day, actual: 0).weekday] += 1 }
        var variance = 0.0
        var meanSquares = 0.0
        var squared = 0.0
        var seconds = 0.0
        var bursts: [Double] = []
        var peakHour: [Int64: (hourSeconds: Double, minuteSeconds: Double)] = [:]
        for (hour, rows) in hours {
            let day = hour.floorDivided(by: 24)
            guard let total = busyDays[day] else { continue }
            let hourSeconds = rows.reduce(0) { $0 + $1.gpuSeconds }
            let weekday = DailyDemand(day: day, actual: 0).weekday
            shareSums[weekday][Int(hour - day * 24)] += hourSeconds / (total / 24)
            // Within the hour: the variance of the 60 minutes' logged counts around their mean,
            // less the mean (a Poisson stream's variance), relative to the mean squared.
            let mean = rows.reduce(0) { $0 + $1.loggedRequests } / 60
            var sumSquares = rows.reduce(0) { $0 + ($1.loggedRequests - mean) * ($1.loggedRequests - mean) }
            sumSquares += Double(60 - rows.count) * mean * mean
            variance += sumSquares / 59 - mean  // clipped at 0 only in total: unbiased
            meanSquares += mean * mean
            squared += rows.reduce(0) { $0 + $1.squaredSeconds }
            seconds += hourSeconds
            let busiestMinute = rows.map(\.gpuSeconds).max() ?? 0
            if let current = peakHour[day], current.hourSeconds >= hourSeconds { continue }
            peakHour[day] = (hourSeconds, busiestMinute)
        }
        for (_, peak) in peakHour where peak.hourSeconds > 0 {
            bursts.append(max(1, peak.minuteSeconds * 60 / peak.hourSeconds))
        }
        let profile = (0..<7).map { weekday -> [Double] in
            dayCounts[weekday] == 0 ? [] : shareSums[weekday].map { $0 / Double(dayCounts[weekday]) }
        }
        let known = profile.filter { !$0.isEmpty }
        let overall = (0..<24).map { hour in known.reduce(0) { $0 + $1[hour] } / Double(max(known.count, 1)) }
        let peak = profile.map { ($0.isEmpty ? overall : $0).max() ?? 1 }
        return IntradayShape(
            peakFactor: peak.map { max($0, 1) },
            minuteVariation: meanSquares > 0 ? (max(0, variance) / meanSquares).squareRoot() : 0,
            secondsPerArrival: seconds > 0 ? squared / seconds : 0,
            observedBurst: bursts.isEmpty ? 1 : bursts.reduce(0, +) / Double(bursts.count),
            days: busyDays.count)
    }
}

extension Int64 {
    /// Division rounding toward minus infinity (days and hours before 1970 stay whole).
    func floorDivided(by divisor: Int64) -> Int64 {
        let q = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? q - 1 : q
    }
}
