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

/// How a phase's busy GPU-time is spread within a day, measured from the hourly and minute
/// rollups: the busiest hour against the day's mean hour, by weekday, and the busiest minute
/// against the busiest hour.
public struct IntradayShape: Sendable, Equatable, Codable {
    /// Peak-hour busy GPUs ÷ mean busy GPUs of the day, by weekday (0 = Monday).
    public var peakFactor: [Double]
    /// Peak-minute token rate ÷ peak-hour token rate.
    public var burstFactor: Double
    /// Days the factors were measured on.
    public var days: Int

    public init(peakFactor: [Double], burstFactor: Double, days: Int) {
        self.peakFactor = peakFactor
        self.burstFactor = burstFactor
        self.days = days
    }

    /// One measured day.
    public struct Day: Sendable, Equatable {
        public var day: Int64
        public var gpuHours: Double
        public var peakHourGPUHours: Double
        public var peakMinuteRate: Double
        public var peakHourRate: Double

        public init(
            day: Int64, gpuHours: Double, peakHourGPUHours: Double, peakMinuteRate: Double, peakHourRate: Double
        ) {
            self.day = day
            self.gpuHours = gpuHours
            self.peakHourGPUHours = peakHourGPUHours
            self.peakMinuteRate = peakMinuteRate
            self.peakHourRate = peakHourRate
        }
    }

    /// Means over the days with traffic: of each weekday's peak factor (a weekday without data
    /// takes the mean of all days), and of the burst factor. No day with traffic: 1 and 1.
    public static func measure(_ days: [Day]) -> IntradayShape {
        let busy = days.filter { $0.gpuHours > 0 && $0.peakHourGPUHours > 0 }
        guard !busy.isEmpty else {
            return IntradayShape(peakFactor: Array(repeating: 1, count: 7), burstFactor: 1, days: 0)
        }
        func factor(_ d: Day) -> Double { d.peakHourGPUHours / (d.gpuHours / 24) }
        let overall = busy.map(factor).reduce(0, +) / Double(busy.count)
        let peak = (0..<7).map { weekday -> Double in
            let same = busy.filter { DailyDemand(day: $0.day, actual: 0).weekday == weekday }
            return same.isEmpty ? overall : same.map(factor).reduce(0, +) / Double(same.count)
        }
        let bursts = busy.filter { $0.peakHourRate > 0 && $0.peakMinuteRate > 0 }.map {
            max(1, $0.peakMinuteRate / $0.peakHourRate)
        }
        let burst = bursts.isEmpty ? 1 : bursts.reduce(0, +) / Double(bursts.count)
        return IntradayShape(peakFactor: peak, burstFactor: burst, days: busy.count)
    }
}
