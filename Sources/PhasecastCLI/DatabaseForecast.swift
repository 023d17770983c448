import Forecasting
import Foundation
import PhasecastCore
import Store

/// Forecasts a database's daily series per phase, per model and for all models, and stores them.
struct DatabaseForecast {
    let connection: Connection
    let horizonDays: Int
    /// Event days (days since the epoch), for the regression method.
    let eventDays: Set<Int64>

    /// One daily series to forecast.
    struct Series {
        var kind: String
        var phase: String
        var modelID: Int64
        var model: String
        var firstDay: Int64
        var values: [Double]
    }

    /// Reads the series, forecasts them and stores one run; returns a summary for standard error.
    func run() throws -> String {
        var notes: [String] = []
        let daily = try connection.rows(
            """
            SELECT d.day, d.model_id, COALESCE(m.name, 'all'), d.coverage,
                v.prefill_gpu_hours, v.decode_gpu_hours, d.prefill_tokens, d.output_tokens
            FROM mart_daily_phase d
            LEFT JOIN models m ON m.model_id = d.model_id
            JOIN v_daily_phase v ON v.day = date(d.day * 86400, 'unixepoch') AND v.model = COALESCE(m.name, 'all')
            ORDER BY d.model_id, d.day
            """)
        guard !daily.isEmpty else {
            throw CommandError(
                message: "\(connection.path) has no daily rollups; run phasecast ingest (and transform) first",
                status: .dataError)
        }
        // Peak hour of each day: the busiest hour's GPU-hours, per phase.
        let peaks = try connection.rows(
            """
            SELECT h.day, h.model_id, MAX(v.prefill_gpu_hours), MAX(v.decode_gpu_hours)
            FROM mart_hourly_phase h
            LEFT JOIN models m ON m.model_id = h.model_id
            JOIN v_hourly_phase v ON v.hour_start_us = (h.hour * 3600 - COALESCE((SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'utc_offset_minutes'), 0) * 60) * 1000000
                AND v.model = COALESCE(m.name, 'all')
            GROUP BY h.day, h.model_id
            """)
        var peakByKey: [String: (Double, Double)] = [:]
        for row in peaks {
            peakByKey["\(row[0].integer ?? 0)/\(row[1].integer ?? 0)"] = (row[2].real ?? 0, row[3].real ?? 0)
        }
        // Whole days only: partial days at the ends of the span would look like dips. A day
        // whose span misses under half an hour (the last request came at 23:40) counts as whole.
        let allDays = daily.filter { $0[1].integer == 0 }
        let whole = allDays.filter { ($0[3].real ?? 0) >= Self.wholeDayCoverage }.compactMap { $0[0].integer }
        guard let first = whole.first, let last = whole.last else {
            throw CommandError(
                message: "\(connection.path) holds no whole day of traffic yet; nothing to forecast", status: .dataError
            )
        }
        let spanFirst = allDays.first?[0].integer ?? first
        let spanLast = allDays.last?[0].integer ?? last
        if spanFirst < first { notes.append("the first day (\(Self.date(spanFirst))) is partial and left out") }
        if spanLast > last {
            notes.append(
                "the last day (\(Self.date(spanLast))) is partial and left out; forecasts start the day after it")
        }

        var series: [String: Series] = [:]
        var order: [String] = []
        for row in daily {
            guard let day = row[0].integer, day >= first, day <= last, let modelID = row[1].integer else { continue }
            let model = row[2].text ?? "all"
            let peak = peakByKey["\(day)/\(modelID)"] ?? (0, 0)
            let values: [(String, String, Double)] = [
                ("gpu_hours", "prefill", row[4].real ?? 0), ("gpu_hours", "decode", row[5].real ?? 0),
                ("tokens", "prefill", row[6].real ?? 0), ("tokens", "decode", row[7].real ?? 0),
                ("peak_hour_gpu_hours", "prefill", peak.0), ("peak_hour_gpu_hours", "decode", peak.1),
            ]
            for (kind, phase, value) in values {
                let key = "\(kind)/\(phase)/\(modelID)"
                if series[key] == nil {
                    series[key] = Series(
                        kind: kind, phase: phase, modelID: modelID, model: model, firstDay: day, values: [])
                    order.append(key)
                }
                series[key]!.values.append(value)
            }
        }
        // Forecasts start after the last day with data, partial or not.
        let startDay = spanLast + 1
        let gap = Int(startDay - (last + 1))
        let horizon = horizonDays + gap
        let list = order.map { series[$0]! }
        let results = parallelMap(list.count) { index -> AutoForecaster.Result in
            let s = list[index]
            let seasons = Frequency.daily.defaultSeasons(length: s.values.count)
            let events = Set(eventDays.compactMap { day -> Int? in day >= s.firstDay ? Int(day - s.firstDay) : nil })
            let forecaster = AutoForecaster.automatic(frequency: .daily, seasons: seasons, events: events)
            return forecaster.forecast(s.values, h: horizon)
        }
        let length = list.first?.values.count ?? 0
        if length < 28 { notes.append("only \(length) whole days of history: forecasts rest on short backtests") }
        if length >= 2 * 365 + 14 { notes.append("two years of history: yearly seasonality is modelled") }
        let now = UTCTime.iso8601(micros: Int64(Date().timeIntervalSince1970) * 1_000_000)
        var runID: Int64 = 0
        try connection.immediateTransaction {
            try connection.run(
                "INSERT INTO forecast_runs (created_at, horizon_days, cutoff_day, notes) VALUES (?, ?, ?, ?)",
                [.text(now), .integer(Int64(horizonDays)), .integer(last), .text(notes.joined(separator: "\n"))])
            runID = connection.lastInsertRowID
            let insertSeries = try connection.prepare("INSERT INTO forecast_series VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
            let insert = try connection.prepare("INSERT INTO forecasts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
            for (s, result) in zip(list, results) {
                insertSeries.bind([
                    .integer(runID), .text(s.kind), .text(s.phase), .integer(s.modelID), .text(result.model),
                    result.backtestMASE.map { .real($0) } ?? .null, .integer(Int64(s.values.count)),
                    .text(result.notes.joined(separator: "\n")),
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
                "\nall models, prefill GPU-hours: \(r.model) (backtest MASE \(r.backtestMASE.map { String(format: "%.2f", $0) } ?? "–"))"
        }
        return summary
    }

    /// Share of a day the observed span must cover for the day to count as whole.
    static let wholeDayCoverage = 0.98

    static func date(_ day: Int64) -> String { UTCTime.isoDate(micros: day * UTCTime.microsPerDay) }
}
