import Foundation
import PhasecastCore

/// The GPUs a fleet has (installed or already ordered) per phase and GPU type, and how long an
/// order takes to be in service.
public struct InstalledFleet: Sendable, Equatable {
    public var leadTimeDays: Int
    /// GPUs by phase and catalog GPU name.
    public var gpus: [Phase: [String: Int]]

    public init(leadTimeDays: Int, gpus: [Phase: [String: Int]]) {
        self.leadTimeDays = leadTimeDays
        self.gpus = gpus
    }
}

/// When one pool of the installed fleet runs short: the first forecast day whose need (the
/// plan's whole stack for that day alone, baseline demand) exceeds what is installed, per
/// quantile, and the day an order must be placed to arrive in time.
public struct InstalledPool: Sendable, Equatable {
    public var phase: Phase
    public var gpu: String
    public var installed: Int
    /// First short day by quantile; absent when the forecast never exceeds the installed GPUs.
    public var exceededOn: [Int: Int64]
    /// Most GPUs any forecast day needs, by quantile.
    public var peakNeed: [Int: Int]
    public var leadTimeDays: Int

    /// The last day to order for `quantile`: the short day less the lead time (nil: no order needed
    /// within the forecast).
    public func orderBy(_ quantile: Int) -> Int64? {
        exceededOn[quantile].map { $0 - Int64(leadTimeDays) }
    }
}

extension CapacityPlanner {
    /// For each pool of `fleet` and each pool the baseline needs that `fleet` lacks (installed 0),
    /// the first forecast day it is exceeded at each quantile.
    public func installedPools(_ models: [ModelDemand], fleet: InstalledFleet) -> [InstalledPool] {
        let days = Set(models.flatMap { $0.forecast.values.flatMap { $0.map(\.day) } }).sorted()
        var exceeded: [String: [Int: Int64]] = [:]
        var peak: [String: [Int: Int]] = [:]
        var seen: [(Phase, String)] = []
        func key(_ phase: Phase, _ gpu: String) -> String { "\(phase.rawValue)/\(gpu)" }
        for (phase, byGPU) in fleet.gpus.sorted(by: { $0.key.rawValue > $1.key.rawValue }) {
            for gpu in byGPU.keys.sorted() { seen.append((phase, gpu)) }
        }
        // Each model's forecast by phase and day, looked up once per day below.
        let byDay = models.map { model in
            model.forecast.mapValues { Dictionary($0.map { ($0.day, $0) }, uniquingKeysWith: { first, _ in first }) }
        }
        for quantile in policy.quantiles {
            for day in days {
                var plans: [PoolPlan] = []
                for (model, forecast) in zip(models, byDay) {
                    for phase in Phase.allCases {
                        guard let demand = forecast[phase]?[day] else { continue }
                        plans.append(
                            PoolPlan.make(
                                pool: pool(model.deployment, phase: phase), demand: [demand],
                                shape: shape(model, phase), quantile: quantile, headroom: policy.headroom))
                    }
                }
                for pool in FleetPool.group(plans) where pool.gpus > 0 || fleet.gpus[pool.phase]?[pool.gpu] != nil {
                    let k = key(pool.phase, pool.gpu)
                    if !seen.contains(where: { key($0.0, $0.1) == k }) { seen.append((pool.phase, pool.gpu)) }
                    peak[k, default: [:]][quantile] = max(peak[k]?[quantile] ?? 0, pool.gpus)
                    let installed = fleet.gpus[pool.phase]?[pool.gpu] ?? 0
                    if pool.gpus > installed, exceeded[k]?[quantile] == nil {
                        exceeded[k, default: [:]][quantile] = day
                    }
                }
            }
        }
        return seen.map { phase, gpu in
            InstalledPool(
                phase: phase, gpu: gpu, installed: fleet.gpus[phase]?[gpu] ?? 0,
                exceededOn: exceeded[key(phase, gpu)] ?? [:], peakNeed: peak[key(phase, gpu)] ?? [:],
                leadTimeDays: fleet.leadTimeDays)
        }
    }
}
