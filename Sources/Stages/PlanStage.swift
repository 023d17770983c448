import CostModel
import Foundation
import PhasecastCore
import Planning
import Reporting
import Store

/// The plan stage: reads a stored forecast and the rollups, plans prefill and decode capacity
/// for the cost stage's deployments, and stores the plan in `capacity_plans`.
public struct PlanStage {
    let connection: Connection
    let pipeline: String
    let forecastRunID: Int64
    let cutoffDay: Int64
    let policy: PlanPolicy
    let scenarios: [Scenario]
    let lookbackDays: Int
    let catalog: Catalog
    let fleet: InstalledFleet?

    public init(
        connection: Connection, pipeline: String, forecast: ForecastStage.Outcome, policy: PlanPolicy,
        scenarios: [Scenario], lookbackDays: Int, catalog: Catalog, fleet: InstalledFleet? = nil
    ) {
        self.connection = connection
        self.pipeline = pipeline
        self.forecastRunID = forecast.runID
        self.cutoffDay = forecast.cutoffDay
        self.policy = policy
        self.scenarios = scenarios
        self.lookbackDays = lookbackDays
        self.catalog = catalog
        self.fleet = fleet
    }

    /// What the plan stage made: the plan, and what the report needs of its inputs.
    public struct Outcome: Sendable {
        public var plan: CapacityPlan
        /// The deployments planned, in model name order, with their model ids.
        public var deployments: [(modelID: Int64, profile: String, deployment: ModelDeployment)]
        public var shapes: [ShapeRow]
        /// The latest earlier plan of this pipeline, read before this one was stored.
        public var previous: PreviousReport?
    }

    /// Plans the forecast models among `costs` and stores the plan.
    public func run(costs: [CostStage.ModelCost]) throws -> Outcome {
        let forecastModels = Set(
            try connection.query(
                "SELECT DISTINCT model_id FROM forecasts WHERE run_id = ?", [.integer(forecastRunID)]
            ).map { try $0.int("model_id") })
        let deployments = costs.filter { forecastModels.contains($0.modelID) }
            .sorted { $0.model < $1.model }
            .map { (modelID: $0.modelID, profile: $0.profile, deployment: $0.deployment) }
        var models: [ModelDemand] = []
        var shapes: [ShapeRow] = []
        let minutes = try MinuteDemandTable.read(connection, fromDay: cutoffDay - Int64(lookbackDays) + 1)
        for (modelID, _, deployment) in deployments {
            var forecast: [Phase: [DailyDemand]] = [:]
            var recent: [Phase: [DailyDemand]] = [:]
            var shape: [Phase: IntradayShape] = [:]
            for phase in Phase.allCases {
                forecast[phase] = try ForecastTable.days(
                    connection, runID: forecastRunID, modelID: modelID, phase: phase)
                recent[phase] = try recentDays(model: deployment.model, phase: phase)
                let measured = try Self.measuredShape(
                    connection, minutes: minutes, modelID: modelID, model: deployment.model, phase: phase,
                    cutoff: cutoffDay, lookbackDays: lookbackDays)
                shape[phase] = measured
                shapes.append(ShapeRow(model: deployment.model, phase: phase, shape: measured))
            }
            models.append(ModelDemand(deployment: deployment, forecast: forecast, recent: recent, shape: shape))
        }
        let planner = CapacityPlanner(policy: policy, catalog: catalog)
        let plan = try planner.plan(models, cutoffDay: cutoffDay, scenarios: scenarios, fleet: fleet)
        let previous = try PreviousPlan(connection: connection, pipeline: pipeline, cutoffDay: cutoffDay).read(
            plan: plan)
        try store(plan)
        return Outcome(plan: plan, deployments: deployments, shapes: shapes, previous: previous)
    }

    /// The last 7 whole days up to the cutoff, as known demand.
    func recentDays(model: String, phase: Phase) throws -> [DailyDemand] {
        try connection.query(
            """
            SELECT day_key, \(phase.gpuHoursColumn) AS gpu_hours
            FROM v_daily_phase WHERE model = ? AND coverage >= 0.98 AND day_key <= ?
            ORDER BY day_key DESC LIMIT 7
            """, [.text(model), .integer(cutoffDay)]
        ).map { DailyDemand(day: try $0.int("day_key"), actual: try $0.optionalDouble("gpu_hours") ?? 0) }
    }

