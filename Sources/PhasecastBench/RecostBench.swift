import CostModel
import Foundation
import Stages
import Store
import Transform

/// Times re-costing a year of hourly rollups under another deployment profile: the per-model
/// coefficients are recomputed and the costed view summed, without touching the rollups.
enum RecostBench {
    static func run(directory: String) throws -> String {
        let path = "\(directory)/recost.db"
        for suffix in ["", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let connection = try Connection(path: path)
        try Migrator.migrate(connection)
        try SeedLoader.loadBundled(into: connection)
        let models = 4
        let hours = 365 * 24
        try connection.immediateTransaction {
            for model in 1...models {
                try connection.run(
                    "INSERT INTO models (model_id, name) VALUES (?, ?)",
                    [.integer(Int64(model)), .text("model-\(model)")])
            }
            let insert = try connection.prepare(
                """
                INSERT INTO mart_hourly_phase (hour, day, model_id, coverage, requests, failed, prompt_tokens, cached_tokens,
                    prefill_tokens, output_tokens, prefill_sq, prefill_cached, output_context, peak_minute_prefill_tps,
                    peak_minute_output_tps)
                VALUES (?, ?, ?, 1, 3600, 0, 7200000, 1800000, 5400000, 720000, 1.2e10, 2.7e9, 1.5e9, 2000, 300)
                """)
            let first: Int64 = 480_000
            for hour in 0..<hours {
                for model in 0...models {
                    insert.bind([
                        .integer(first + Int64(hour)), .integer((first + Int64(hour)) / 24), .integer(Int64(model)),
                    ])
                    try insert.run()
                }
            }
        }
        try Transformer(connection: connection, models: try Transformer.bundledModels()).createViews()
        let catalog = try CatalogTables.load(connection)
        var lines = ["", "## Re-costing \(hours) hours × \(models) models under another profile", ""]
        lines.append("| profile | seconds (coefficients + SUM over v_hourly_phase) | prefill GPU-h | decode GPU-h |")
        lines.append("|---|---|---|---|")
        for profile in [
            DeploymentProfile(llm: "Llama-3.1-70B", gpu: "H100", precision: .fp8),
            DeploymentProfile(llm: "Llama-3.1-70B", gpu: "B200", precision: .fp4),
        ] {
            let started = Date()
            let estimate = try CostEstimator(catalog: catalog).estimate(
                profile, workload: Workload(promptTokens: 2000, cachedTokens: 500, outputTokens: 200))
            let c = estimate.coefficients
            try connection.immediateTransaction {
                try connection.execute("DELETE FROM model_costs")
                for model in 1...models {
                    try connection.run(
                        "INSERT INTO model_costs VALUES (?, 'bench', ?, ?, 2000, 500, 200, 1, 1, 0, 1, '', 0, 0, '', ?, ?, ?, ?, '')",
                        [
                            .integer(Int64(model)), .text(profile.llm), .text(profile.gpu), .real(c.prefillPerToken),
                            .real(c.prefillPerAttentionPair), .real(c.decodePerToken), .real(c.decodePerContextToken),
                        ])
                }
            }
            let totals = try connection.queryOne(
                """
                SELECT SUM(prefill_gpu_hours) AS prefill, SUM(decode_gpu_hours) AS decode FROM v_hourly_phase
                WHERE model = 'all'
                """)
            let seconds = Date().timeIntervalSince(started)
            lines.append(
                "| \(profile.summary) | " + String(format: "%.3f", seconds) + " | "
                    + String(format: "%.0f", try totals.double("prefill")) + " | "
                    + String(format: "%.0f", try totals.double("decode"))
                    + " |")
        }
        try? FileManager.default.removeItem(atPath: path)
        return lines.joined(separator: "\n") + "\n"
    }
}
