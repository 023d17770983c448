import Forecasting
import Foundation
import PhasecastCore
import Store

/// The forecast stage: forecasts a database's daily series per phase, per model and for all
/// models, and stores them: one run per pipeline, cutoff day and horizon. The same inputs again
/// reuse the stored run, so re-running a night adds nothing; changed inputs replace it.
public struct ForecastStage {
    let connection: Connection
    let horizonDays: Int
    /// Event days (days since the epoch), for the regression method.
    let eventDays: Set<Int64>
    /// The pipeline the run belongs to ('' for `phasecast forecast --db`).
    public var pipeline = ""
    /// Forecast as of this day (history up to it only), for backfilling the ledger.
    public var asOf: Int64?
    /// Forecast only all models' GPU-hours (what the ledger scores), as backfilled runs do.
    public var totalsOnly = false

    public init(connection: Connection, horizonDays: Int, eventDays: Set<Int64>, pipeline: String = "") {
        self.connection = connection
        self.horizonDays = horizonDays
        self.eventDays = eventDays
        self.pipeline = pipeline
    }

    /// Forecasts are made by this version of the forecaster; a new version is a new input.
    static let forecasterVersion = "phasecast-forecast-4-pooled"

    /// One daily series to forecast.
    struct Series {
        var kind: String
        var phase: String
        var modelID: Int64
        var model: String
        var firstDay: Int64
        var values: [Double]
    }

    /// What a run did.
    public struct Outcome: Sendable {
        public var runID: Int64
        public var reused: Bool
        public var cutoffDay: Int64
        /// Series left out because they hold a non-finite value (named in the run's notes).
        public var unusableSeries: Int
        public var summary: String
    }

