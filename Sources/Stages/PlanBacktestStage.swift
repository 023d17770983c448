import CostModel
import Foundation
import PhasecastCore
import Planning
import Store

/// Replays earlier forecasts' plans against the minute demand that followed: for each earlier
/// cutoff with a stored forecast of every model (the nightly runs and the backfilled ones), the
/// plan the current policy and cost profiles make from that forecast, against what happened after
/// it, with a reactive planner on the same per-GPU rates beside it.
public struct PlanBacktestStage {
    let connection: Connection
    let pipeline: String
    let cutoffDay: Int64
    let policy: PlanPolicy
    let lookbackDays: Int
    let catalog: Catalog
    let reactiveIntervalMinutes: Int
    /// How many earlier cutoffs to replay, newest first.
    let maxCutoffs: Int

    public init(
        connection: Connection, pipeline: String, cutoffDay: Int64, policy: PlanPolicy, lookbackDays: Int,
        catalog: Catalog, reactiveIntervalMinutes: Int, maxCutoffs: Int = 2
    ) {
        self.connection = connection
        self.pipeline = pipeline
        self.cutoffDay = cutoffDay
        self.policy = policy
        self.lookbackDays = lookbackDays
        self.catalog = catalog
        self.reactiveIntervalMinutes = max(reactiveIntervalMinutes, 1)
        self.maxCutoffs = maxCutoffs
    }

    /// The backtest of `costs`' models; nil when no earlier forecast covers them.
    public func run(costs: [CostStage.ModelCost]) throws -> PlanBacktest? {
        let deployments = costs.sorted { $0.model < $1.model }
        guard !deployments.isEmpty else { return nil }
        let runs = try earlierRuns(models: deployments.map(\.modelID))
        guard let oldest = runs.map(\.cutoff).min() else { return nil }
        let minutes = try MinuteDemandTable.read(connection, fromDay: oldest - Int64(lookbackDays) + 1)
        var replays: [PlanBacktest.Replay] = []
        var sampledLogs = false
        for run in runs {
            var models: [ModelDemand] = []
            for cost in deployments {
                var forecast: [Phase: [DailyDemand]] = [:]
                var shape: [Phase: IntradayShape] = [:]
                for phase in Phase.allCases {
                    forecast[phase] = try ForecastTable.days(
                        connection, runID: run.runID, modelID: cost.modelID, phase: phase)
                    shape[phase] = try PlanStage.measuredShape(
                        connection, minutes: minutes, modelID: cost.modelID, model: cost.model, phase: phase,
                        cutoff: run.cutoff, lookbackDays: lookbackDays)
                }
                models.append(ModelDemand(deployment: cost.deployment, forecast: forecast, recent: [:], shape: shape))
            }
            let (runReplays, sampled) = try replay(run.cutoff, models: models, costs: deployments, minutes: minutes)
            replays += runReplays
            sampledLogs = sampledLogs || sampled
        }
        return PlanBacktest(
            replays: replays, quantile: policy.headlineQuantile, reactiveIntervalMinutes: reactiveIntervalMinutes,
            sampledLogs: sampledLogs)
    }

    /// The latest forecast run of each earlier cutoff of this pipeline with a GPU-hours forecast
    /// of every model and at least `minimumDays` whole days since, newest first.
    func earlierRuns(models: [Int64]) throws -> [(runID: Int64, cutoff: Int64)] {
        let rows = try connection.query(
            """
            SELECT r.cutoff_day, MAX(r.run_id) AS run_id FROM forecast_runs r
            WHERE r.pipeline = ? AND r.cutoff_day <= ?
            GROUP BY r.cutoff_day ORDER BY r.cutoff_day DESC
            """, [.text(pipeline), .integer(cutoffDay - Int64(PlanBacktest.minimumDays))])
        var runs: [(Int64, Int64)] = []
        for row in rows {
            let runID = try row.int("run_id")
            let covered = try connection.query(
                "SELECT DISTINCT model_id FROM forecast_series WHERE run_id = ? AND series = 'gpu_hours'",
                [.integer(runID)]
            ).map { try $0.int("model_id") }
            guard Set(models).isSubset(of: Set(covered)) else { continue }
            runs.append((runID, try row.int("cutoff_day")))
            if runs.count == maxCutoffs { break }
        }
        return runs
    }

