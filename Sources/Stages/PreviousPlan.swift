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
        var mase: [Phase: Double] = [:]
        for r in try connection.query(
            "SELECT phase, backtest_mase FROM forecast_series WHERE run_id = ? AND series = 'gpu_hours' AND model_id = 0",
            [.integer(runID)])
        {
            if let phase = Phase(rawValue: try r.text("phase")), let value = try r.optionalDouble("backtest_mase") {
                mase[phase] = value
            }
        }
        return PreviousReport(
            asOfDay: last, gpus: gpus, dollarsPerMonth: dollars, horizonEndDay: end,
            tokenRatio: try Self.tokenRatio(through: last, in: connection), backtestMASE: mase)
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
