import Foundation

/// The plan's own ledger: earlier plans replayed against the minute demand that followed them,
/// beside a reactive planner and beside the headroom stack with one allowance taken out at a time.
public struct PlanBacktest: Sendable, Equatable, Codable {
    /// One planner's replay of one cutoff and horizon.
    public struct Replay: Sendable, Equatable, Codable {
        public var cutoffDay: Int64
        public var horizon: Horizon
        /// Whole days replayed (the horizon's days that have happened).
        public var days: Int
        /// `phasecast`, a variant of it (`without minute variation`, …) or `reactive`.
        public var planner: String
        public var totals: LedgerTotals
        /// GPUs paid for: the plan's (before node rounding), or the reactive planner's mean.
        public var gpus: Double

        public init(
            cutoffDay: Int64, horizon: Horizon, days: Int, planner: String, totals: LedgerTotals, gpus: Double
        ) {
            self.cutoffDay = cutoffDay
            self.horizon = horizon
            self.days = days
            self.planner = planner
            self.totals = totals
            self.gpus = gpus
        }
    }

    public var replays: [Replay]
    public var quantile: Int
    /// Minutes between the reactive planner's decisions.
    public var reactiveIntervalMinutes: Int

    /// Whether some replayed minutes come from sampled logs (their noise rescaled to the whole
    /// traffic's, `PlanLedger.wholeTrafficMinutes`).
    public var sampledLogs: Bool

    public init(replays: [Replay], quantile: Int, reactiveIntervalMinutes: Int, sampledLogs: Bool = false) {
        self.sampledLogs = sampledLogs
        self.replays = replays
        self.quantile = quantile
        self.reactiveIntervalMinutes = reactiveIntervalMinutes
    }

    /// Cutoffs with fewer whole days after them than this are not replayed.
    public static let minimumDays = 7

    /// The plan as the report sizes it.
    public static let phasecast = "phasecast"
    /// The reactive baseline.
    public static let reactive = "reactive"

    /// The stack variants replayed beside the full one, each with the allowance it removes.
    public static let variants: [(name: String, model: HeadroomModel)] = {
        var noMinute = HeadroomModel()
        noMinute.minuteVariation = false
        var noForecast = HeadroomModel()
        noForecast.forecastSpread = false
        var noCost = HeadroomModel()
        noCost.costSpread = false
        return [
            ("without minute variation and arrival noise", noMinute),
            ("without forecast spread", noForecast),
            ("without cost-model spread", noCost),
            ("previous stack: quantile × peak × observed burst × cost ÷ M/D/1 cap", .previous),
        ]
    }()

    /// Cutoffs replayed, newest first.
    public var cutoffs: [Int64] { Array(Set(replays.map(\.cutoffDay))).sorted(by: >) }

    /// Totals of one planner and horizon over every cutoff.
    public func total(planner: String, horizon: String) -> (totals: LedgerTotals, cutoffs: Int) {
        var totals = LedgerTotals()
        var cutoffs = 0
        for replay in replays where replay.planner == planner && replay.horizon.key == horizon {
            totals.add(replay.totals)
            cutoffs += 1
        }
        return (totals, cutoffs)
    }
}
