import Foundation
import PhasecastCore

/// One pool of workers: the workers of one model serving one phase on one GPU type.
public struct Pool: Sendable, Equatable, Codable {
    public var model: String
    public var phase: Phase
    public var gpu: String
    /// GPUs per worker (tensor parallelism).
    public var tp: Int
    /// How a worker spreads the model: `TP 8`, `TP 16 · EP 16 · DP attention`.
    public var worker: String
    public var gpusPerNode: Int
    /// Target utilization of the pool's workers (the operator's choice).
    public var targetUtilization: Double
    /// Highest utilization the SLA allows (prefill: queueing must keep TTFT within target); nil
    /// when the SLA sets none.
    public var slaUtilizationCap: Double?
    /// Spare workers kept for failures (N+k).
    public var spareWorkers: Int
    /// How far the cost model's per-GPU throughput may be off (P90 share of its held-out
    /// error; 0 when a measured profile sets the phase).
    public var costUncertainty: Double
    /// Prefill: the pool's workers as one M/D/c queue against the TTFT target; nil when the
    /// service time is not known (a measured profile) or for decode.
    public var queue: PrefillQueue?

    public init(
        model: String, phase: Phase, gpu: String, tp: Int, gpusPerNode: Int, targetUtilization: Double,
        slaUtilizationCap: Double?, spareWorkers: Int, costUncertainty: Double = 0, worker: String? = nil,
        queue: PrefillQueue? = nil
    ) {
        self.queue = queue.flatMap { $0.feasible ? $0 : nil }
        self.model = model
        self.phase = phase
        self.gpu = gpu
        self.tp = max(tp, 1)
        self.worker = worker ?? "TP \(max(tp, 1))"
        self.gpusPerNode = max(gpusPerNode, 1)
        self.targetUtilization = targetUtilization
        self.slaUtilizationCap = slaUtilizationCap
        self.spareWorkers = spareWorkers
        self.costUncertainty = max(costUncertainty, 0)
    }

    /// The utilization the plan sizes for: the target, or the SLA's cap when lower.
    public var utilization: Double { min(targetUtilization, slaUtilizationCap ?? 1) }
}

/// Which allowances the headroom stack applies; all on in a plan, switched off one at a time by
/// the plan backtest to show what each is worth.
public struct HeadroomModel: Sendable, Equatable, Codable {
    /// The forecast's own uncertainty (its interval at the plan's quantile).
    public var forecastSpread = true
    /// Minute-to-minute variation beyond Poisson within the peak hour.
    public var minuteVariation = true
    /// The cost model's held-out error.
    public var costSpread = true
    /// The stack before this model: the day's quantile × peak × observed busiest-minute factor ×
    /// (1 + cost error) ÷ the per-worker M/D/1 cap, each allowance multiplied on the last.
    public var multiplied = false

    public init() {}

    /// The stack as it was before the variability model.
    public static var previous: HeadroomModel {
        var model = HeadroomModel()
        model.multiplied = true
        return model
    }
}

/// The standard normal quantile of a plan quantile (50 → 0, 90 → 1.28, 95 → 1.64).
public func normalQuantile(_ q: Int) -> Double {
    switch q {
    case 90: 1.281_552
    case 95: 1.644_854
    case 99: 2.326_348
    default: 0
    }
}

/// A pool's GPUs for one horizon and quantile, step by step: each field is one line of the
/// headroom stack in the report.
///
/// The pool is sized for a high quantile of its minute demand on its busiest day: the day's
/// median forecast, its busiest hour by the hour-of-week profile, then one spread for everything
/// uncertain about a minute of that hour — the forecast, the minute variation beyond Poisson, the
/// Poisson arrival noise at this size (decode; prefill's is in its queueing model) and the cost
/// model — combined as independent relative errors, so none multiplies on another.
public struct PoolPlan: Sendable, Equatable, Codable {
    public var pool: Pool
    public var quantile: Int
    /// The day that needs the most GPUs.
    public var bindingDay: Int64
    /// Median busy GPU-hours of that day (scenario multiplier applied).
    public var dailyGPUHours: Double
    /// Its mean over the day: GPU-hours ÷ 24.
    public var meanBusyGPUs: Double
    /// Busiest hour ÷ mean hour of that weekday.
    public var peakFactor: Double
    /// Busy GPUs in the peak hour (its mean minute).
    public var peakHourGPUs: Double
    /// Relative standard deviations combined in the spread: the forecast's at this day, the
    /// minute variation beyond Poisson, the Poisson arrival noise, the cost model's.
    public var forecastSpread: Double
    public var minuteVariation: Double
    public var arrivalNoise: Double
    public var costSpread: Double
    /// 1 + z · √(sum of their squares), z the quantile's normal score.
    public var spreadFactor: Double
    /// Busy GPUs at the quantile of the peak hour's minute demand.
    public var sizedGPUs: Double
    /// The utilization sized for: the target, or the TTFT queueing cap when lower.
    public var utilization: Double
    /// Prefill: the highest utilization at which the pool's workers keep TTFT (M/D/c).
    public var queueingCap: Double?
    /// GPUs to provision before rounding.
    public var provisionedGPUs: Double
    /// Whole workers.
    public var workers: Int
    /// Whole workers with the spares.
    public var workersWithSpares: Int
    /// GPUs of those workers.
    public var gpus: Int