    /// Reads the series, forecasts them and stores one run (or finds it stored).
    public func run() throws -> Outcome {
        var notes: [String] = []
        let limit = asOf ?? Int64.max
        let costed = try connection.queryOne(
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'mart_phase_gpu_hours'"
        ).int("n")
        guard costed > 0 else { throw StageError.noDailyRollups(database: connection.path) }
        let daily = try connection.query(
            """
            SELECT d.day, d.model_id, COALESCE(m.name, 'all') AS model, d.coverage,
                v.prefill_gpu_hours, v.decode_gpu_hours, d.prefill_tokens, d.output_tokens
            FROM mart_daily_phase d
            LEFT JOIN models m ON m.model_id = d.model_id
            JOIN v_daily_phase v ON v.day_key = d.day AND v.model = COALESCE(m.name, 'all')
            WHERE d.day <= ?
            ORDER BY d.model_id, d.day
            """, [.integer(limit)]
        ).map { r in
            DailyRow(
                day: try r.int("day"), modelID: try r.int("model_id"), model: try r.text("model"),
                coverage: try r.double("coverage"), prefillGPUHours: try r.optionalDouble("prefill_gpu_hours") ?? 0,
                decodeGPUHours: try r.optionalDouble("decode_gpu_hours") ?? 0,
                prefillTokens: try r.double("prefill_tokens"), outputTokens: try r.double("output_tokens"))
        }
        guard !daily.isEmpty else { throw StageError.noDailyRollups(database: connection.path) }
        // Peak hour of each day: the busiest hour's GPU-hours, per phase.
        var peakByKey: [DayModel: (prefill: Double, decode: Double)] = [:]
        for row in try connection.query(
            """
            SELECT day, model_id, MAX(prefill_gpu_hours) AS prefill, MAX(decode_gpu_hours) AS decode
            FROM v_hourly_gpu_hours WHERE day <= ? GROUP BY day, model_id
            """, [.integer(limit)])
        {
            peakByKey[DayModel(day: try row.int("day"), modelID: try row.int("model_id"))] = (
                try row.optionalDouble("prefill") ?? 0, try row.optionalDouble("decode") ?? 0
            )
        }
        // Whole days only: partial days at the ends of the span would look like dips. A day
        // whose span misses under half an hour (the last request came at 23:40) counts as whole.
        let allDays = daily.filter { $0.modelID == 0 }
        let whole = allDays.filter { $0.coverage >= Self.wholeDayCoverage }.map(\.day)
        guard let first = whole.first, let last = whole.last else {
            throw StageError.noWholeDay(database: connection.path)
        }
        let spanFirst = allDays.first?.day ?? first
        let spanLast = allDays.last?.day ?? last
        if spanFirst < first { notes.append("the first day (\(Self.date(spanFirst))) is partial and left out") }
        if spanLast > last {
            notes.append(
                "the last day (\(Self.date(spanLast))) is partial and left out; forecasts start the day after it")
        }

        var series: [String: Series] = [:]
        var order: [String] = []
        for row in daily where row.day >= first && row.day <= last {
            let peak = peakByKey[DayModel(day: row.day, modelID: row.modelID)] ?? (0, 0)
            let values: [(String, String, Double)] = [
                ("gpu_hours", "prefill", row.prefillGPUHours), ("gpu_hours", "decode", row.decodeGPUHours),
                ("tokens", "prefill", row.prefillTokens), ("tokens", "decode", row.outputTokens),
                ("peak_hour_gpu_hours", "prefill", peak.prefill), ("peak_hour_gpu_hours", "decode", peak.decode),
            ]
            for (kind, phase, value) in values {
                let key = "\(kind)/\(phase)/\(row.modelID)"
                if series[key] == nil {
                    series[key] = Series(
                        kind: kind, phase: phase, modelID: row.modelID, model: row.model, firstDay: row.day,
                        values: [])
                    order.append(key)
                }
                series[key]?.values.append(value)
            }
        }
        // Forecasts start after the last day with data, partial or not.
        let startDay = spanLast + 1
        let gap = Int(startDay - (last + 1))
        let horizon = horizonDays + gap
        // A model launched within the span starts its history at its first day of traffic:
        // the zeros before it are not a pattern to forecast.
        var list = order.compactMap { series[$0] }.map { s -> Series in
            guard let start = s.values.firstIndex(where: { $0 != 0 }), start > 0 else { return s }
            var trimmed = s
            trimmed.values = Array(s.values[start...])
            trimmed.firstDay = s.firstDay + Int64(start)
            return trimmed
        }
        // Backfilled runs need only GPU-hours: the fleet's, as the sum of the models'.
        if totalsOnly { list = list.filter { $0.kind == "gpu_hours" } }
        // A series with a non-finite value (an overflow upstream) cannot be forecast; it is named
        // and left out, and the rest of the fleet is forecast.
        let unusable = list.filter { !$0.values.allSatisfy(\.isFinite) }
        for s in unusable {
            let bad = s.values.indices.filter { !s.values[$0].isFinite }
            notes.append(
                "\(s.model) \(s.kind.replacingOccurrences(of: "_", with: " ")) (\(s.phase)) is not forecast: "
                    + "\(bad.count) day\(bad.count == 1 ? "" : "s") with a non-finite value, the first \(Self.date(s.firstDay + Int64(bad[0])))"
            )
        }
        list.removeAll { !$0.values.allSatisfy(\.isFinite) }
        let digest = inputDigest(list, cutoff: last, horizon: horizon)

        if let stored = try connection.queryFirst(
            "SELECT run_id FROM forecast_runs WHERE pipeline = ? AND cutoff_day = ? AND horizon_days = ? AND input_digest = ?",
            [.text(pipeline), .integer(last), .integer(Int64(horizonDays)), .text(digest)]
        )?.int("run_id") {
            return Outcome(
                runID: stored, reused: true, cutoffDay: last, unusableSeries: unusable.count,
                summary:
                    "forecast: run \(stored) already holds these forecasts (same history through \(Self.date(last)))")
        }

        // The fleet total of a kind and phase is the sum of its models' forecasts, so that every
        // output tells one story; it is forecast on its own only when no model's series is
        // there to add up.
        func parts(of total: Series) -> [Int] {
            list.indices.filter {
                list[$0].modelID != 0 && list[$0].kind == total.kind && list[$0].phase == total.phase
            }
        }
        let forecastIndices = list.indices.filter { list[$0].modelID != 0 || parts(of: list[$0]).isEmpty }
        // The series of the database form one pool: each method's skill and the spread of
        // errors across them inform every series' choice and intervals.
        let pool = forecastIndices.map { index -> (forecaster: AutoForecaster, values: [Double]) in
            let s = list[index]
            let seasons = Frequency.daily.defaultSeasons(length: s.values.count)
            let events = Set(eventDays.compactMap { day -> Int? in day >= s.firstDay ? Int(day - s.firstDay) : nil })
            let forecaster = AutoForecaster.automatic(
                frequency: .daily, seasons: seasons, length: s.values.count, horizon: horizon, events: events)
            return (forecaster, s.values)
        }
        let forecasts = AutoForecaster.forecast(pool: pool, h: horizon).map(SeriesOutcome.init)
        var outcomeOf: [Int: SeriesOutcome] = [:]
        for (n, index) in forecastIndices.enumerated() { outcomeOf[index] = forecasts[n] }
        for index in list.indices where outcomeOf[index] == nil {
            outcomeOf[index] = SeriesOutcome.total(of: parts(of: list[index]).compactMap { outcomeOf[$0] })
        }
        let results = list.indices.compactMap { outcomeOf[$0] }
        let length = list.map(\.values.count).max() ?? 0
        if totalsOnly { notes.append("backfilled: GPU-hours only, to score against what followed") }
        if length < 28 { notes.append("only \(length) whole days of history: forecasts rest on short backtests") }
        if length >= 2 * 365 + 14 { notes.append("two years of history: yearly seasonality is modelled") }
        let now = WallClock.nowISO8601()
        var runID: Int64 = 0
        try connection.immediateTransaction {
            // The same pipeline, cutoff and horizon with other inputs (later data for an old day,
            // a new forecaster): the new run replaces it.
            let replaced = try connection.query(
                "SELECT run_id FROM forecast_runs WHERE pipeline = ? AND cutoff_day = ? AND horizon_days = ?",
                [.text(pipeline), .integer(last), .integer(Int64(horizonDays))])
            for row in replaced {
                for table in ["forecasts", "forecast_series", "forecast_runs"] {
                    try connection.run("DELETE FROM \(table) WHERE run_id = ?", [.integer(try row.int("run_id"))])
                }
            }
            try connection.run(
                """
                INSERT INTO forecast_runs (created_at, horizon_days, cutoff_day, notes, pipeline, input_digest)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
                [
                    .text(now), .integer(Int64(horizonDays)), .integer(last), .text(notes.joined(separator: "\n")),
                    .text(pipeline), .text(digest),
                ])
            runID = connection.lastInsertRowID
            let insertSeries = try connection.prepare(
                """
                INSERT INTO forecast_series (run_id, series, phase, model_id, method, backtest_mase, history_days, notes, mase_scale)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let insert = try connection.prepare("INSERT INTO forecasts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
            for (s, result) in zip(list, results) {
                insertSeries.bind([
                    .integer(runID), .text(s.kind), .text(s.phase), .integer(s.modelID), .text(result.method),
                    result.backtestMASE.map { .real($0) } ?? .null, .integer(Int64(s.values.count)),
                    .text(result.notes.joined(separator: "\n")), .real(AutoForecaster.scale(s.values, season: 7)),
                ])
                try insertSeries.run()
                for k in gap..<horizon {
                    insert.bind([
                        .integer(runID), .text(s.kind), .text(s.phase), .integer(s.modelID),
                        .integer(last + 1 + Int64(k)),
                        .real(result.point[k]), .real(result.lower80[k]), .real(result.upper80[k]),
                        .real(result.lower95[k]),
                        .real(result.upper95[k]),
                    ])
                    try insert.run()
                }
            }
        }
        var summary =
            "forecast: run \(runID), \(list.count) series, \(horizonDays) days from \(Self.date(startDay)), history \(Self.date(first))…\(Self.date(last))"
        for note in notes { summary += "\nnote: " + note }
        if let index = list.firstIndex(where: { $0.kind == "gpu_hours" && $0.modelID == 0 && $0.phase == "prefill" }) {
            let r = results[index]
            summary +=
                "\nall models, prefill GPU-hours: \(r.method) (backtest MASE \(r.backtestMASE.map { String(format: "%.2f", $0) } ?? "–"))"
        }
        return Outcome(
            runID: runID, reused: false, cutoffDay: last, unusableSeries: unusable.count, summary: summary)
    }

    /// A content hash of everything the forecasts depend on. Each byte of a text is mixed as a
    /// 64-bit word, as digests stored by earlier versions were, so that they still match.
    func inputDigest(_ list: [Series], cutoff: Int64, horizon: Int) -> String {
        var hash = ContentHash()
        func mix(_ text: String) { for byte in text.utf8 { hash.mix(UInt64(byte)) } }
        mix(Self.forecasterVersion)
        hash.mix(UInt64(bitPattern: cutoff))
        hash.mix(UInt64(horizon))
        for day in eventDays.sorted() { hash.mix(UInt64(bitPattern: day)) }
        for s in list {
            mix("\(s.kind)/\(s.phase)/\(s.modelID)/\(s.firstDay)")
            for value in s.values { hash.mix(value.bitPattern) }
        }
        return hash.hex
    }

    /// Share of a day the observed span must cover for the day to count as whole.
    public static let wholeDayCoverage = 0.98

    static func date(_ day: Int64) -> String { CalendarDay.format(day) }

    /// One day of one model (0: all) from the marts.
    struct DailyRow {
        var day: Int64
        var modelID: Int64
        var model: String
        var coverage: Double
        var prefillGPUHours: Double
        var decodeGPUHours: Double
        var prefillTokens: Double
        var outputTokens: Double
    }

    struct DayModel: Hashable {
        var day: Int64
        var modelID: Int64
    }
}
