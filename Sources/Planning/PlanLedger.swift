import Foundation
import PhasecastCore

/// One model's phase as a plan provisioned it, replayed against the demand that followed.
public struct ReplayPool: Sendable {
    public var model: String
    public var phase: Phase
    public var gpu: String
    public var tp: Int
    /// Busy GPUs per minute of the replay, from its first minute (0 where none arrived).
    public var demand: [Double]
    /// Busy GPUs of the `interval` minutes before the replay (the reactive planner's first look).
    public var before: [Double]
    /// $ per GPU-hour.
    public var pricePerHour: Double
    /// Prefill's queue against the TTFT target (nil: decode, or no service time known).
    public var queue: PrefillQueue?
    /// The highest utilization at which one worker keeps the SLA (the cost model's per-worker
    /// figure; 1 for decode, whose per-GPU rate is already taken at the ITL target).
    public var slaUtilization: Double

    public init(
        model: String, phase: Phase, gpu: String, tp: Int, demand: [Double], before: [Double], pricePerHour: Double,
        queue: PrefillQueue?, slaUtilization: Double
    ) {
        self.model = model
        self.phase = phase
        self.gpu = gpu
        self.tp = max(tp, 1)
        self.demand = demand
        self.before = before
        self.pricePerHour = pricePerHour
        self.queue = queue
        self.slaUtilization = min(max(slaUtilization, 0.01), 1)
    }
}

/// GPUs a pool has in one minute: those serving traffic and those paid for (spares included).
public struct Provision: Sendable, Equatable {
    public var workers: Int
    public var servingGPUs: Int
    public var paidGPUs: Int
}

/// What replaying realized demand against provisioned GPUs found, summed over a fleet's pools.
public struct LedgerTotals: Sendable, Equatable, Codable {
    /// Minutes replayed, and those in which any pool had more busy GPUs than serving GPUs.
    public var minutes = 0
    public var shortMinutes = 0
    /// 15-minute intervals, and those in which any pool's demand exceeded its capacity.
    public var intervals = 0
    public var shortIntervals = 0
    /// Minutes in which any pool missed its SLA: prefill TTFT over target by the M/D/c queue at
    /// that minute's load, decode busy beyond its GPUs (the ITL batch overflows).
    public var slaMinutes = 0
    /// Largest shortfall of one minute, GPUs summed over the pools.
    public var worstShortfallGPUs = 0.0
    public var busyGPUHours = 0.0
    /// Busy GPU-hours beyond the serving GPUs.
    public var unservedGPUHours = 0.0
    public var provisionedGPUHours = 0.0
    /// Paid GPU-hours not busy serving.
    public var idleGPUHours = 0.0
    public var idleDollars = 0.0

    public init() {}

    public var shortMinuteShare: Double { minutes > 0 ? Double(shortMinutes) / Double(minutes) : 0 }
    public var shortIntervalShare: Double { intervals > 0 ? Double(shortIntervals) / Double(intervals) : 0 }
    public var slaMinuteShare: Double { minutes > 0 ? Double(slaMinutes) / Double(minutes) : 0 }
    public var unservedShare: Double { busyGPUHours > 0 ? unservedGPUHours / busyGPUHours : 0 }

    /// Adds another replay's totals (another cutoff).
    public mutating func add(_ other: LedgerTotals) {
        minutes += other.minutes
        shortMinutes += other.shortMinutes
        intervals += other.intervals
        shortIntervals += other.shortIntervals
        slaMinutes += other.slaMinutes
        worstShortfallGPUs = max(worstShortfallGPUs, other.worstShortfallGPUs)
        busyGPUHours += other.busyGPUHours
        unservedGPUHours += other.unservedGPUHours
        provisionedGPUHours += other.provisionedGPUHours
        idleGPUHours += other.idleGPUHours
        idleDollars += other.idleDollars
    }
}

/// Replays minute demand against provisioned GPUs: the plan backtest's arithmetic.
public enum PlanLedger {
    /// Minutes per interval when a replay is scored in intervals.
    public static let scoredIntervalMinutes = 15

    /// Replays `pools`, each provisioned minute by minute by `provision(poolIndex, minute)`.
    public static func replay(_ pools: [ReplayPool], provision: (Int, Int) -> Provision) -> LedgerTotals {
        var totals = LedgerTotals()
        let length = pools.map(\.demand.count).max() ?? 0
        totals.minutes = length
        var intervalDemand = Array(repeating: 0.0, count: pools.count)
        var intervalCapacity = Array(repeating: 0.0, count: pools.count)
        for minute in 0..<length {
            var short = false
            var violated = false
            var shortfall = 0.0
            for (index, pool) in pools.enumerated() {
                let busy = minute < pool.demand.count ? pool.demand[minute] : 0
                let given = provision(index, minute)
                let serving = Double(given.servingGPUs)
                let served = min(busy, serving)
                totals.busyGPUHours += busy / 60
                totals.provisionedGPUHours += Double(given.paidGPUs) / 60
                totals.idleGPUHours += (Double(given.paidGPUs) - served) / 60
                totals.idleDollars += (Double(given.paidGPUs) - served) / 60 * pool.pricePerHour
                if busy > serving + 1e-9 {
                    short = true
                    shortfall += busy - serving
                    totals.unservedGPUHours += (busy - serving) / 60
                }
                if Self.missesSLA(pool, busy: busy, given: given) { violated = true }
                intervalDemand[index] += busy
                intervalCapacity[index] += serving
            }
            if short { totals.shortMinutes += 1 }
            if violated { totals.slaMinutes += 1 }
            totals.worstShortfallGPUs = max(totals.worstShortfallGPUs, shortfall)
            if (minute + 1) % scoredIntervalMinutes == 0 || minute == length - 1 {
                totals.intervals += 1
                if zip(intervalDemand, intervalCapacity).contains(where: { $0 > $1 + 1e-9 }) {
                    totals.shortIntervals += 1
                }
                intervalDemand = Array(repeating: 0, count: pools.count)
                intervalCapacity = Array(repeating: 0, count: pools.count)
            }
        }
        return totals
    }

