-- Cost model with engines and worker layouts. Calibrations are per serving engine (vLLM,
-- SGLang, TensorRT-LLM) and GPU vendor, and gain a per-sequence step overhead and an expert load
-- imbalance. GPUs gain their vendor, scale-up domain (8 for HGX, 72 for NVL72) and scale-out
-- bandwidth. Deployment profiles gain the engine, expert parallelism, data-parallel attention
-- and speculative decoding.

ALTER TABLE gpus ADD COLUMN vendor TEXT NOT NULL DEFAULT 'nvidia' CHECK (vendor IN ('nvidia', 'amd'));
ALTER TABLE gpus ADD COLUMN scaleup_domain INTEGER NOT NULL DEFAULT 8;
ALTER TABLE gpus ADD COLUMN scaleout_gb_s_unidir REAL NOT NULL DEFAULT 50;

-- Calibrations users added keep serving every engine and vendor, as they did before either
-- existed. (The table is rebuilt rather than renamed: renaming rechecks views that refer to view
-- models the transform creates later.)
CREATE TEMP TABLE user_calibration AS SELECT * FROM calibration WHERE origin <> 'seed';
DROP TABLE calibration;

CREATE TABLE calibration (
    engine                  TEXT NOT NULL CHECK (engine IN ('vllm', 'sglang', 'trtllm')),
    vendor                  TEXT NOT NULL CHECK (vendor IN ('nvidia', 'amd')),
    architecture            TEXT NOT NULL,
    precision               TEXT NOT NULL,
    mfu_prefill             REAL NOT NULL,
    mfu_attention           REAL NOT NULL,
    mbu                     REAL NOT NULL,
    mfu_decode              REAL NOT NULL,
    step_floor_us_per_layer REAL NOT NULL,
    sequence_us_per_layer   REAL NOT NULL,
    expert_imbalance        REAL NOT NULL,
    kv_memory_fraction      REAL NOT NULL,
    max_batch               INTEGER NOT NULL,
    uncertainty_p90         REAL NOT NULL,   -- P90 absolute error, leave-one-source-out
    source                  TEXT NOT NULL,
    origin                  TEXT NOT NULL DEFAULT 'user',
    PRIMARY KEY (engine, vendor, architecture, precision)
) STRICT;

INSERT INTO calibration
SELECT e.engine, v.vendor, c.architecture, c.precision, c.mfu_prefill, c.mfu_attention, c.mbu,
       c.mfu_prefill * c.decode_compute_derate, c.step_floor_us_per_layer, 0, 1,
       c.kv_memory_fraction, c.max_batch, 0, c.source, c.origin
FROM temp.user_calibration AS c
CROSS JOIN (SELECT 'vllm' AS engine UNION ALL SELECT 'sglang' UNION ALL SELECT 'trtllm') AS e
CROSS JOIN (SELECT 'nvidia' AS vendor UNION ALL SELECT 'amd') AS v;
DROP TABLE temp.user_calibration;

ALTER TABLE deployment_profiles ADD COLUMN engine TEXT NOT NULL DEFAULT 'vllm';
ALTER TABLE deployment_profiles ADD COLUMN expert_parallel INTEGER;          -- NULL: chosen
ALTER TABLE deployment_profiles ADD COLUMN data_parallel_attention INTEGER;  -- 0/1, NULL: chosen
ALTER TABLE deployment_profiles ADD COLUMN draft_tokens INTEGER;             -- speculative decoding
ALTER TABLE deployment_profiles ADD COLUMN draft_acceptance REAL;
