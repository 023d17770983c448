import CostModel
import Foundation
import PhasecastCore
import Planning
import Reporting
import Store

/// The plan and report stages of `phasecast run`: reads a stored forecast and the rollups, plans
/// capacity, stores the plan in `capacity_plans` and gathers what the report shows.
struct CapacityStage {
    let connection: Connection
    let pipeline: String
    let forecastRunID: Int64
    let cutoffDay: Int64
    let policy: PlanPolicy
    let scenarios: [Scenario]
    let lookbackDays: Int

    /// Plans and returns the report's input.
    func run() throws -> ReportInput {
        let catalog = try CatalogTables.load(connection)
        let deployments = try self.deployments(catalog: catalog)
        var models: [ModelDemand] = []
        var shapes: [ShapeRow] = []
        for (modelID, deployment) in deployments {
            var forecast: [Phase: [DailyDemand]] = [:]
            var recent: [Phase: [DailyDemand]] = [:]
            var shape: [Phase: IntradayShape] = [:]
            for phase in Phase.allCases {
                forecast[phase] = try forecastDays(modelID: modelID, phase: phase)
                recent[phase] = try recentDays(model: deployment.model, phase: phase)
                shape[phase] = try measuredShape(modelID: modelID, model: deployment.model, phase: phase)
                shapes.append(ShapeRow(model: deployment.model, phase: phase, shape: shape[phase]!))
            }
            models.append(ModelDemand(deployment: deployment, forecast: forecast, recent: recent, shape: shape))
        }
        let planner = CapacityPlanner(policy: policy, catalog: catalog)
        let plan = try planner.plan(models, cutoffDay: cutoffDay, scenarios: scenarios)
        let previous = try previousReport(plan: plan)
        try store(plan)
        var allForecast: [Phase: [DailyDemand]] = [:]
        for phase in Phase.allCases { allForecast[phase] = try forecastDays(modelID: 0, phase: phase) }
        return ReportInput(
            pipeline: pipeline, asOfDay: cutoffDay, forecastRunID: forecastRunID, plan: plan, history: try history(),
            forecast: allForecast, methods: try methods(), realized: try realized(), intraday: try intraday(),
            shapes: shapes,
            previous: previous, assumptions: try assumptions(deployments), quality: try quality(plan: plan),
            policy: policy,
            lookbackDays: lookbackDays)
    }

    // MARK: - Plan inputs

    /// Each costed model's deployment, by model id, in name order.
    func deployments(catalog: Catalog) throws -> [(Int64, ModelDeployment)] {
        let profiles = try TransformStage.profiles(connection)
        let rows = try connection.records(
            """
            SELECT c.*, m.name AS model FROM model_costs c JOIN models m ON m.model_id = c.model_id
            WHERE c.model_id IN (SELECT DISTINCT model_id FROM forecasts WHERE run_id = ?)
            ORDER BY m.name
            """, [.integer(forecastRunID)])
        return try rows.compactMap { r in
            guard let modelID = r["model_id"]?.integer, let name = r["model"]?.text,
                let stored = profiles.first(where: { $0.name == r["profile"]?.text })
            else { return nil }
            var estimator = CostEstimator(catalog: catalog)
            if let path = stored.measuredPath { estimator.measured = try MeasuredProfile.read(path: path) }
            let workload = Workload(
                promptTokens: r["mean_prompt_tokens"]?.real ?? 1, cachedTokens: r["mean_cached_tokens"]?.real ?? 0,
                outputTokens: r["mean_output_tokens"]?.real ?? 1)
            return (
                modelID,
                try ModelDeployment(model: name, profile: stored.profile, workload: workload, estimator: estimator)
            )
        }
    }

    func forecastDays(modelID: Int64, phase: Phase) throws -> [DailyDemand] {
        try connection.rows(
            """
            SELECT day, yhat, lo80, hi80, lo95, hi95 FROM forecasts
            WHERE run_id = ? AND series = 'gpu_hours' AND phase = ? AND model_id = ? ORDER BY day
            """, [.integer(forecastRunID), .text(phase.rawValue), .integer(modelID)]
        ).map { r in
            DailyDemand(
                day: r[0].integer ?? 0, median: r[1].real ?? 0, lower80: r[2].real ?? 0, upper80: r[3].real ?? 0,
                lower95: r[4].real ?? 0, upper95: r[5].real ?? 0)
        }
    }