    /// The hour-of-week profile and minute variability over the lookback days before `cutoff`.
    static func measuredShape(
        _ connection: Connection, minutes: MinuteDemandTable, modelID: Int64, model: String, phase: Phase,
        cutoff: Int64, lookbackDays: Int
    ) throws -> IntradayShape {
        let first = cutoff - Int64(lookbackDays) + 1
        let whole = Set(
            try connection.query(
                "SELECT day_key FROM v_daily_phase WHERE model = ? AND coverage >= 0.98 AND day_key BETWEEN ? AND ?",
                [.text(model), .integer(first), .integer(cutoff)]
            ).map { try $0.int("day_key") })
        return IntradayShape.measure(
            minutes.minutes(model: modelID, phase: phase, days: first...cutoff), wholeDays: whole)
    }

    /// Writes the plan's rows for this pipeline and day, replacing any of an earlier run of the same night.
    func store(_ plan: CapacityPlan) throws {
        try connection.immediateTransaction {
            try connection.run(
                "DELETE FROM capacity_plans WHERE pipeline = ? AND as_of_day = ?",
                [.text(pipeline), .integer(cutoffDay)])
            let insert = try connection.prepare(
                "INSERT INTO capacity_plans VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
            func add(
                _ scenario: String, _ horizon: String, _ end: Int64, _ q: Int, _ phase: String, _ gpu: String,
                workers: Int, gpus: Int, nodes: Int
            ) throws {
                let price = plan.economics[gpu]?.pricePerHour ?? 0
                insert.bind([
                    .text(pipeline), .integer(cutoffDay), .integer(forecastRunID), .text(scenario), .text(horizon),
                    .integer(end), .integer(Int64(q)), .text(phase), .text(gpu), .integer(Int64(workers)),
                    .integer(Int64(gpus)), .integer(Int64(nodes)),
                    .real(Double(gpus) * price * CapacityPlan.hoursPerMonth),
                ])
                try insert.run()
            }
            for column in plan.columns {
                for cell in column.cells {
                    for pool in cell.pools {
                        try add(
                            column.name, cell.horizon.key, cell.horizon.lastDay, cell.quantile, pool.phase.rawValue,
                            pool.gpu, workers: pool.plans.reduce(0) { $0 + $1.workersWithSpares }, gpus: pool.gpus,
                            nodes: pool.nodes)
                    }
                }
            }
            for pool in plan.current {
                try add(
                    "baseline", "today", cutoffDay, 50, pool.phase.rawValue, pool.gpu,
                    workers: pool.plans.reduce(0) { $0 + $1.workersWithSpares }, gpus: pool.gpus, nodes: pool.nodes)
            }
            for aggregated in plan.aggregated {
                for (gpu, gpus) in aggregated.gpusByType.sorted(by: { $0.key < $1.key }) {
                    let perNode = aggregated.pools.first { $0.gpu == gpu }?.gpusPerNode ?? 8
                    try add(
                        "baseline", aggregated.horizon.key, aggregated.horizon.lastDay, aggregated.quantile,
                        "aggregated", gpu,
                        workers: aggregated.pools.filter { $0.gpu == gpu }.reduce(0) { $0 + $1.workersWithSpares },
                        gpus: gpus, nodes: gpus / max(perNode, 1))
                }
            }
        }
    }
}

/// Reading the `forecasts` table.
enum ForecastTable {
    /// A stored run's forecast GPU-hours of one model (0: all) and phase, by day.
    static func days(_ connection: Connection, runID: Int64, modelID: Int64, phase: Phase) throws -> [DailyDemand] {
        try connection.query(
            """
            SELECT day, yhat, lo80, hi80, lo95, hi95 FROM forecasts
            WHERE run_id = ? AND series = 'gpu_hours' AND phase = ? AND model_id = ? ORDER BY day
            """, [.integer(runID), .text(phase.rawValue), .integer(modelID)]
        ).map { r in
            DailyDemand(
                day: try r.int("day"), median: try r.double("yhat"), lower80: try r.double("lo80"),
                upper80: try r.double("hi80"), lower95: try r.double("lo95"), upper95: try r.double("hi95"))
        }
    }
}
