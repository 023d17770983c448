import Foundation
import PhasecastCore

/// The GPUs a fleet has (installed or already ordered) per phase and GPU type, and how long an
/// order takes to be in service.
public struct InstalledFleet: Sendable, Equatable {
    public var leadTimeDays: Int
    /// GPUs in service now, by phase and catalog GPU name.
    public var gpus: [Phase: [String: Int]]
    /// GPUs already ordered, by phase and catalog GPU name: each delivery's first day in service.
    public var deliveries: [Phase: [String: [Delivery]]]

    /// GPUs of one order, in service from `day` on.
    public struct Delivery: Sendable, Equatable, Codable {
        public var day: Int64
        public var gpus: Int

        public init(day: Int64, gpus: Int) {
            self.day = day
            self.gpus = gpus
        }
    }

    public init(leadTimeDays: Int, gpus: [Phase: [String: Int]], deliveries: [Phase: [String: [Delivery]]] = [:]) {
        self.leadTimeDays = leadTimeDays
        self.gpus = gpus
        self.deliveries = deliveries.mapValues { $0.mapValues { $0.sorted { $0.day < $1.day } } }
    }

    /// GPUs of a pool in service on `day`: those installed and the deliveries arrived by then.
    public func inService(_ phase: Phase, _ gpu: String, on day: Int64) -> Int {
        (gpus[phase]?[gpu] ?? 0) + (deliveries[phase]?[gpu] ?? []).filter { $0.day <= day }.reduce(0) { $0 + $1.gpus }
    }
}

/// When one pool of the installed fleet runs short: the first forecast day whose need (the
/// plan's whole stack for that day alone, baseline demand) exceeds what is installed, per
/// quantile, and the day an order must be placed to arrive in time.
public struct InstalledPool: Sendable, Equatable, Codable {
    public var phase: Phase
    public var gpu: String
    public var installed: Int
    /// Deliveries already ordered, by first day in service.
    public var deliveries: [InstalledFleet.Delivery]
    /// First short day by quantile (against what is in service that day); absent when the forecast never exceeds the installed GPUs.
    public var exceededOn: [Int: Int64]
    /// Most GPUs any forecast day needs, by quantile.
    public var peakNeed: [Int: Int]
    public var leadTimeDays: Int
    /// The last forecast day looked at.
    public var throughDay: Int64

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
        for phase in [Phase.prefill, .decode] {
            let gpus = Set((fleet.gpus[phase] ?? [:]).keys).union((fleet.deliveries[phase] ?? [:]).keys)
            for gpu in gpus.sorted() { seen.append((phase, gpu)) }
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
                for pool in FleetPool.group(plans)
                where pool.gpus > 0 || seen.contains(where: { $0.0 == pool.phase && $0.1 == pool.gpu }) {
                    let k = key(pool.phase, pool.gpu)
                    if !seen.contains(where: { key($0.0, $0.1) == k }) { seen.append((pool.phase, pool.gpu)) }
                    peak[k, default: [:]][quantile] = max(peak[k]?[quantile] ?? 0, pool.gpus)
                    let installed = fleet.inService(pool.phase, pool.gpu, on: day)
                    if pool.gpus > installed, exceeded[k]?[quantile] == nil {
                        exceeded[k, default: [:]][quantile] = day
                    }
                }
            }
        }
        return seen.map { phase, gpu in
            InstalledPool(
                phase: phase, gpu: gpu, installed: fleet.gpus[phase]?[gpu] ?? 0,
                deliveries: fleet.deliveries[phase]?[gpu] ?? [],
                exceededOn: exceeded[key(phase, gpu)] ?? [:], peakNeed: peak[key(phase, gpu)] ?? [:],
                leadTimeDays: fleet.leadTimeDays, throughDay: days.last ?? 0)
        }
    }
}
