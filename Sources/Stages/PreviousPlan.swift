import PhasecastCore
import Planning
import Reporting
import Store

/// The latest earlier plan of a pipeline, for the report's "what changed".
struct PreviousPlan {
    let connection: Connection
    let pipeline: String
    let cutoffDay: Int64

    /// The plan stored for the latest day before the cutoff, at the plan's longest horizon and
    /// headline quantile; nil when there is none.
    func read(plan: CapacityPlan) throws -> PreviousReport? {
        guard let horizon = plan.horizons.max(by: { $0.lastDay < $1.lastDay }) else { return nil }
        guard
            let last = try connection.queryOne(
                "SELECT MAX(as_of_day) AS day FROM capacity_plans WHERE pipeline = ? AND as_of_day < ?",
                [.text(pipeline), .integer(cutoffDay)]
            ).optionalInt("day")
        else { return nil }
        let rows = try connection.query(
            """
            SELECT phase, SUM(gpus) AS gpus, SUM(dollars_per_month) AS dollars, MAX(horizon_end_day) AS end_day,
                MAX(forecast_run_id) AS run_id
            FROM capacity_plans
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
            guard let phase = Phase(rawValue: try r.text("phase")) else { continue }
            gpus[phase] = Int(try r.int("gpus"))
            dollars += try r.double("dollars")
            end = try r.int("end_day")
            runID = try r.int("run_id")
        }
        var error: [Phase: Double] = [:]
        var days = 0
        for r in try connection.query(
            """
            SELECT f.phase, COUNT(*) AS days,
                TOTAL(ABS(CASE f.phase WHEN 'prefill' THEN v.prefill_tokens ELSE v.output_tokens END - f.yhat))
                    / NULLIF(TOTAL(CASE f.phase WHEN 'prefill' THEN v.prefill_tokens ELSE v.output_tokens END), 0)
                    AS error
            FROM forecasts f JOIN v_daily_phase v ON v.day_key = f.day AND v.model = 'all'
            WHERE f.run_id = ? AND f.series = 'tokens' AND f.model_id = 0 AND v.coverage >= 0.98 AND f.day <= ?
            GROUP BY f.phase
            """, [.integer(runID), .integer(cutoffDay)])
        {
            guard let phase = Phase(rawValue: try r.text("phase")), let value = try r.optionalDouble("error") else {
                continue
            }
            error[phase] = value
            days = max(days, Int(try r.int("days")))
        }
        return PreviousReport(
            asOfDay: last, gpus: gpus, dollarsPerMonth: dollars, horizonEndDay: end,
            tokenRatio: try Self.tokenRatio(through: last, in: connection),
            tokenForecastError: error, tokenForecastDays: days)
    }

    /// Prefill tokens per output token of the fleet's last 7 whole days up to `day`, as a real
    /// number (below 1 for a decode-heavy fleet); nil without output tokens.
    static func tokenRatio(through day: Int64, in connection: Connection) throws -> Double? {
        try connection.queryOne(
            """
            SELECT CAST(SUM(prefill_tokens) AS REAL) / NULLIF(SUM(output_tokens), 0) AS ratio FROM (
                SELECT prefill_tokens, output_tokens FROM v_daily_phase
                WHERE model = 'all' AND coverage >= 0.98 AND day_key <= ? ORDER BY day_key DESC LIMIT 7)
            """, [.integer(day)]
        ).optionalDouble("ratio")
    }
}