    /// The last 7 whole days up to the cutoff, as known demand.
    func recentDays(model: String, phase: Phase) throws -> [DailyDemand] {
        try connection.rows(
            """
            SELECT CAST(julianday(day) - 2440587.5 AS INTEGER), \(phase == .prefill ? "prefill_gpu_hours" : "decode_gpu_hours")
            FROM v_daily_phase WHERE model = ? AND coverage >= 0.98 AND julianday(day) - 2440587.5 <= ?
            ORDER BY day DESC LIMIT 7
            """, [.text(model), .integer(cutoffDay)]
        ).map { DailyDemand(day: $0[0].integer ?? 0, actual: $0[1].real ?? 0) }
    }

    /// Peak and burst factors over the lookback days before the cutoff.
    func measuredShape(modelID: Int64, model: String, phase: Phase) throws -> IntradayShape {
        let first = cutoffDay - Int64(lookbackDays) + 1
        let gpuHours = phase == .prefill ? "prefill_gpu_hours" : "decode_gpu_hours"
        let rates =
            phase == .prefill
            ? ("peak_minute_prefill_tps", "peak_hour_prefill_tps") : ("peak_minute_output_tps", "peak_hour_output_tps")
        let days = try connection.rows(
            """
            SELECT CAST(julianday(v.day) - 2440587.5 AS INTEGER) AS d, v.\(gpuHours), v.\(rates.0), v.\(rates.1), p.peak
            FROM v_daily_phase v
            LEFT JOIN (SELECT day, MAX(\(gpuHours)) AS peak FROM v_hourly_gpu_hours WHERE model_id = ? GROUP BY day) p
                ON p.day = CAST(julianday(v.day) - 2440587.5 AS INTEGER)
            WHERE v.model = ? AND v.coverage >= 0.98 AND julianday(v.day) - 2440587.5 BETWEEN ? AND ?
            """, [.integer(modelID), .text(model), .integer(first), .integer(cutoffDay)])
        return IntradayShape.measure(
            days.map { r in
                IntradayShape.Day(
                    day: r[0].integer ?? 0, gpuHours: r[1].real ?? 0, peakHourGPUHours: r[4].real ?? 0,
                    peakMinuteRate: r[2].real ?? 0, peakHourRate: r[3].real ?? 0)
            })
    }

