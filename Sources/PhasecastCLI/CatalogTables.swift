import CostModel
import Store

/// The cost model's catalog as the database holds it: the seeds plus any rows users added.
enum CatalogTables {
    static func load(_ connection: Connection) throws -> Catalog {
        let gpus = try connection.records("SELECT * FROM gpus ORDER BY name").map { r in
            GPUSpec(
                name: r["name"]?.text ?? "", aliases: list(r["aliases"]), bf16Tflops: r["bf16_dense_tflops"]?.real ?? 0,
                fp8Tflops: r["fp8_dense_tflops"]?.real, fp4Tflops: r["fp4_dense_tflops"]?.real,
                hbmGB: r["hbm_gb"]?.real ?? 0,
                hbmTBs: r["hbm_tb_s"]?.real ?? 0, scaleupGBs: r["scaleup_gb_s_unidir"]?.real ?? 0,
                tdpWatts: r["tdp_w"]?.real ?? 0, gpusPerNode: Int(r["gpus_per_node"]?.integer ?? 8),
                pricePerHour: r["price_per_gpu_hour_usd"]?.real ?? 0, source: r["source"]?.text ?? "")
        }
        let llms = try connection.records("SELECT * FROM llms ORDER BY name").map { r in
            LLMSpec(
                name: r["name"]?.text ?? "", aliases: list(r["aliases"]),
                architecture: ArchitectureClass(rawValue: r["architecture"]?.text ?? "") ?? .dense,
                totalParams: (r["total_params_b"]?.real ?? 0) * 1e9,
                activeParams: (r["active_params_b"]?.real ?? 0) * 1e9,
                layers: Int(r["layers"]?.integer ?? 0), hiddenSize: Int(r["hidden_size"]?.integer ?? 0),
                experts: r["experts"]?.integer.map(Int.init), activeExperts: r["active_experts"]?.integer.map(Int.init),
                moeLayers: r["moe_layers"]?.integer.map(Int.init),
                kvBytesPerTokenBF16: r["kv_bytes_per_token_bf16"]?.real ?? 0,
                linearFlopsPerToken: (r["linear_gflops_per_token"]?.real ?? 0) * 1e9,
                attentionFlopsPerPair: r["attention_flops_per_token_per_context_token"]?.real ?? 0,
                maxContext: Int(r["max_context"]?.integer ?? 0), source: r["source"]?.text ?? "")
        }
        let calibrations = try connection.records("SELECT * FROM calibration").compactMap { r -> Calibration? in
            guard let architecture = ArchitectureClass(rawValue: r["architecture"]?.text ?? ""),
                let precision = Precision(rawValue: r["precision"]?.text ?? "")
            else { return nil }
            return Calibration(
                architecture: architecture, precision: precision, mfuPrefill: r["mfu_prefill"]?.real ?? 0,
                mfuAttention: r["mfu_attention"]?.real ?? 0, mbu: r["mbu"]?.real ?? 0,
                decodeComputeDerate: r["decode_compute_derate"]?.real ?? 0,
                stepFloorMicrosPerLayer: r["step_floor_us_per_layer"]?.real ?? 0,
                kvMemoryFraction: r["kv_memory_fraction"]?.real ?? 0, maxBatch: Int(r["max_batch"]?.integer ?? 256),
                source: r["source"]?.text ?? "")
        }
        return Catalog(gpus: gpus, llms: llms, calibrations: calibrations)
    }

    private static func list(_ value: SQLValue?) -> [String] {
        (value?.text ?? "").split(separator: ";").map { String($0) }
    }
}
