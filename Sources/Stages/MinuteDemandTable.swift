import Foundation
import PhasecastCore
import Planning
import Store

/// Busy GPU-seconds per minute, model and phase, read from the minute rollups and costed with
/// the models' current coefficients (`model_costs`): what the headroom model measures its
/// variability on and what the plan backtest replays.
struct MinuteDemandTable {
    /// Minutes of one model, by phase, ascending, in the rollups' time zone.
    var minutes: [Int64: [Phase: [IntradayShape.Minute]]]
    /// Minutes since the epoch from UTC to the rollups' time zone.
    var utcOffsetMinutes: Int64

    /// Reads every minute from local day `firstDay` on.
    static func read(_ connection: Connection, fromDay firstDay: Int64) throws -> MinuteDemandTable {
        let offset =
            try connection.utcOffsetMinutes()
        let rows = try connection.query(
            """
            WITH scaled AS (
                SELECT rm.minute, rm.model_id, f.sample_rate AS n,
                    rm.requests * f.sample_rate AS requests,
                    rm.prefill_tokens * f.sample_rate AS prefill_tokens,
                    rm.prefill_sq * f.sample_rate AS prefill_sq,
                    (rm.prefill_cached + rm.prefill_sq / 2.0) * f.sample_rate AS prefill_pairs,
                    rm.output_tokens * f.sample_rate AS output_tokens,
                    rm.output_sq * f.sample_rate AS output_sq,
                    (rm.output_prompt + rm.output_sq / 2.0) * f.sample_rate AS output_context
                FROM request_minutes rm JOIN source_files f ON f.file_id = rm.file_id
                WHERE rm.minute >= ?
            )
            SELECT s.minute, s.model_id,
                TOTAL(s.requests / s.n) AS logged_requests, TOTAL(s.requests) AS requests,
                TOTAL(s.prefill_tokens) AS prefill_tokens, TOTAL(s.prefill_sq) AS prefill_sq,
                TOTAL(s.prefill_tokens) * c.prefill_s_per_token + TOTAL(s.prefill_pairs) * c.prefill_s_per_attention_pair
                    AS prefill_seconds,
                TOTAL(s.output_tokens) AS output_tokens, TOTAL(s.output_sq) AS output_sq,
                TOTAL(s.output_tokens) * c.decode_s_per_token + TOTAL(s.output_context) * c.decode_s_per_context_token
                    AS decode_seconds
            FROM scaled s JOIN model_costs c ON c.model_id = s.model_id
            GROUP BY s.minute, s.model_id
            ORDER BY s.model_id, s.minute
            """, [.integer(firstDay * 1440 - offset)])
        var minutes: [Int64: [Phase: [IntradayShape.Minute]]] = [:]
        for row in rows {
            let model = try row.int("model_id")
            let local = try row.int("minute") + offset
            let logged = try row.double("logged_requests")
            let rate = logged > 0 ? try row.double("requests") / logged : 1
            for phase in Phase.allCases {
                let prefill = phase == .prefill
                let seconds = try row.double(prefill ? "prefill_seconds" : "decode_seconds")
                let tokens = try row.double(prefill ? "prefill_tokens" : "output_tokens")
                let squares = try row.double(prefill ? "prefill_sq" : "output_sq")
                // Σ s² with s proportional to the request's tokens: (S ÷ T)² · Σ t².
                let perToken = tokens > 0 ? seconds / tokens : 0
                minutes[model, default: [:]][phase, default: []].append(
                    IntradayShape.Minute(
                        minute: local, gpuSeconds: seconds, squaredSeconds: perToken * perToken * squares,
                        loggedRequests: logged, sampleRate: rate))
            }
        }
        return MinuteDemandTable(minutes: minutes, utcOffsetMinutes: offset)
    }

    /// The minutes of a model's phase within local days `days` (inclusive).
    func minutes(model: Int64, phase: Phase, days: ClosedRange<Int64>) -> [IntradayShape.Minute] {
        let all = minutes[model]?[phase] ?? []
        let first = days.lowerBound * 1440
        let end = (days.upperBound + 1) * 1440
        let lower = Self.firstIndex(all, atLeast: first)
        let upper = Self.firstIndex(all, atLeast: end)
        return Array(all[lower..<upper])
    }

    /// Binary search: the first index whose minute is ≥ `minute`.
    static func firstIndex(_ rows: [IntradayShape.Minute], atLeast minute: Int64) -> Int {
        var low = 0
        var high = rows.count
        while low < high {
            let mid = (low + high) / 2
            if rows[mid].minute < minute { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