    // MARK: - Storing the plan

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
                    .integer(end),
                    .integer(Int64(q)), .text(phase), .text(gpu), .integer(Int64(workers)), .integer(Int64(gpus)),
                    .integer(Int64(nodes)), .real(Double(gpus) * price * CapacityPlan.hoursPerMonth),
                ])
                try insert.run()
            }
            for column in plan.columns {
                for cell in column.cells {
                    for pool in cell.pools {
                        try add(
                            column.name, cell.horizon.key, cell.horizon.lastDay, cell.quantile, pool.phase.rawValue,
                            pool.gpu,
                            workers: pool.plans.reduce(0) { $0 + $1.workersWithSpares }, gpus: pool.gpus,
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
                        gpus: gpus,
                        nodes: gpus / max(perNode, 1))
                }
            }
        }
    }

    // MARK: - Report inputs

    func history() throws -> [HistoryDay] {
        try connection.rows(
            """
            SELECT CAST(julianday(day) - 2440587.5 AS INTEGER), coverage, requests, prefill_tokens, output_tokens,
                prefill_gpu_hours, decode_gpu_hours
            FROM v_daily_phase WHERE model = 'all' AND julianday(day) - 2440587.5 <= ? + 1 ORDER BY day
            """, [.integer(cutoffDay)]
        ).map { r in
            HistoryDay(
                day: r[0].integer ?? 0, coverage: r[1].real ?? 0, requests: r[2].integer ?? 0,
                prefillTokens: r[3].real ?? 0,
                outputTokens: r[4].real ?? 0, prefillGPUHours: r[5].real ?? 0, decodeGPUHours: r[6].real ?? 0)
        }
    }

    func methods() throws -> [MethodChoice] {
        try connection.rows(
            """
            SELECT CASE s.model_id WHEN 0 THEN 'all' ELSE m.name END, s.phase, s.method, s.backtest_mase, s.notes
            FROM forecast_series s LEFT JOIN models m ON m.model_id = s.model_id
            WHERE s.run_id = ? AND s.series = 'gpu_hours'
            ORDER BY s.model_id = 0 DESC, m.name, s.phase DESC
            """, [.integer(forecastRunID)]
        ).map { r in
            MethodChoice(
                model: r[0].text ?? "", phase: Phase(rawValue: r[1].text ?? "") ?? .prefill, method: r[2].text ?? "",
                backtestMASE: r[3].real, notes: (r[4].text ?? "").split(separator: "\n").map(String.init))
        }
    }

    /// Realized accuracy of this pipeline's earlier forecasts of all models' GPU-hours, by band
    /// of days ahead, in one pass over `v_forecast_errors`.
    func realized() throws -> [RealizedAccuracy] {
        let bandLabels = ["1–7", "8–30", "31–90", "91+"]
        let rows = try connection.rows(
            """
            SELECT CASE WHEN horizon_days <= 7 THEN 0 WHEN horizon_days <= 30 THEN 1 WHEN horizon_days <= 90 THEN 2
                    ELSE 3 END AS band,
                phase, COUNT(*), AVG(scaled_error), AVG(inside80), AVG(inside95),
                SUM(abs_error) / NULLIF(SUM(actual), 0)
            FROM v_forecast_errors
            WHERE pipeline = ? AND run_id <> ? AND series = 'gpu_hours' AND model = 'all' AND horizon_days >= 1
                AND scaled_error IS NOT NULL
            GROUP BY band, phase
            ORDER BY band, phase <> 'prefill'
            """,
            [.text(pipeline), .integer(forecastRunID)])
        return rows.compactMap { r -> RealizedAccuracy? in
            guard let band = r[0].integer, let phase = Phase(rawValue: r[1].text ?? "") else { return nil }
            return RealizedAccuracy(
                horizon: bandLabels[Int(band)], phase: phase, points: Int(r[2].integer ?? 0), mase: r[3].real ?? 0,
                relativeError: r[6].real, coverage80: r[4].real ?? 0, coverage95: r[5].real ?? 0)
        }
    }

    /// Mean share of a whole day's busy GPU-time in each hour, all models, over the lookback.
    func intraday() throws -> [Phase: [Double]] {
        let first = cutoffDay - Int64(lookbackDays) + 1
        var result: [Phase: [Double]] = [:]
        for phase in Phase.allCases {
            let column = phase == .prefill ? "prefill_gpu_hours" : "decode_gpu_hours"
            let rows = try connection.rows(
                """
                SELECT h.hour % 24, h.\(column) / d.total FROM v_hourly_gpu_hours h
                JOIN (SELECT day, SUM(\(column)) AS total FROM v_hourly_gpu_hours WHERE model_id = 0 GROUP BY day) d ON d.day = h.day
                JOIN mart_daily_phase m ON m.day = h.day AND m.model_id = 0
                WHERE h.model_id = 0 AND m.coverage >= 0.98 AND d.total > 0 AND h.day BETWEEN ? AND ?
                """, [.integer(first), .integer(cutoffDay)])
            var sums = [Double](repeating: 0, count: 24)
            var counts = [Double](repeating: 0, count: 24)
            for r in rows {
                guard let hour = r[0].integer, let share = r[1].real else { continue }
                sums[Int(hour)] += share
                counts[Int(hour)] += 1
            }
            result[phase] = (0..<24).map { counts[$0] > 0 ? sums[$0] / counts[$0] : 0 }
        }
        return result
    }

    /// The latest earlier report of this pipeline, for "what changed".
    func previousReport(plan: CapacityPlan) throws -> PreviousReport? {
        guard let horizon = plan.horizons.max(by: { $0.lastDay < $1.lastDay }) else { return nil }
        guard
            let last = try connection.rows(
                "SELECT MAX(as_of_day) FROM capacity_plans WHERE pipeline = ? AND as_of_day < ?",
                [.text(pipeline), .integer(cutoffDay)])[0][0].integer
        else { return nil }
        let rows = try connection.rows(
            """
            SELECT phase, SUM(gpus), SUM(dollars_per_month), MAX(horizon_end_day), MAX(forecast_run_id) FROM capacity_plans
            WHERE pipeline = ? AND as_of_day = ? AND scenario = 'baseline' AND horizon = ? AND quantile = ?
                AND phase IN ('prefill', 'decode')
            GROUP BY phase
            """, [.text(pipeline), .integer(last), .text(horizon.key), .integer(Int64(plan.headlineQuantile))])
        guard !rows.isEmpty else { return nil }
        var gpus: [Phase: Int] = [:]
        var dollars = 0.0
        var end: Int64 = last
        var runID: Int64 = 0
        for r in rows {
            guard let phase = Phase(rawValue: r[0].text ?? "") else { continue }
            gpus[phase] = Int(r[1].integer ?? 0)
            dollars += r[2].real ?? 0
            end = r[3].integer ?? end
            runID = r[4].integer ?? runID
        }
        var mase: [Phase: Double] = [:]
        for r in try connection.rows(
            "SELECT phase, backtest_mase FROM forecast_series WHERE run_id = ? AND series = 'gpu_hours' AND model_id = 0",
            [.integer(runID)])
        {
            if let phase = Phase(rawValue: r[0].text ?? ""), let value = r[1].real { mase[phase] = value }
        }
        let ratio = try connection.rows(
            """
            SELECT SUM(prefill_tokens) / NULLIF(SUM(output_tokens), 0) FROM (
                SELECT prefill_tokens, output_tokens FROM v_daily_phase
                WHERE model = 'all' AND coverage >= 0.98 AND julianday(day) - 2440587.5 <= ? ORDER BY day DESC LIMIT 7)
            """, [.integer(last)])[0][0].real
        return PreviousReport(
            asOfDay: last, gpus: gpus, dollarsPerMonth: dollars, horizonEndDay: end, tokenRatio: ratio,
            backtestMASE: mase)
    }

    func assumptions(_ deployments: [(Int64, ModelDeployment)]) throws -> [ModelAssumption] {
        let costs = try connection.records("SELECT * FROM model_costs")
        return deployments.map { modelID, deployment in
            let row = costs.first { $0["model_id"]?.integer == modelID }
            let e = deployment.estimate
            return ModelAssumption(
                model: deployment.model, profile: row?["profile"]?.text ?? "", summary: deployment.profile.summary,
                meanPromptTokens: deployment.workload.promptTokens, meanCachedTokens: deployment.workload.cachedTokens,
                meanOutputTokens: deployment.workload.outputTokens,
                prefillBound: "TP\(e.prefill.tp), \(e.prefill.bound.rawValue)",
                decodeBound: "TP\(e.decode.tp), \(e.decode.bound.rawValue)",
                prefillTokensPerSecondPerGPU: e.prefill.tokensPerSecondPerGPUAtSLA,
                decodeTokensPerSecondPerGPU: e.decode.tokensPerSecondPerGPU)
        }
    }

    func quality(plan: CapacityPlan) throws -> DataQuality {
        let loaded = Int(
            try connection.scalar("SELECT COUNT(*) FROM v_source_files WHERE status <> 'failed'")?.integer ?? 0)
        // 'outdated': the newest content at the path failed; the rows are of earlier content.
        let failed = try connection.rows(
            "SELECT path, error, status = 'outdated' FROM v_source_files WHERE status IN ('failed', 'outdated') ORDER BY path"
        ).map { (path: $0[0].text ?? "", error: $0[1].text ?? "", earlierRowsKept: $0[2].integer == 1) }
        let rejected = Int(try connection.scalar("SELECT COUNT(*) FROM rejects")?.integer ?? 0)
        let reasons = try connection.rows(
            "SELECT reason, COUNT(*) FROM rejects GROUP BY reason ORDER BY COUNT(*) DESC, reason LIMIT 5"
        ).map { (reason: $0[0].text ?? "", count: Int($0[1].integer ?? 0)) }
        let empty = try connection.rows(
            "SELECT day FROM mart_daily_phase WHERE model_id = 0 AND requests = 0 AND coverage > 0 AND day <= ? ORDER BY day",
            [.integer(cutoffDay)]
        ).compactMap { $0[0].integer }
        let notes =
            (try connection.scalar("SELECT notes FROM forecast_runs WHERE run_id = ?", [.integer(forecastRunID)])?.text
            ?? "")
            .split(separator: "\n").map(String.init)
        let gpus = Set(plan.economics.keys).sorted()
        var sources: [(gpu: String, source: String, priceSource: String)] = []
        for gpu in gpus {
            let row = try connection.rows("SELECT source, price_source FROM gpus WHERE name = ?", [.text(gpu)]).first
            sources.append((gpu, row?[0].text ?? "", row?[1].text ?? ""))
        }
        return DataQuality(
            filesLoaded: loaded, failedFiles: failed, rejectedLines: rejected, rejectReasons: reasons, emptyDays: empty,
            forecastNotes: notes, seedSources: sources)
    }
}