    /// The spread's parts for one day.
    struct Sizing {
        var median: Double
        var peakFactor: Double
        var peakHour: Double
        var forecast = 0.0
        var minute = 0.0
        var arrival = 0.0
        var cost = 0.0
        var factor = 1.0
        var sized: Double { peakHour * factor }
    }

    static func sizing(
        _ d: DailyDemand, pool: Pool, shape: IntradayShape, quantile q: Int, multiplier: Double,
        headroom: HeadroomModel
    ) -> Sizing {
        let peakFactor = shape.peakFactor[d.weekday]
        if headroom.multiplied {
            let daily = d.quantile(q) * multiplier
            var sizing = Sizing(median: daily, peakFactor: peakFactor, peakHour: daily / 24 * peakFactor)
            sizing.factor = shape.observedBurst * (1 + pool.costUncertainty)
            return sizing
        }
        let median = d.median * multiplier
        let peakHour = median / 24 * peakFactor
        var sizing = Sizing(median: median, peakFactor: peakFactor, peakHour: peakHour)
        let z = normalQuantile(q)
        guard z > 0, peakHour > 0 else { return sizing }
        if headroom.forecastSpread && d.median > 0 {
            sizing.forecast = max(0, (d.quantile(q) - d.median) / (z * d.median))
        }
        if headroom.minuteVariation {
            sizing.minute = shape.minuteVariation
            if pool.queue == nil { sizing.arrival = (shape.secondsPerArrival / (60 * peakHour)).squareRoot() }
        }
        if headroom.costSpread { sizing.cost = pool.costUncertainty / normalQuantile(90) }
        let spread = [sizing.forecast, sizing.minute, sizing.arrival, sizing.cost].reduce(0) { $0 + $1 * $1 }
        sizing.factor = 1 + z * spread.squareRoot()
        return sizing
    }

    /// Plans `pool` for the days of `demand` at quantile `q`, demand multiplied by `multiplier`.
    /// A pool without demand needs no workers and no spares.
    public static func make(
        pool: Pool, demand: [DailyDemand], shape: IntradayShape, quantile q: Int, multiplier: Double = 1,
        headroom: HeadroomModel = HeadroomModel()
    ) -> PoolPlan {
        let sized = demand.map {
            ($0, sizing($0, pool: pool, shape: shape, quantile: q, multiplier: multiplier, headroom: headroom))
        }
        let binding = sized.max { $0.1.sized < $1.1.sized }
        let s =
            binding?.1 ?? Sizing(median: 0, peakFactor: shape.peakFactor[0], peakHour: 0)
        let tp = Double(pool.tp)
        var utilization = pool.utilization
        var queueingCap: Double?
        var workers = 0
        if s.sized > 0 {
            if let queue = pool.queue, !headroom.multiplied {
                // The fewest workers at the target that also keep TTFT as one M/D/c queue.
                workers = max(1, Int((s.sized / (pool.targetUtilization * tp)).rounded(.up)))
                var cap = queue.utilizationCap(workers: workers)
                while s.sized / (Double(workers) * tp) > cap && workers < 1_000_000 {
                    workers += 1
                    cap = queue.utilizationCap(workers: workers)
                }
                queueingCap = cap
                utilization = min(pool.targetUtilization, cap)
            } else {
                workers = Int((s.sized / utilization / tp).rounded(.up))
            }
        }
        let withSpares = workers > 0 ? workers + pool.spareWorkers : 0
        return PoolPlan(
            pool: pool, quantile: q, bindingDay: binding?.0.day ?? 0, dailyGPUHours: s.median,
            meanBusyGPUs: s.median / 24, peakFactor: s.peakFactor, peakHourGPUs: s.peakHour,
            forecastSpread: s.forecast, minuteVariation: s.minute, arrivalNoise: s.arrival, costSpread: s.cost,
            spreadFactor: s.factor, sizedGPUs: s.sized, utilization: utilization, queueingCap: queueingCap,
            provisionedGPUs: utilization > 0 ? s.sized / utilization : 0, workers: workers,
            workersWithSpares: withSpares, gpus: withSpares * pool.tp)
    }
}

/// The pools of one phase on one GPU type, added up and rounded to whole nodes: the GPUs to buy.
public struct FleetPool: Sendable, Equatable, Codable {
    public var phase: Phase
    public var gpu: String
    public var plans: [PoolPlan]
    public var gpusPerNode: Int
    public var nodes: Int
    /// GPUs on those nodes.
    public var gpus: Int

    /// Groups plans by phase and GPU type (in the order first seen) and rounds each group to nodes.
    public static func group(_ plans: [PoolPlan]) -> [FleetPool] {
        var order: [String] = []
        var groups: [String: [PoolPlan]] = [:]
        for plan in plans {
            let key = "\(plan.pool.phase.rawValue)/\(plan.pool.gpu)"
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(plan)
        }
        return order.map { key in
            let members = groups[key] ?? []
            let perNode = members[0].pool.gpusPerNode
            let gpus = members.reduce(0) { $0 + $1.gpus }
            let nodes = (gpus + perNode - 1) / perNode
            return FleetPool(
                phase: members[0].pool.phase, gpu: members[0].pool.gpu, plans: members, gpusPerNode: perNode,
                nodes: nodes,
                gpus: nodes * perNode)
        }
    }

    /// Sum of a step over the pool's plans.
    public func total(_ step: (PoolPlan) -> Double) -> Double { plans.reduce(0) { $0 + step($1) } }
}