    func replay(
        _ cutoff: Int64, models: [ModelDemand], costs: [CostStage.ModelCost], minutes: MinuteDemandTable
    ) throws -> (replays: [PlanBacktest.Replay], sampled: Bool) {
        var sampledLogs = false
        var single = policy
        single.quantiles = [policy.headlineQuantile]
        var replays: [PlanBacktest.Replay] = []
        let variants = [(PlanBacktest.phasecast, policy.headroom)] + PlanBacktest.variants
        var plans: [String: CapacityPlan] = [:]
        for (name, headroom) in variants {
            var variant = single
            variant.headroom = headroom
            plans[name] = try CapacityPlanner(policy: variant, catalog: catalog).plan(models, cutoffDay: cutoff)
        }
        guard let main = plans[PlanBacktest.phasecast] else { return ([], false) }
        // Horizons cut to the same realized days replay the same minutes (and the reactive
        // planner, which does not depend on the horizon, the same way): built once per window.
        var windows: [Int64: (pools: [ReplayPool], reactive: LedgerTotals)] = [:]
        for horizon in main.horizons {
            let last = min(horizon.lastDay, cutoffDay)
            guard last > cutoff else { continue }
            let days = Int(last - cutoff)
            if windows[last] == nil {
                let (pools, sampled) = try replayPools(
                    cutoff: cutoff, lastDay: last, costs: costs, plan: main, minutes: minutes)
                sampledLogs = sampledLogs || sampled
                windows[last] = (pools, PlanLedger.replayReactive(pools, intervalMinutes: reactiveIntervalMinutes))
            }
            guard let (pools, reactive) = windows[last] else { continue }
            for (name, _) in variants {
                guard let cell = plans[name]?.baseline.cell(horizon.key, policy.headlineQuantile) else { continue }
                let poolPlans = cell.pools.flatMap(\.plans)
                replays.append(
                    PlanBacktest.Replay(
                        cutoffDay: cutoff, horizon: horizon, days: days, planner: name,
                        totals: PlanLedger.replayPlan(pools, plans: poolPlans),
                        gpus: Double(poolPlans.reduce(0) { $0 + $1.gpus })))
            }
            let replayedMinutes = Double(max(reactive.minutes, 1))
            replays.append(
                PlanBacktest.Replay(
                    cutoffDay: cutoff, horizon: horizon, days: days, planner: PlanBacktest.reactive, totals: reactive,
                    gpus: reactive.provisionedGPUHours * 60 / replayedMinutes))
        }
        return (replays, sampledLogs)
    }

    /// Each model's phases with the realized minute demand from the day after `cutoff` through
    /// `lastDay`, in busy GPUs.
    func replayPools(
        cutoff: Int64, lastDay: Int64, costs: [CostStage.ModelCost], plan: CapacityPlan, minutes: MinuteDemandTable
    ) throws -> (pools: [ReplayPool], sampled: Bool) {
        var sampled = false
        let first = (cutoff + 1) * 1440
        let length = Int(lastDay - cutoff) * 1440
        var pools: [ReplayPool] = []
        for cost in costs {
            for phase in Phase.allCases {
                // From the start of the cutoff's last hour, so that hours stay whole.
                let lead = 60
                var demand = Array(repeating: 0.0, count: lead + length)
                var logged = demand
                var rates = Array(repeating: 1.0, count: lead + length)
                let rows = minutes.minutes(model: cost.modelID, phase: phase, days: cutoff...lastDay)
                for row in rows {
                    let index = Int(row.minute - first) + lead
                    guard index >= 0 && index < demand.count else { continue }
                    demand[index] = row.gpuSeconds / 60
                    logged[index] = row.loggedRequests
                    rates[index] = row.sampleRate
                }
                sampled = sampled || rates.contains { $0 > 1 }
                let whole = PlanLedger.wholeTrafficMinutes(demand: demand, logged: logged, sampleRate: rates)
                let before = Array(whole[(lead - reactiveIntervalMinutes)..<lead])
                let sized = plan.baseline.cells.first?.pools.flatMap(\.plans).first {
                    $0.pool.model == cost.model && $0.pool.phase == phase
                }
                let gpu = sized?.pool.gpu ?? cost.deployment.profile.gpu
                pools.append(
                    ReplayPool(
                        model: cost.model, phase: phase, gpu: gpu, tp: cost.deployment.tp(phase),
                        demand: Array(whole[lead...]),
                        before: before, pricePerHour: plan.economics[gpu]?.pricePerHour ?? 0, queue: sized?.pool.queue,
                        slaUtilization: phase == .prefill ? (sized?.pool.slaUtilizationCap ?? 1) : 1))
            }
        }
        return (pools, sampled)
    }
}

extension PlanBacktestStage {
    /// The backtest of a pipeline's database as its last run left it: the latest forecast's cutoff
    /// is "now", the models are costed as the transform left them. Takes the run lock, so that it
    /// never reads a night half-written.
    public static func run(
        _ pipeline: CheckedPipeline, cutoffs: Int, reactiveIntervalMinutes: Int, waitSeconds: Double
    ) throws -> PlanBacktest? {
        let config = pipeline.config
        guard FileManager.default.fileExists(atPath: config.database) else {
            throw StageError.file(
                path: config.database, reason: "no such database: run the pipeline first", status: .noInput)
        }
        let lock = try RunLock(databasePath: config.database, waitSeconds: waitSeconds)
        defer { withExtendedLifetime(lock) {} }
        let connection = try Connection(path: config.database)
        connection.setBusyTimeout(milliseconds: 30_000)
        try Migrator.migrate(connection)
        guard
            let cutoff = try connection.queryFirst(
                "SELECT MAX(cutoff_day) AS cutoff FROM forecast_runs WHERE pipeline = ?", [.text(config.name)]
            )?.optionalInt("cutoff")
        else { return nil }
        let catalog = try CatalogTables.load(connection)
        let costs = try CostStage(connection: connection, catalog: catalog).run()
        return try PlanBacktestStage(
            connection: connection, pipeline: config.name, cutoffDay: cutoff, policy: pipeline.policy,
            lookbackDays: config.plan.lookbackDays, catalog: catalog, reactiveIntervalMinutes: reactiveIntervalMinutes,
            maxCutoffs: cutoffs
        ).run(costs: costs)
    }
}
