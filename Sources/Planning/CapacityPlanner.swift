import CostModel
import Foundation
import PhasecastCore

/// What the operator decides: quantiles, horizons, utilization targets, spares, prices.
public struct PlanPolicy: Sendable, Equatable, Codable {
    public var quantiles = [50, 90, 95]
    public var headlineQuantile = 90
    public var horizons = ["7d", "30d", "90d", "quarter", "next-quarter"]
    public var targetUtilization: [Phase: Double] = [.prefill: 0.8, .decode: 0.8]
    public var spareWorkers = 1
    /// $/GPU-hour by GPU name, over the catalog's.
    public var prices: [String: Double] = [:]
    /// The allowances of the headroom stack.
    public var headroom = HeadroomModel()

    public init() {}
}

/// One model's demand: its deployment, forecast and recent actual busy GPU-hours per phase,
/// and its intraday shape.
public struct ModelDemand: Sendable {
    public var deployment: ModelDeployment
    public var forecast: [Phase: [DailyDemand]]
    /// The last days observed, as demand known exactly (for "today").
    public var recent: [Phase: [DailyDemand]]
    public var shape: [Phase: IntradayShape]

    public init(
        deployment: ModelDeployment, forecast: [Phase: [DailyDemand]], recent: [Phase: [DailyDemand]],
        shape: [Phase: IntradayShape]
    ) {
        self.deployment = deployment
        self.forecast = forecast
        self.recent = recent
        self.shape = shape
    }
}

/// The pools of one horizon at one quantile.
public struct PlanCell: Sendable, Equatable, Codable {
    public var horizon: Horizon
    public var quantile: Int
    public var pools: [FleetPool]

    public func gpus(_ phase: Phase) -> Int { pools.filter { $0.phase == phase }.reduce(0) { $0 + $1.gpus } }
}

/// The baseline or one scenario: a cell per horizon and quantile.
public struct PlanColumn: Sendable, Equatable, Codable {
    public var name: String
    public var cells: [PlanCell]
    /// What the scenario changed, per model.
    public var notes: [String]

    public func cell(_ horizon: String, _ quantile: Int) -> PlanCell? {
        cells.first { $0.horizon.key == horizon && $0.quantile == quantile }
    }
}

/// Co-located workers of one model for the same demand.
public struct AggregatedPool: Sendable, Equatable, Codable {
    public var model: String
    public var gpu: String
    public var tp: Int
    public var gpusPerNode: Int
    public var bindingDay: Int64
    public var prefillTokensPerSecond: Double
    public var decodeTokensPerSecond: Double
    /// Busy GPUs co-located serving needs, before the utilization target (nil: the ITL target
    /// cannot be met with prefill interference).
    public var busyGPUs: Double?
    public var utilization: Double
    public var workersWithSpares: Int
    public var gpus: Int
}

/// The aggregated baseline of one horizon at the headline quantile.
public struct AggregatedPlan: Sendable, Equatable, Codable {
    public var horizon: Horizon
    public var quantile: Int
    public var pools: [AggregatedPool]
    /// GPUs on whole nodes, by GPU type.
    public var gpusByType: [String: Int]
}

/// Price and power of a GPU type.
public struct GPUEconomics: Sendable, Equatable, Codable {
    public var pricePerHour: Double
    public var priceSource: String
    public var tdpWatts: Double
}

/// The plan: every horizon and quantile, the baseline and each scenario, today's need, the
/// aggregated baseline and the economics to cost them.
public struct CapacityPlan: Sendable, Equatable, Codable {
    public var cutoffDay: Int64
    public var horizons: [Horizon]
    public var quantiles: [Int]
    public var headlineQuantile: Int
    /// The baseline first, then the scenarios.
    public var columns: [PlanColumn]
    /// What the last observed days needed, at the baseline deployment.
    public var current: [FleetPool]
    public var aggregated: [AggregatedPlan]
    public var economics: [String: GPUEconomics]
    /// When the installed fleet runs short, per pool; nil when the pipeline declares none.
    public var installed: [InstalledPool]?

    public var baseline: PlanColumn { columns[0] }

    /// Hours in an average month (365.25 × 24 ÷ 12).
    public static let hoursPerMonth = 730.5

    /// $ a month of a set of pools at their GPU types' prices.
    public func dollarsPerMonth(_ pools: [FleetPool]) -> Double {
        pools.reduce(0) { $0 + Double($1.gpus) * (economics[$1.gpu]?.pricePerHour ?? 0) * Self.hoursPerMonth }
    }
}

/// Builds `CapacityPlan`s.
public struct CapacityPlanner: Sendable {
    public var policy: PlanPolicy
    public var catalog: Catalog

