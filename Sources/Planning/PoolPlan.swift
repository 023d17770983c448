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

    public init(
        model: String, phase: Phase, gpu: String, tp: Int, gpusPerNode: Int, targetUtilization: Double,
        slaUtilizationCap: Double?, spareWorkers: Int, costUncertainty: Double = 0, worker: String? = nil
    ) {
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

/// A pool's GPUs for one horizon and quantile, step by step: each field is one line of the
/// headroom stack in the report.
public struct PoolPlan: Sendable, Equatable, Codable {
    public var pool: Pool
    public var quantile: Int
    /// The day that needs the most GPUs (demand × that weekday's peak factor).
    public var bindingDay: Int64
    /// Busy GPU-hours of that day at the quantile (scenario multiplier applied).
    public var dailyGPUHours: Double
    /// Its mean over the day: GPU-hours ÷ 24.
    public var meanBusyGPUs: Double
    public var peakFactor: Double
    /// Busy GPUs in the peak hour.
    public var peakHourGPUs: Double
    public var burstFactor: Double
    /// Busy GPUs in the peak minute.
    public var burstGPUs: Double
    /// Those GPUs allowing for the cost model's error: × (1 + P90 error).
    public var uncertainGPUs: Double
    public var utilization: Double
    /// GPUs to provision before rounding.
    public var provisionedGPUs: Double
    /// Whole workers.
    public var workers: Int
    /// Whole workers with the spares.
    public var workersWithSpares: Int
    /// GPUs of those workers.
    public var gpus: Int

    /// Plans `pool` for the days of `demand` at quantile `q`, demand multiplied by `multiplier`.
    /// A pool without demand needs no workers and no spares.
    public static func make(
        pool: Pool, demand: [DailyDemand], shape: IntradayShape, quantile q: Int, multiplier: Double = 1
    )
        -> PoolPlan
    {
        let needs = demand.map { d in (d, d.quantile(q) * multiplier * shape.peakFactor[d.weekday]) }
        let binding = needs.max { $0.1 < $1.1 }
        let day = binding?.0
        let dailyGPUHours = (day?.quantile(q) ?? 0) * multiplier
        let mean = dailyGPUHours / 24
        let peakFactor = day.map { shape.peakFactor[$0.weekday] } ?? 1
        let peak = mean * peakFactor
        let burst = peak * shape.burstFactor
        let uncertain = burst * (1 + pool.costUncertainty)
        let provisioned = uncertain / pool.utilization
        let workers = provisioned > 0 ? Int((provisioned / Double(pool.tp)).rounded(.up)) : 0
        let withSpares = workers > 0 ? workers + pool.spareWorkers : 0
        return PoolPlan(
            pool: pool, quantile: q, bindingDay: day?.day ?? 0, dailyGPUHours: dailyGPUHours, meanBusyGPUs: mean,
            peakFactor: peakFactor, peakHourGPUs: peak, burstFactor: shape.burstFactor, burstGPUs: burst,
            uncertainGPUs: uncertain, utilization: pool.utilization, provisionedGPUs: provisioned, workers: workers,
            workersWithSpares: withSpares,
            gpus: withSpares * pool.tp)
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
