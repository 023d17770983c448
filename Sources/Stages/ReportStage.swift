import Foundation
import LogFormats
import PhasecastCore
import Planning
import Reporting
import Store

/// The report stage: gathers what the capacity report shows beside the plan (history, the
/// forecast, methods, realized accuracy, intraday shape, assumptions, data quality) and writes
/// the report's files under `<reports>/<pipeline>/<date>/`.
public struct ReportStage {
    let connection: Connection
    let pipeline: String
    let forecastRunID: Int64
    let cutoffDay: Int64
    let policy: PlanPolicy
    let lookbackDays: Int

    public init(
        connection: Connection, pipeline: String, forecast: ForecastStage.Outcome, policy: PlanPolicy,
        lookbackDays: Int
    ) {
        self.connection = connection
        self.pipeline = pipeline
        self.forecastRunID = forecast.runID
        self.cutoffDay = forecast.cutoffDay
        self.policy = policy
        self.lookbackDays = lookbackDays
    }

    /// The report's input for a plan the plan stage made.
    public func input(for planned: PlanStage.Outcome) throws -> ReportInput {
        var allForecast: [Phase: [DailyDemand]] = [:]
        for phase in Phase.allCases {
            allForecast[phase] = try ForecastTable.days(connection, runID: forecastRunID, modelID: 0, phase: phase)
        }
        return ReportInput(
            pipeline: pipeline, asOfDay: cutoffDay, forecastRunID: forecastRunID, plan: planned.plan,
            history: try history(), forecast: allForecast, methods: try methods(), realized: try realized(),
            intraday: try intraday(), shapes: planned.shapes, previous: planned.previous,
            assumptions: assumptions(planned.deployments), quality: try quality(plan: planned.plan), policy: policy,
            lookbackDays: lookbackDays)
    }

    /// Writes the report's files under `<reports>/<pipeline>/<date>/`; returns that folder.
    public static func write(_ input: ReportInput, under reports: String) throws -> String {
        let directory = "\(reports)/\(input.pipeline)/\(CalendarDay.format(input.asOfDay))"
        try write(input, into: directory)
        return directory
    }