    public init(policy: PlanPolicy, catalog: Catalog) {
        self.policy = policy
        self.catalog = catalog
    }

    /// Plans `models` from the day after `cutoffDay`; `scenarios` become columns after the baseline.
    public func plan(
        _ models: [ModelDemand], cutoffDay: Int64, scenarios: [Scenario] = [], fleet: InstalledFleet? = nil
    ) throws -> CapacityPlan {
        let forecastLast = models.flatMap { $0.forecast.values.flatMap { $0.map(\.day) } }.max() ?? cutoffDay
        let horizons = policy.horizons.compactMap {
            Horizon.resolve($0, cutoffDay: cutoffDay, forecastLastDay: forecastLast)
        }
        var economics: [String: GPUEconomics] = [:]
        func note(_ gpu: String) throws {
            guard economics[gpu] == nil else { return }
            let spec = try catalog.gpu(named: gpu)
            let override = policy.prices[gpu] ?? policy.prices[spec.name]
            economics[gpu] = GPUEconomics(
                pricePerHour: override ?? spec.pricePerHour, priceSource: override == nil ? "seed" : "pipeline",
                tdpWatts: spec.tdpWatts)
        }
        var columns = [try column("baseline", models: models.map { ($0, [:]) }, horizons: horizons, notes: [])]
        for scenario in scenarios {
            var changed: [(ModelDemand, [Phase: (ModelDeployment, Double)])] = []
            var notes: [String] = []
            for model in models {
                guard scenario.applies(to: model.deployment.model) else {
                    changed.append((model, [:]))
                    continue
                }
                let estimator = CostEstimator(catalog: catalog)
                let applied = try scenario.apply(to: model.deployment, estimator: estimator)
                changed.append((model, applied))
                let parts = Phase.allCases.compactMap { phase -> String? in
                    guard let (deployment, factor) = applied[phase] else { return nil }
                    return String(
                        format: "%@ ×%.2f on %@ %@", phase.rawValue, factor, deployment.profile.gpu,
                        deployment.layout(phase).description)
                }
                notes.append("\(model.deployment.model): " + parts.joined(separator: ", "))
            }
            columns.append(try column(scenario.name, models: changed, horizons: horizons, notes: notes))
        }
        for column in columns { for cell in column.cells { for pool in cell.pools { try note(pool.gpu) } } }
        // Today: the busiest of the last observed days, known exactly (no forecast spread), at
        // the headline quantile of its minute demand.
        var currentPlans: [PoolPlan] = []
        for model in models {
            for phase in Phase.allCases {
                let pool = self.pool(model.deployment, phase: phase)
                currentPlans.append(
                    PoolPlan.make(
                        pool: pool, demand: model.recent[phase] ?? [], shape: shape(model, phase),
                        quantile: policy.headlineQuantile, headroom: policy.headroom))
            }
        }
        let current = FleetPool.group(currentPlans)
        for pool in current { try note(pool.gpu) }
        var aggregated: [AggregatedPlan] = []
        for horizon in horizons {
            let plan = try aggregatedPlan(models, horizon: horizon)
            for gpu in plan.gpusByType.keys { try note(gpu) }
            aggregated.append(plan)
        }
        return CapacityPlan(
            cutoffDay: cutoffDay, horizons: horizons, quantiles: policy.quantiles,
            headlineQuantile: policy.headlineQuantile,
            columns: columns, current: current, aggregated: aggregated, economics: economics,
            installed: fleet.map { installedPools(models, fleet: $0) })
    }

    func shape(_ model: ModelDemand, _ phase: Phase) -> IntradayShape {
        model.shape[phase] ?? .flat
    }

    /// The catalog's name of a GPU given by name or alias.
    func gpuName(_ name: String) -> String { (try? catalog.gpu(named: name).name) ?? name }

    func pool(_ deployment: ModelDeployment, phase: Phase) -> Pool {
        let gpusPerNode = (try? catalog.gpu(named: deployment.profile.gpu).gpusPerNode) ?? 8
        return Pool(
            model: deployment.model, phase: phase, gpu: gpuName(deployment.profile.gpu), tp: deployment.tp(phase),
            gpusPerNode: gpusPerNode, targetUtilization: policy.targetUtilization[phase] ?? 0.8,
            slaUtilizationCap: deployment.slaUtilizationCap(phase), spareWorkers: policy.spareWorkers,
            costUncertainty: deployment.costUncertainty(phase), worker: deployment.layout(phase).description,
            queue: phase == .prefill && deployment.estimate.prefill.serviceMs > 0
                ? PrefillQueue(
                    serviceSeconds: deployment.estimate.prefill.serviceMs / 1000,
                    ttftSeconds: deployment.profile.ttftMs / 1000) : nil)
    }

