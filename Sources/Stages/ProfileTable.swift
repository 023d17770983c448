import CostModel
import PhasecastCore
import Store

/// A deployment profile as the `deployment_profiles` table holds it: which models it serves
/// (a GLOB over their names), in which order it is matched, and how they are served.
public struct StoredProfile: Equatable, Sendable {
    public var name: String
    public var pattern: String
    public var priority = 100
    public var profile: DeploymentProfile
    public var measuredPath: String?

    public init(name: String, pattern: String, priority: Int = 100, profile: DeploymentProfile, measuredPath: String?) {
        self.name = name
        self.pattern = pattern
        self.priority = priority
        self.profile = profile
        self.measuredPath = measuredPath
    }

    /// Whether this profile serves `model`.
    public func serves(_ model: String) -> Bool { GlobPattern(pattern).matches(model) }
}

/// Reading and writing the `deployment_profiles` table.
public enum ProfileTable {
    /// The profiles of the database, in the order they are matched (priority, then name).
    public static func load(_ connection: Connection) throws -> [StoredProfile] {
        try connection.query("SELECT * FROM deployment_profiles ORDER BY priority, name").map { r in
            StoredProfile(
                name: try r.text("name"), pattern: try r.text("model_pattern"), priority: Int(try r.int("priority")),
                profile: DeploymentProfile(
                    llm: try r.text("llm"), gpu: try r.text("gpu"), precision: try r.value(Precision.self, "precision"),
                    engine: try r.value(Engine.self, "engine"),
                    tpPrefill: try r.optionalInt("tp_prefill").map(Int.init),
                    tpDecode: try r.optionalInt("tp_decode").map(Int.init),
                    expertParallel: try r.optionalInt("expert_parallel").map(Int.init),
                    dataParallelAttention: try r.optionalInt("data_parallel_attention").map { $0 != 0 },
                    speculative: try r.optionalInt("draft_tokens").map {
                        SpeculativeDecoding(
                            draftTokens: Int($0), acceptance: try r.optionalDouble("draft_acceptance") ?? 0.7)
                    },
                    ttftMs: try r.double("ttft_ms"), itlMs: try r.double("itl_ms")),
                measuredPath: try r.optionalText("measured_profile"))
        }
    }

    /// Writes `profile` as `default` (matching every model, matched last), or the standard one
    /// when the database has none; leaves an unchanged row (and its updated_at) alone.
    static func storeDefault(_ profile: DeploymentProfile?, measuredPath: String?, in connection: Connection) throws {
        let stored = try load(connection)
        guard profile != nil || measuredPath != nil || stored.isEmpty else { return }
        let current = stored.first { $0.name == "default" }
        let chosen = profile ?? current?.profile ?? .standard
        if let current, current.profile == chosen, measuredPath == nil || measuredPath == current.measuredPath {
            return
        }
        try connection.run(
            """
            INSERT INTO deployment_profiles (name, model_pattern, priority, llm, gpu, precision, tp_prefill, tp_decode,
                ttft_ms, itl_ms, engine, expert_parallel, data_parallel_attention, draft_tokens, draft_acceptance,
                measured_profile, updated_at)
            VALUES ('default', '*', 1000, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET llm = excluded.llm, gpu = excluded.gpu, precision = excluded.precision,
                tp_prefill = excluded.tp_prefill, tp_decode = excluded.tp_decode, ttft_ms = excluded.ttft_ms,
                itl_ms = excluded.itl_ms, engine = excluded.engine, expert_parallel = excluded.expert_parallel,
                data_parallel_attention = excluded.data_parallel_attention, draft_tokens = excluded.draft_tokens,
                draft_acceptance = excluded.draft_acceptance, measured_profile = COALESCE(excluded.measured_profile, measured_profile),
                updated_at = excluded.updated_at
            """,
            values(of: chosen) + [measuredPath.map { .text($0) } ?? .null, .text(WallClock.nowISO8601())])
    }

    /// Makes the stored profiles other than `default` exactly `declared`, touching only rows that change.
    static func storeDeclared(_ declared: [StoredProfile], in connection: Connection) throws {
        let stored = try load(connection).filter { $0.name != "default" }
        for old in stored where !declared.contains(where: { $0.name == old.name }) {
            try connection.run("DELETE FROM deployment_profiles WHERE name = ?", [.text(old.name)])
        }
        for profile in declared {
            if let old = stored.first(where: { $0.name == profile.name }), old == profile { continue }
            try connection.run(
                """
                INSERT INTO deployment_profiles (name, model_pattern, priority, llm, gpu, precision, tp_prefill, tp_decode,
                    ttft_ms, itl_ms, engine, expert_parallel, data_parallel_attention, draft_tokens, draft_acceptance,
                    measured_profile, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET model_pattern = excluded.model_pattern, priority = excluded.priority,
                    llm = excluded.llm, gpu = excluded.gpu, precision = excluded.precision, tp_prefill = excluded.tp_prefill,
                    tp_decode = excluded.tp_decode, ttft_ms = excluded.ttft_ms, itl_ms = excluded.itl_ms,
                    engine = excluded.engine, expert_parallel = excluded.expert_parallel,
                    data_parallel_attention = excluded.data_parallel_attention, draft_tokens = excluded.draft_tokens,
                    draft_acceptance = excluded.draft_acceptance, measured_profile = excluded.measured_profile, updated_at = excluded.updated_at
                """,
                [.text(profile.name), .text(profile.pattern), .integer(Int64(profile.priority))]
                    + values(of: profile.profile)
                    + [profile.measuredPath.map { .text($0) } ?? .null, .text(WallClock.nowISO8601())])
        }
    }

    /// llm, gpu, precision, tp_prefill, tp_decode, ttft_ms, itl_ms, engine, expert_parallel,
    /// data_parallel_attention, draft_tokens, draft_acceptance.
    private static func values(of p: DeploymentProfile) -> [SQLValue] {
        [
            .text(p.llm), .text(p.gpu), .text(p.precision.rawValue), p.tpPrefill.map { .integer(Int64($0)) } ?? .null,
            p.tpDecode.map { .integer(Int64($0)) } ?? .null, .real(p.ttftMs), .real(p.itlMs), .text(p.engine.rawValue),
            p.expertParallel.map { .integer(Int64($0)) } ?? .null,
            p.dataParallelAttention.map { .integer($0 ? 1 : 0) } ?? .null,
            p.speculative.map { .integer(Int64($0.draftTokens)) } ?? .null,
            p.speculative.map { .real($0.acceptance) } ?? .null,
        ]
    }
}