    /// Writes the report's files into `directory` (made if missing), each replaced atomically.
    public static func write(_ input: ReportInput, into directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for file in CapacityReport(input).files() {
                try file.text.write(toFile: directory + "/" + file.name, atomically: true, encoding: .utf8)
            }
        } catch {
            throw StageError.file(path: directory, reason: error.localizedDescription, status: .ioError)
        }
    }

    func history() throws -> [HistoryDay] {
        try connection.query(
            """
            SELECT day_key, coverage, requests, prefill_tokens, output_tokens, prefill_gpu_hours, decode_gpu_hours
            FROM v_daily_phase WHERE model = 'all' AND day_key <= ? + 1 ORDER BY day_key
            """, [.integer(cutoffDay)]
        ).map { r in
            HistoryDay(
                day: try r.int("day_key"), coverage: try r.double("coverage"), requests: try r.int("requests"),
                prefillTokens: try r.double("prefill_tokens"), outputTokens: try r.double("output_tokens"),
                prefillGPUHours: try r.optionalDouble("prefill_gpu_hours") ?? 0,
                decodeGPUHours: try r.optionalDouble("decode_gpu_hours") ?? 0)
        }
    }

    func methods() throws -> [MethodChoice] {
        try connection.query(
            """
            SELECT CASE s.model_id WHEN 0 THEN 'all' ELSE m.name END AS model, s.phase, s.method, s.backtest_mase,
                s.notes
            FROM forecast_series s LEFT JOIN models m ON m.model_id = s.model_id
            WHERE s.run_id = ? AND s.series = 'gpu_hours'
            ORDER BY s.model_id = 0 DESC, m.name, s.phase DESC
            """, [.integer(forecastRunID)]
        ).map { r in
            MethodChoice(
                model: try r.text("model"), phase: try r.value(Phase.self, "phase"), method: try r.text("method"),
                backtestMASE: try r.optionalDouble("backtest_mase"),
                notes: try r.text("notes").split(separator: "\n").map(String.init))
        }
    }

    /// Realized accuracy of this pipeline's earlier forecasts of all models' GPU-hours, by band
    /// of days ahead, in one pass over `v_forecast_errors`.
    func realized() throws -> [RealizedAccuracy] {
        let bandLabels = ["1–7", "8–30", "31–90", "91+"]
        let rows = try connection.query(
            """
            SELECT CASE WHEN horizon_days <= 7 THEN 0 WHEN horizon_days <= 30 THEN 1 WHEN horizon_days <= 90 THEN 2
                    ELSE 3 END AS band,
                phase, COUNT(*) AS points, AVG(scaled_error) AS mase, AVG(inside80) AS coverage80,
                AVG(inside95) AS coverage95, SUM(abs_error) / NULLIF(SUM(actual), 0) AS relative_error
            FROM v_forecast_errors
            WHERE pipeline = ? AND run_id <> ? AND series = 'gpu_hours' AND model = 'all' AND horizon_days >= 1
                AND scaled_error IS NOT NULL
            GROUP BY band, phase
            ORDER BY band, phase <> 'prefill'
            """,
            [.text(pipeline), .integer(forecastRunID)])
        return try rows.compactMap { r -> RealizedAccuracy? in
            guard let phase = Phase(rawValue: try r.text("phase")) else { return nil }
            return RealizedAccuracy(
                horizon: bandLabels[Int(try r.int("band"))], phase: phase, points: Int(try r.int("points")),
                mase: try r.double("mase"), relativeError: try r.optionalDouble("relative_error"),
                coverage80: try r.double("coverage80"), coverage95: try r.double("coverage95"))
        }
    }

    /// Mean share of a whole day's busy GPU-time in each hour, all models, over the lookback.
    func intraday() throws -> [Phase: [Double]] {
        let first = cutoffDay - Int64(lookbackDays) + 1
        var result: [Phase: [Double]] = [:]
        for phase in Phase.allCases {
            let column = phase.gpuHoursColumn
            let rows = try connection.query(
                """
                SELECT h.hour % 24 AS hour_of_day, h.\(column) / d.total AS share FROM v_hourly_gpu_hours h
                JOIN (SELECT day, SUM(\(column)) AS total FROM v_hourly_gpu_hours WHERE model_id = 0 GROUP BY day) d ON d.day = h.day
                JOIN mart_daily_phase m ON m.day = h.day AND m.model_id = 0
                WHERE h.model_id = 0 AND m.coverage >= 0.98 AND d.total > 0 AND h.day BETWEEN ? AND ?
                """, [.integer(first), .integer(cutoffDay)])
            var sums = [Double](repeating: 0, count: 24)
            var counts = [Double](repeating: 0, count: 24)
            for r in rows {
                guard let share = try r.optionalDouble("share") else { continue }
                let hour = Int(try r.int("hour_of_day"))
                sums[hour] += share
                counts[hour] += 1
            }
            result[phase] = (0..<24).map { counts[$0] > 0 ? sums[$0] / counts[$0] : 0 }
        }
        return result
    }

    func assumptions(
        _ deployments: [(modelID: Int64, profile: String, deployment: ModelDeployment)]
    )
        -> [ModelAssumption]
    {
        deployments.map { _, profile, deployment in
            let e = deployment.estimate
            return ModelAssumption(
                model: deployment.model, profile: profile, summary: deployment.profile.summary,
                meanPromptTokens: deployment.workload.promptTokens, meanCachedTokens: deployment.workload.cachedTokens,
                meanOutputTokens: deployment.workload.outputTokens,
                prefillBound: "\(e.prefill.layout), \(e.prefill.bound.rawValue)",
                decodeBound: "\(e.decode.layout), \(e.decode.bound.rawValue)",
                prefillTokensPerSecondPerGPU: e.prefill.tokensPerSecondPerGPUAtSLA,
                decodeTokensPerSecondPerGPU: e.decode.tokensPerSecondPerGPU)
        }
    }

    func quality(plan: CapacityPlan) throws -> DataQuality {
        let loaded = Int(
            try connection.queryOne("SELECT COUNT(*) AS n FROM v_source_files WHERE status <> 'failed'").int("n"))
        // 'outdated': the newest content at the path failed; the rows are of earlier content.
        // A quarantined file is listed as such, not as failed.
        let quarantine = try Quarantine(connection: connection).list()
        let quarantined = Set(quarantine.map(\.path))
        let failed = try connection.query(
            """
            SELECT path, error, status = 'outdated' AS earlier_rows_kept FROM v_source_files
            WHERE status IN ('failed', 'outdated') ORDER BY path
            """
        ).map {
            (
                path: try $0.text("path"), error: try $0.optionalText("error") ?? "",
                earlierRowsKept: try $0.bool("earlier_rows_kept")
            )
        }.filter { !quarantined.contains(Quarantine.key($0.path)) }
        let rejected = Int(try connection.queryOne("SELECT COUNT(*) AS n FROM rejects").int("n"))
        let reasons = try connection.query(
            "SELECT reason, COUNT(*) AS n FROM rejects GROUP BY reason ORDER BY COUNT(*) DESC, reason LIMIT 5"
        ).map { (reason: try $0.text("reason"), count: Int(try $0.int("n"))) }
        let empty = try connection.query(
            """
            SELECT day FROM mart_daily_phase WHERE model_id = 0 AND requests = 0 AND coverage > 0 AND day <= ?
            ORDER BY day
            """, [.integer(cutoffDay)]
        ).map { try $0.int("day") }
        let notes =
            try connection.queryFirst("SELECT notes FROM forecast_runs WHERE run_id = ?", [.integer(forecastRunID)])?
            .optionalText("notes") ?? ""
        var sources: [(gpu: String, source: String, priceSource: String)] = []
        for gpu in Set(plan.economics.keys).sorted() {
            let row = try connection.queryFirst("SELECT source, price_source FROM gpus WHERE name = ?", [.text(gpu)])
            sources.append((gpu, try row?.text("source") ?? "", try row?.text("price_source") ?? ""))
        }
        var quality = DataQuality(
            filesLoaded: loaded, failedFiles: failed, rejectedLines: rejected, rejectReasons: reasons, emptyDays: empty,
            forecastNotes: notes.split(separator: "\n").map(String.init), seedSources: sources)
        quality.sampledFiles = try connection.query(
            """
            SELECT sample_rate, COUNT(*) AS n FROM v_source_files
            WHERE status <> 'failed' AND sample_rate > 1 GROUP BY sample_rate ORDER BY sample_rate
            """
        ).map { (rate: try $0.int("sample_rate"), files: Int(try $0.int("n"))) }
        quality.skippedLines = try connection.query(
            """
            SELECT s.kind, SUM(s.lines) AS lines FROM source_file_skips s
            JOIN source_files f ON f.file_id = s.file_id WHERE f.status <> 'failed'
            GROUP BY s.kind ORDER BY lines DESC, s.kind
            """
        ).map { row in
            let kind = try row.text("kind")
            return (kind: SkipKind(rawValue: kind)?.phrase ?? kind, lines: try row.int("lines"))
        }
        quality.aggregatedFiles = Int(
            try connection.queryOne(
                "SELECT COUNT(*) AS n FROM source_files WHERE status <> 'failed' AND aggregated = 1"
            ).int("n"))
        quality.fileWarnings = try connection.query(
            "SELECT path, warnings FROM source_files WHERE status <> 'failed' AND warnings IS NOT NULL ORDER BY path"
        ).flatMap { row in
            let path = try row.text("path")
            return try row.text("warnings").split(separator: "\n").map { (path: path, warning: String($0)) }
        }
        quality.quarantinedFiles = quarantine.map { ($0.path, $0.reason) }
        quality.newestRequestMicros = try Freshness.newestRequest(connection)
        return quality
    }
}
