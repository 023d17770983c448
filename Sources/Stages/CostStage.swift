import CostModel
import PhasecastCore
import Planning
import Store

/// The cost stage: every model with traffic is costed under the first profile whose pattern
/// matches its name, at its mean request lengths over the whole history, and the GPU-second
/// coefficients the costing mart applies to the rollups are stored in `model_costs`. Its
/// deployments go on to the plan stage, so that each is estimated once.
public struct CostStage {
    let connection: Connection
    let catalog: Catalog

    public init(connection: Connection, catalog: Catalog) {
        self.connection = connection
        self.catalog = catalog
    }

    /// One model's costing.
    public struct ModelCost: Sendable {
        public var modelID: Int64
        public var profile: String
        public var deployment: ModelDeployment
        public var model: String { deployment.model }
        public var estimate: PhaseCostEstimate { deployment.estimate }
    }

    /// Costs the models and stores the coefficients when they changed; returns the costings in
    /// model id order.
    public func run() throws -> [ModelCost] {
        let profiles = try ProfileTable.load(connection)
        let workloads = try connection.query(
            """
            SELECT m.model_id, m.name, SUM(d.requests) AS requests, SUM(d.prompt_tokens) AS prompt_tokens,
                SUM(d.cached_tokens) AS cached_tokens, SUM(d.output_tokens) AS output_tokens
            FROM models m JOIN mart_daily_phase d ON d.model_id = m.model_id
            GROUP BY m.model_id HAVING SUM(d.requests) > 0
            """)
        var costs: [ModelCost] = []
        var rows: [[SQLValue]] = []
        var measured: [String: MeasuredProfile] = [:]
        for row in workloads {
            let name = try row.text("name")
            let requests = try row.double("requests")
            guard let stored = profiles.first(where: { $0.serves(name) }) else { continue }
            let workload = Workload(
                promptTokens: try row.double("prompt_tokens") / requests,
                cachedTokens: try row.double("cached_tokens") / requests,
                outputTokens: max(try row.double("output_tokens") / requests, 1))
            var estimator = CostEstimator(catalog: catalog)
            if let path = stored.measuredPath {
                if measured[path] == nil { measured[path] = try MeasuredProfile.read(path: path) }
                estimator.measured = measured[path]
            }
            let estimate = try estimator.estimate(stored.profile, workload: workload)
            let modelID = try row.int("model_id")
            rows.append(Self.values(modelID: modelID, profile: stored.name, workload: workload, estimate: estimate))
            costs.append(
                ModelCost(
                    modelID: modelID, profile: stored.name,
                    deployment: ModelDeployment(
                        model: name, profile: stored.profile, workload: workload, estimate: estimate)))
        }
        // Rewrite only when a cost changed, so that re-running a night leaves the table as it was.
        let existing = try connection.query("SELECT * FROM model_costs ORDER BY model_id").map {
            Array($0.values.dropLast())
        }
        guard existing != rows else { return costs }
        try connection.immediateTransaction {
            try connection.execute("DELETE FROM model_costs")
            let insert = try connection.prepare(
                "INSERT INTO model_costs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
            let now = WallClock.nowISO8601()
            for row in rows {
                insert.bind(row + [.text(now)])
                try insert.run()
            }
        }
        return costs
    }

    /// A `model_costs` row but its updated_at, in column order.
    static func values(modelID: Int64, profile: String, workload: Workload, estimate: PhaseCostEstimate) -> [SQLValue] {
        let c = estimate.coefficients
        return [
            .integer(modelID), .text(profile), .text(estimate.profile.llm), .text(estimate.profile.gpu),
            .real(workload.promptTokens), .real(workload.cachedTokens), .real(workload.outputTokens),
            .integer(Int64(estimate.prefill.tp)), .integer(Int64(estimate.decode.tp)),
            .real(estimate.prefill.tokensPerSecondPerGPU), .real(estimate.prefill.maxUtilization),
            .text(estimate.prefill.bound.rawValue), .real(estimate.decode.tokensPerSecondPerGPU),
            .integer(Int64(estimate.decode.batch)), .text(estimate.decode.bound.rawValue),
            .real(c.prefillPerToken), .real(c.prefillPerAttentionPair), .real(c.decodePerToken),
            .real(c.decodePerContextToken),
        ]
    }

    /// Lines for standard error: each model's costing.
    public static func describe(_ costs: [ModelCost]) -> [String] {
        costs.map { cost in
            let e = cost.estimate
            return "cost: \(cost.model) → \(cost.profile) (\(e.profile.summary)); "
                + "prefill \(Int(e.prefill.tokensPerSecondPerGPU)) tok/s/GPU (TP \(e.prefill.tp), \(e.prefill.bound.rawValue)), "
                + "decode \(Int(e.decode.tokensPerSecondPerGPU)) tok/s/GPU (TP \(e.decode.tp), \(e.decode.bound.rawValue))"
        }
    }
}
