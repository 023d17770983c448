import CostModel
import Foundation
import PhasecastCore
import Store
import Transform

/// What `phasecast transform` does, also run at the end of `phasecast ingest`: load the seeds,
/// apply profile settings, run the SQL models, and cost every model under its profile.
struct TransformStage {
    struct Options {
        var full = false
        var modelsDirectory: String?
        /// Replaces the default profile when given.
        var profile: DeploymentProfile?
        var measuredProfilePath: String?
        /// Minutes east of UTC where days begin; nil keeps the stored setting.
        var utcOffsetMinutes: Int?
        /// Profiles a pipeline file declares: they replace every stored profile but `default`.
        var declaredProfiles: [StoredProfile]?
    }

    struct Report {
        var summary: Transformer.Summary
        var costs: [ModelCost]
    }

    /// One model's costing, as stored in `model_costs`.
    struct ModelCost {
        var model: String
        var profile: String
        var estimate: PhaseCostEstimate
    }

    let connection: Connection
    let options: Options

    func run() throws -> Report {
        try SeedLoader.loadBundled(into: connection)
        var full = options.full
        if let offset = options.utcOffsetMinutes, offset != (try Transformer.utcOffsetMinutes(connection)) {
            try connection.run(
                "INSERT INTO settings (key, value) VALUES ('utc_offset_minutes', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [.text(String(offset))])
            full = true  // every hour and day moves
        }
        try storeProfiles()
        if let declared = options.declaredProfiles { try storeDeclaredProfiles(declared) }
        let models = try options.modelsDirectory.map { try Transformer.models(in: $0) } ?? Transformer.bundledModels()
        let summary = try Transformer(connection: connection, models: models).run(full: full)
        let costs = try costModels()
        return Report(summary: summary, costs: costs)
    }

    /// Writes the profile given on the command line as `default`, or the standard one when the
    /// database has none.
    private func storeProfiles() throws {
        let count = try connection.scalar("SELECT count(*) FROM deployment_profiles")?.integer ?? 0
        guard options.profile != nil || options.measuredProfilePath != nil || count == 0 else { return }
        var profile = options.profile
        if profile == nil, let stored = try Self.profiles(connection).first(where: { $0.name == "default" }) {
            profile = stored.profile
        }
        let chosen = profile ?? .standard
        if count > 0, let stored = try Self.profiles(connection).first(where: { $0.name == "default" }),
            stored.profile == chosen,
            options.measuredProfilePath == nil || options.measuredProfilePath == stored.measuredPath
        {
            return  // unchanged: leave the row (and its updated_at) alone
        }
        try connection.run(
            """
            INSERT INTO deployment_profiles (name, model_pattern, priority, llm, gpu, precision, tp_prefill, tp_decode,
                ttft_ms, itl_ms, measured_profile, updated_at)
            VALUES ('default', '*', 1000, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET llm = excluded.llm, gpu = excluded.gpu, precision = excluded.precision,
                tp_prefill = excluded.tp_prefill, tp_decode = excluded.tp_decode, ttft_ms = excluded.ttft_ms,
                itl_ms = excluded.itl_ms, measured_profile = COALESCE(excluded.measured_profile, measured_profile),
                updated_at = excluded.updated_at
            """,
            [
                .text(chosen.llm), .text(chosen.gpu), .text(chosen.precision.rawValue),
                chosen.tpPrefill.map { .integer(Int64($0)) } ?? .null,
                chosen.tpDecode.map { .integer(Int64($0)) } ?? .null,
                .real(chosen.ttftMs), .real(chosen.itlMs), options.measuredProfilePath.map { .text($0) } ?? .null,
                .text(Self.now()),
            ])
    }

    /// Makes the stored profiles other than `default` exactly `declared`, touching only rows that change.
    private func storeDeclaredProfiles(_ declared: [StoredProfile]) throws {
        let stored = try Self.profiles(connection).filter { $0.name != "default" }
        for old in stored where !declared.contains(where: { $0.name == old.name }) {
            try connection.run("DELETE FROM deployment_profiles WHERE name = ?", [.text(old.name)])
        }
        for profile in declared {
            if let old = stored.first(where: { $0.name == profile.name }), old == profile { continue }
            let p = profile.profile
            try connection.run(
                """
                INSERT INTO deployment_profiles (name, model_pattern, priority, llm, gpu, precision, tp_prefill, tp_decode,
                    ttft_ms, itl_ms, measured_profile, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET model_pattern = excluded.model_pattern, priority = excluded.priority,
                    llm = excluded.llm, gpu = excluded.gpu, precision = excluded.precision, tp_prefill = excluded.tp_prefill,
                    tp_decode = excluded.tp_decode, ttft_ms = excluded.ttft_ms, itl_ms = excluded.itl_ms,
                    measured_profile = excluded.measured_profile, updated_at = excluded.updated_at
                """,
                [
                    .text(profile.name), .text(profile.pattern), .integer(Int64(profile.priority)), .text(p.llm),
                    .text(p.gpu),
                    .text(p.precision.rawValue), p.tpPrefill.map { .integer(Int64($0)) } ?? .null,
                    p.tpDecode.map { .integer(Int64($0)) } ?? .null, .real(p.ttftMs), .real(p.itlMs),
                    profile.measuredPath.map { .text($0) } ?? .null, .text(Self.now()),
                ])
        }
    }

    struct StoredProfile: Equatable {
        var name: String
        var pattern: String
        var priority = 100
        var profile: DeploymentProfile
        var measuredPath: String?
    }

    /// The profiles of the database, in the order they are matched (priority, then name).
    static func profiles(_ connection: Connection) throws -> [StoredProfile] {
        try connection.records("SELECT * FROM deployment_profiles ORDER BY priority, name").map { r in
            StoredProfile(
                name: r["name"]?.text ?? "", pattern: r["model_pattern"]?.text ?? "*",
                priority: Int(r["priority"]?.integer ?? 100),
                profile: DeploymentProfile(
                    llm: r["llm"]?.text ?? "", gpu: r["gpu"]?.text ?? "",
                    precision: Precision(rawValue: r["precision"]?.text ?? "") ?? .fp8,
                    tpPrefill: r["tp_prefill"]?.integer.map(Int.init), tpDecode: r["tp_decode"]?.integer.map(Int.init),
                    ttftMs: r["ttft_ms"]?.real ?? 1000, itlMs: r["itl_ms"]?.real ?? 50),
                measuredPath: r["measured_profile"]?.text)
        }
    }

    /// Costs every model with traffic under the first profile whose pattern matches its name, at
    /// its mean lengths over the whole history, and stores the coefficients the views apply.
    private func costModels() throws -> [ModelCost] {
        let catalog = try CatalogTables.load(connection)
        let profiles = try Self.profiles(connection)
        let workloads = try connection.rows(
            """
            SELECT m.model_id, m.name, SUM(d.requests), SUM(d.prompt_tokens), SUM(d.cached_tokens), SUM(d.output_tokens)
            FROM models m JOIN mart_daily_phase d ON d.model_id = m.model_id
            GROUP BY m.model_id HAVING SUM(d.requests) > 0
            """)
        var costs: [ModelCost] = []
        var rows: [[SQLValue]] = []
        do {
            for row in workloads {
                guard let modelID = row[0].integer, let name = row[1].text, let requests = row[2].real, requests > 0
                else { continue }
                guard let stored = try profiles.first(where: { try Self.glob($0.pattern, matches: name) }) else {
                    continue
                }
                let workload = Workload(
                    promptTokens: (row[3].real ?? 0) / requests, cachedTokens: (row[4].real ?? 0) / requests,
                    outputTokens: max((row[5].real ?? 0) / requests, 1))
                var estimator = CostEstimator(catalog: catalog)
                if let path = stored.measuredPath { estimator.measured = try MeasuredProfile.read(path: path) }
                let estimate = try estimator.estimate(stored.profile, workload: workload)
                let c = estimate.coefficients
                let identity: [SQLValue] = [
                    .integer(modelID), .text(stored.name), .text(estimate.profile.llm), .text(estimate.profile.gpu),
                ]
                let lengths: [SQLValue] = [
                    .real(workload.promptTokens), .real(workload.cachedTokens), .real(workload.outputTokens),
                    .integer(Int64(estimate.prefill.tp)), .integer(Int64(estimate.decode.tp)),
                ]
                let capacities: [SQLValue] = [
                    .real(estimate.prefill.tokensPerSecondPerGPU), .real(estimate.prefill.maxUtilization),
                    .text(estimate.prefill.bound.rawValue), .real(estimate.decode.tokensPerSecondPerGPU),
                    .integer(Int64(estimate.decode.batch)), .text(estimate.decode.bound.rawValue),
                ]
                let coefficients: [SQLValue] = [
                    .real(c.prefillPerToken), .real(c.prefillPerAttentionPair), .real(c.decodePerToken),
                    .real(c.decodePerContextToken),
                ]
                rows.append(identity + lengths + capacities + coefficients)
                costs.append(ModelCost(model: name, profile: stored.name, estimate: estimate))
            }
        }
        // Rewrite only when a cost changed, so that re-running a night leaves the table as it was.
        let existing = try connection.rows("SELECT * FROM model_costs ORDER BY model_id").map { Array($0.dropLast()) }
        guard existing != rows else { return costs }
        try connection.immediateTransaction {
            try connection.execute("DELETE FROM model_costs")
            for row in rows {
                try connection.run(
                    "INSERT INTO model_costs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    row + [.text(Self.now())])
            }
        }
        return costs
    }

    /// SQLite's GLOB, so that patterns mean in phasecast what they mean in SQL.
    static func glob(_ pattern: String, matches name: String) throws -> Bool {
        let db = try Connection(path: ":memory:")
        return try db.scalar("SELECT ? GLOB ?", [.text(name), .text(pattern)])?.integer == 1
    }

    static func now() -> String {
        UTCTime.iso8601(micros: Int64(Date().timeIntervalSince1970) * 1_000_000)
    }
}