    /// Demand of the days within a horizon.
    static func days(_ demand: [DailyDemand], in horizon: Horizon) -> [DailyDemand] {
        demand.filter { $0.day >= horizon.firstDay && $0.day <= horizon.lastDay }
    }

    func column(
        _ name: String, models: [(ModelDemand, [Phase: (ModelDeployment, Double)])], horizons: [Horizon],
        notes: [String]
    ) throws -> PlanColumn {
        var cells: [PlanCell] = []
        for horizon in horizons {
            for quantile in policy.quantiles {
                var plans: [PoolPlan] = []
                for (model, changes) in models {
                    for phase in Phase.allCases {
                        let (deployment, factor) = changes[phase] ?? (model.deployment, 1)
                        let demand = Self.days(model.forecast[phase] ?? [], in: horizon)
                        plans.append(
                            PoolPlan.make(
                                pool: pool(deployment, phase: phase), demand: demand, shape: shape(model, phase),
                                quantile: quantile, multiplier: factor, headroom: policy.headroom))
                    }
                }
                cells.append(PlanCell(horizon: horizon, quantile: quantile, pools: FleetPool.group(plans)))
            }
        }
        return PlanColumn(name: name, cells: cells, notes: notes)
    }

    /// Co-located workers (each model on its decode GPU and TP) for the headline quantile's
    /// demand on the day that needs the most busy GPUs of both phases together.
    func aggregatedPlan(_ models: [ModelDemand], horizon: Horizon) throws -> AggregatedPlan {
        let q = policy.headlineQuantile
        var pools: [AggregatedPool] = []
        for model in models {
            let deployment = model.deployment
            let prefill = Self.days(model.forecast[.prefill] ?? [], in: horizon)
            let decode = Self.days(model.forecast[.decode] ?? [], in: horizon)
            let prefillPool = pool(deployment, phase: .prefill)
            let decodePool = pool(deployment, phase: .decode)
            let prefillShape = shape(model, .prefill)
            let decodeShape = shape(model, .decode)
            // The same sizing as the disaggregated pools (co-located prefill has no queue of its own).
            func busy(_ d: DailyDemand, _ pool: Pool, _ s: IntradayShape) -> Double {
                var open = pool
                open.queue = nil
                return PoolPlan.sizing(d, pool: open, shape: s, quantile: q, multiplier: 1, headroom: policy.headroom)
                    .sized
            }
            let byDay = Dictionary(decode.map { ($0.day, $0) }, uniquingKeysWith: { a, _ in a })
            var best: (day: Int64, prefill: Double, decode: Double)?
            for p in prefill {
                guard let d = byDay[p.day] else { continue }
                let pair = (p.day, busy(p, prefillPool, prefillShape), busy(d, decodePool, decodeShape))
                if let current = best, !(pair.1 + pair.2 > current.prefill + current.decode) { continue }
                best = pair
            }
            let tp = deployment.estimate.decode.tp
            let perNode = (try? catalog.gpu(named: deployment.profile.gpu).gpusPerNode) ?? 8
            guard let binding = best else { continue }
            let w = deployment.workload
            let prefillTokens = binding.prefill / max(deployment.prefillSecondsPerRequest / w.prefillTokens, 1e-12)
            let decodeTokens = binding.decode / max(deployment.decodeSecondsPerRequest / w.outputTokens, 1e-12)
            let busyGPUs = try AggregatedBaseline.busyGPUs(
                prefillTokensPerSecond: prefillTokens, decodeTokensPerSecond: decodeTokens, deployment: deployment,
                catalog: catalog)
            let utilization = policy.targetUtilization[.decode] ?? 0.8
            var workers = 0
            if let busyGPUs, busyGPUs > 0 {
                workers = Int((busyGPUs / utilization / Double(tp)).rounded(.up)) + policy.spareWorkers
            }
            pools.append(
                AggregatedPool(
                    model: deployment.model, gpu: gpuName(deployment.profile.gpu), tp: tp, gpusPerNode: perNode,
                    bindingDay: binding.day,
                    prefillTokensPerSecond: prefillTokens, decodeTokensPerSecond: decodeTokens, busyGPUs: busyGPUs,
                    utilization: utilization, workersWithSpares: workers, gpus: workers * tp))
        }
        var byType: [String: Int] = [:]
        for gpu in Set(pools.map(\.gpu)) {
            let members = pools.filter { $0.gpu == gpu }
            let perNode = members[0].gpusPerNode
            let total = members.reduce(0) { $0 + $1.gpus }
            byType[gpu] = (total + perNode - 1) / perNode * perNode
        }
        return AggregatedPlan(horizon: horizon, quantile: q, pools: pools, gpusByType: byType)
    }
}