    /// Whether a minute at `busy` GPUs misses the SLA on what was given.
    static func missesSLA(_ pool: ReplayPool, busy: Double, given: Provision) -> Bool {
        guard busy > 0 else { return false }
        guard given.servingGPUs > 0 else { return true }
        let rho = busy / Double(given.servingGPUs)
        if let queue = pool.queue {
            return queue.ttft(workers: given.workers, utilization: rho) > queue.ttftSeconds
        }
        return rho > pool.slaUtilization + 1e-9
    }

    /// The plan's pools, fixed for the whole replay: serving GPUs are the workers before spares
    /// (the spares stand in for failed workers), paid GPUs include the spares.
    public static func replayPlan(_ pools: [ReplayPool], plans: [PoolPlan]) -> LedgerTotals {
        let given = pools.map { pool -> Provision in
            guard let plan = plans.first(where: { $0.pool.model == pool.model && $0.pool.phase == pool.phase }) else {
                return Provision(workers: 0, servingGPUs: 0, paidGPUs: 0)
            }
            return Provision(workers: plan.workers, servingGPUs: plan.workers * plan.pool.tp, paidGPUs: plan.gpus)
        }
        return replay(pools) { index, _ in given[index] }
    }

    /// A reactive planner in the manner of Dynamo's SLA planner with its constant predictor:
    /// every `interval` minutes, each pool gets the workers the last interval's mean load needs
    /// at the per-GPU rate that keeps the SLA, at least one; no spares, no headroom.
    public static func replayReactive(_ pools: [ReplayPool], intervalMinutes: Int) -> LedgerTotals {
        let step = max(intervalMinutes, 1)
        let schedules = pools.map { pool -> [Int] in
            let length = pool.demand.count
            var workers: [Int] = []
            workers.reserveCapacity(length / step + 1)
            var start = 0
            while start < length {
                let window =
                    start == 0
                    ? pool.before : Array(pool.demand[max(0, start - step)..<start])
                let load = window.isEmpty ? 0 : window.reduce(0, +) / Double(window.count)
                let needed = Int((load / pool.slaUtilization / Double(pool.tp) - 1e-9).rounded(.up))
                workers.append(max(1, needed))
                start += step
            }
            return workers
        }
        return replay(pools) { index, minute in
            let workers = schedules[index][minute / step]
            let gpus = workers * pools[index].tp
            return Provision(workers: workers, servingGPUs: gpus, paidGPUs: gpus)
        }
    }
}

extension PlanLedger {
    /// Minute demand as the whole traffic would have had it, from a sampled log's minutes.
    ///
    /// A log of 1 in N requests, scaled by N, has √N times the Poisson noise of the traffic it
    /// stands for. Within each hour, the minutes' deviations from the hour's mean are rescaled so
    /// that their variance is the part beyond Poisson plus 1/N of the Poisson part, the shares
    /// told by the logged counts' dispersion (count variance ÷ mean; a Poisson stream's is 1).
    /// Unsampled minutes (N = 1) are returned as they are. Request sizes vary too, so the counts
    /// understate the Poisson share and the result errs on the noisy side.
    public static func wholeTrafficMinutes(
        demand: [Double], logged: [Double], sampleRate: [Double], minutesPerHour: Int = 60
    ) -> [Double] {
        var result = demand
        var start = 0
        while start < demand.count {
            let end = min(start + minutesPerHour, demand.count)
            defer { start = end }
            let rate = sampleRate[start..<end].max() ?? 1
            guard rate > 1, end - start > 1 else { continue }
            let n = Double(end - start)
            let counts = logged[start..<end]
            let meanCount = counts.reduce(0, +) / n
            let countVariance = counts.reduce(0) { $0 + ($1 - meanCount) * ($1 - meanCount) } / (n - 1)
            guard countVariance > 0 else { continue }
            let poissonShare = min(1, meanCount / countVariance)
            let factor = ((1 - poissonShare) + poissonShare / rate).squareRoot()
            let mean = demand[start..<end].reduce(0, +) / n
            for i in start..<end { result[i] = max(0, mean + factor * (demand[i] - mean)) }
        }
        return result
    }
}
