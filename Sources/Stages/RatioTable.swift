import Foundation
import PhasecastCore
import Reporting
import Store

/// The prefill:decode ratio by hour, day or week from the costed marts, with its trend and the
/// periods where it left its band: what `phasecast ratios` shows.
public enum RatioTable {
    /// One period of the table.
    public struct Row: Codable, Sendable {
        public var period: String
        public var coverage: Double
        public var requests: Int64
        public var promptTokens: Int64
        public var prefillTokens: Int64
        public var outputTokens: Int64
        public var tokenRatio: Double?
        /// Prompt tokens, cached ones included, ÷ output tokens.
        public var rawTokenRatio: Double?
        public var prefillGPUHours: Double?
        public var decodeGPUHours: Double?
        public var gpuTimeRatio: Double?
        /// `prefill-heavier` or `decode-heavier` when the period left the band of the periods
        /// before it (written `shift` in every output).
        public var flag: String?

        enum CodingKeys: String, CodingKey {
            case period, coverage, requests, promptTokens, prefillTokens, outputTokens, tokenRatio, rawTokenRatio
            case prefillGPUHours, decodeGPUHours, gpuTimeRatio
            case flag = "shift"
        }

        /// Every field, `null` where there is no value: a reader sees `shift` on every row.
        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(period, forKey: .period)
            try container.encode(coverage, forKey: .coverage)
            try container.encode(requests, forKey: .requests)
            try container.encode(promptTokens, forKey: .promptTokens)
            try container.encode(prefillTokens, forKey: .prefillTokens)
            try container.encode(outputTokens, forKey: .outputTokens)
            try container.encode(tokenRatio, forKey: .tokenRatio)
            try container.encode(rawTokenRatio, forKey: .rawTokenRatio)
            try container.encode(prefillGPUHours, forKey: .prefillGPUHours)
            try container.encode(decodeGPUHours, forKey: .decodeGPUHours)
            try container.encode(gpuTimeRatio, forKey: .gpuTimeRatio)
            try container.encode(flag, forKey: .flag)
        }
    }

    public struct Output: Codable, Sendable {
        public var model: String
        public var by: String
        public var rows: [Row]
        public var tokenRatioTrend: RatioAnalysis.Trend?
        public var gpuTimeRatioTrend: RatioAnalysis.Trend?
    }

    /// The ratio table of `model` ('all' for every model) by `by` (hour, day or week), between
    /// the dates `from` and `to` when given, with the trends of the last 28 days.
    public static func read(
        _ connection: Connection, model: String, from: String?, to: String?, by: String
    ) throws -> Output {
        let db = connection.path
        let known = try connection.queryOne(
            "SELECT count(*) AS n FROM sqlite_master WHERE name IN ('v_daily_phase', 'mart_phase_gpu_hours')"
        ).int("n")
        guard known == 2 else { throw RatioError.noMarts(database: db) }
        let names = try connection.query("SELECT DISTINCT model FROM v_daily_phase").map { try $0.text("model") }
        guard names.contains(model) else { throw RatioError.unknownModel(model, database: db, known: names.sorted()) }
        let view = by == "hour" ? "v_hourly_phase" : "v_daily_phase"
        let period = by == "hour" ? "hour" : "day"
        // Every period of the model: a period's shift flag and the trend depend only on the
        // periods before it, never on the range shown.
        var rows = try connection.query(
            """
            SELECT \(period) AS period, coverage, requests, prompt_tokens, prefill_tokens, output_tokens,
                prefill_gpu_hours, decode_gpu_hours
            FROM \(view) WHERE model = ? ORDER BY \(period)
            """, [.text(model)]
        ).map { r in
            Row(
                period: try r.text("period"), coverage: try r.double("coverage"), requests: try r.int("requests"),
                promptTokens: try r.int("prompt_tokens"), prefillTokens: try r.int("prefill_tokens"),
                outputTokens: try r.int("output_tokens"), tokenRatio: nil, rawTokenRatio: nil,
                prefillGPUHours: try r.optionalDouble("prefill_gpu_hours"),
                decodeGPUHours: try r.optionalDouble("decode_gpu_hours"), gpuTimeRatio: nil, flag: nil)
        }
        if by == "week" { rows = weekly(rows) }
        for index in rows.indices {
            let row = rows[index]
            rows[index].tokenRatio = row.outputTokens > 0 ? Double(row.prefillTokens) / Double(row.outputTokens) : nil
            rows[index].rawTokenRatio = row.outputTokens > 0 ? Double(row.promptTokens) / Double(row.outputTokens) : nil
            if let p = row.prefillGPUHours, let d = row.decodeGPUHours, d > 0 { rows[index].gpuTimeRatio = p / d }
        }
        // Partial periods (the log started or stopped inside them) are neither flagged nor part
        // of a later period's band.
        let whole = rows.map { $0.coverage >= ForecastStage.wholeDayCoverage }
        let window = by == "hour" ? 168 : by == "day" ? 28 : 8
        let flags = RatioAnalysis.flags(rows.indices.map { whole[$0] ? rows[$0].tokenRatio : nil }, window: window)
        for index in rows.indices { rows[index].flag = flags[index]?.rawValue }
        // The trend is over the last 28 whole days up to the last day shown, whatever the
        // table's period.
        let daily = try connection.query(
            """
            SELECT day, coverage, prefill_tokens, output_tokens, prefill_gpu_hours, decode_gpu_hours FROM v_daily_phase
            WHERE model = ? AND coverage >= ? AND day <= ? ORDER BY day
            """, [.text(model), .real(ForecastStage.wholeDayCoverage), .text(to ?? "9999-12-31")])
        let tokenRatios = try daily.map { r -> Double? in
            let output = try r.double("output_tokens")
            return output > 0 ? try r.double("prefill_tokens") / output : nil
        }
        let timeRatios = try daily.map { r -> Double? in
            guard let p = try r.optionalDouble("prefill_gpu_hours"), let d = try r.optionalDouble("decode_gpu_hours"),
                d > 0
            else { return nil }
            return p / d
        }
        // The range shown: a period is in it when its day is (an hour by its date, a week by its Monday).
        rows = rows.filter { row in
            let day = String(row.period.prefix(10))
            return (from.map { day >= $0 } ?? true) && (to.map { day <= $0 } ?? true)
        }
        return Output(
            model: model, by: by, rows: rows,
            tokenRatioTrend: RatioAnalysis.trend(tokenRatios, window: 28),
            gpuTimeRatioTrend: RatioAnalysis.trend(timeRatios, window: 28))
    }

    /// Days summed into ISO weeks (Monday first), labelled by their Monday.
    static func weekly(_ days: [Row]) -> [Row] {
        var weeks: [Row] = []
        var currentKey: Int?
        for day in days {
            let parts = day.period.split(separator: "-").compactMap { Int64($0) }
            guard parts.count == 3 else { continue }
            let dayNumber = UTCTime.daysFromCivil(year: parts[0], month: parts[1], day: parts[2])
            let key = Int(UTCTime.floorDiv(dayNumber + 3, 7))  // 1970-01-01 was a Thursday
            let monday = Int64(key * 7 - 3)
            if currentKey != key {
                currentKey = key
                weeks.append(
                    Row(
                        period: UTCTime.isoDate(micros: monday * UTCTime.microsPerDay), coverage: 0, requests: 0,
                        promptTokens: 0, prefillTokens: 0, outputTokens: 0, tokenRatio: nil, rawTokenRatio: nil,
                        prefillGPUHours: 0, decodeGPUHours: 0, gpuTimeRatio: nil, flag: nil))
            }
            weeks[weeks.count - 1].coverage += day.coverage / 7
            weeks[weeks.count - 1].requests += day.requests
            weeks[weeks.count - 1].promptTokens += day.promptTokens
            weeks[weeks.count - 1].prefillTokens += day.prefillTokens
            weeks[weeks.count - 1].outputTokens += day.outputTokens
            weeks[weeks.count - 1].prefillGPUHours =
                (weeks[weeks.count - 1].prefillGPUHours ?? 0) + (day.prefillGPUHours ?? 0)
            weeks[weeks.count - 1].decodeGPUHours =
                (weeks[weeks.count - 1].decodeGPUHours ?? 0) + (day.decodeGPUHours ?? 0)
        }
        return weeks
    }

}

/// Why the ratio table cannot be read.
public enum RatioError: PhasecastError, Equatable {
    case noMarts(database: String)
    case unknownModel(String, database: String, known: [String])

    public var description: String {
        switch self {
        case .noMarts(let database): "\(database) has no marts; run phasecast transform"
        case .unknownModel(let model, let database, let known):
            "no model '\(model)' in \(database); known: \(known.joined(separator: ", "))"
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .noMarts: .dataError
        case .unknownModel: .usage
        }
    }
}
