import CostModel
import Foundation
import Store

/// The cost model's catalog as the database holds it: the seeds plus any rows users added.
public enum CatalogTables {
    /// Decodes the `gpus`, `llms` and `calibration` tables.
    public static func load(_ connection: Connection) throws -> Catalog {
        let gpus = try connection.query("SELECT * FROM gpus ORDER BY name").map { r in
            GPUSpec(
                name: try r.text("name"), aliases: list(try r.text("aliases")),
                vendor: try r.value(GPUVendor.self, "vendor"), bf16Tflops: try r.double("bf16_dense_tflops"),
                fp8Tflops: try r.optionalDouble("fp8_dense_tflops"),
                fp4Tflops: try r.optionalDouble("fp4_dense_tflops"), hbmGB: try r.double("hbm_gb"),
                hbmTBs: try r.double("hbm_tb_s"), scaleupGBs: try r.double("scaleup_gb_s_unidir"),
                tdpWatts: try r.double("tdp_w"), gpusPerNode: Int(try r.int("gpus_per_node")),
                scaleupDomain: Int(try r.int("scaleup_domain")), scaleoutGBs: try r.double("scaleout_gb_s_unidir"),
                pricePerHour: try r.double("price_per_gpu_hour_usd"), source: try r.text("source"))
        }
        let llms = try connection.query("SELECT * FROM llms ORDER BY name").map { r in
            LLMSpec(
                name: try r.text("name"), aliases: list(try r.text("aliases")),
                architecture: try r.value(ArchitectureClass.self, "architecture"),
                totalParams: try r.double("total_params_b") * 1e9, activeParams: try r.double("active_params_b") * 1e9,
                layers: Int(try r.int("layers")), hiddenSize: Int(try r.int("hidden_size")),
                kvHeads: Int(try r.optionalInt("kv_heads") ?? 8), experts: try r.optionalInt("experts").map(Int.init),
                activeExperts: try r.optionalInt("active_experts").map(Int.init),
                moeLayers: try r.optionalInt("moe_layers").map(Int.init),
                kvBytesPerTokenBF16: try r.double("kv_bytes_per_token_bf16"),
                linearFlopsPerToken: try r.double("linear_gflops_per_token") * 1e9,
                attentionFlopsPerPair: try r.double("attention_flops_per_token_per_context_token"),
                maxContext: Int(try r.int("max_context")), source: try r.text("source"))
        }
        let calibrations = try connection.query("SELECT * FROM calibration").map { r in
            Calibration(
                engine: try r.value(Engine.self, "engine"), vendor: try r.value(GPUVendor.self, "vendor"),
                architecture: try r.value(ArchitectureClass.self, "architecture"),
                precision: try r.value(Precision.self, "precision"),
                mfuPrefill: try r.double("mfu_prefill"), mfuAttention: try r.double("mfu_attention"),
                mbu: try r.double("mbu"), mfuDecode: try r.double("mfu_decode"),
                stepFloorMicrosPerLayer: try r.double("step_floor_us_per_layer"),
                sequenceMicrosPerLayer: try r.double("sequence_us_per_layer"),
                expertImbalance: try r.double("expert_imbalance"), kvMemoryFraction: try r.double("kv_memory_fraction"),
                maxBatch: Int(try r.int("max_batch")),
                uncertaintyP90: try r.double("uncertainty_p90"),
                source: try r.text("source"))
        }
        return Catalog(gpus: gpus, llms: llms, calibrations: calibrations)
    }

    /// The catalog a pipeline is checked against before it runs: the seeds built into phasecast,
    /// plus the rows users added to `database` when it exists.
    public static func forChecking(database: String) throws -> Catalog {
        let bundled = try Catalog.bundled()
        guard FileManager.default.fileExists(atPath: database) else { return bundled }
        let connection = try Connection(path: database, readOnly: true)
        connection.setBusyTimeout(milliseconds: 10_000)
        let tables = try connection.queryOne(
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('gpus', 'llms', 'calibration')"
        ).int("n")
        guard tables == 3 else { return bundled }
        return bundled.adding(try load(connection))
    }

    private static func list(_ text: String) -> [String] {
        text.split(separator: ";").map { String($0) }
    }
}
