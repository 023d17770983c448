-- 0002_transform: what `phasecast transform` builds from the minute rollups: hourly and daily
-- rollups per model and in total (model_id 0), the reference data of the cost model, and the
-- deployment profiles that turn tokens into GPU-hours.

-- Settings of the database: utc_offset_minutes (the day boundary of rollups; 0 = UTC).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- Days whose minute rollups changed since the last transform (ingest adds them in the same
-- transaction as the file); the next transform rebuilds exactly these days.
CREATE TABLE dirty_days (
    day INTEGER PRIMARY KEY   -- days since 1970-01-01 in the rollups' time zone
) STRICT;

-- Finding a day's minutes without scanning the history.
CREATE INDEX request_minutes_minute ON request_minutes (minute);

CREATE TABLE transform_runs (
    run_id       INTEGER PRIMARY KEY,
    started_at   TEXT NOT NULL,
    finished_at  TEXT,
    mode         TEXT NOT NULL CHECK (mode IN ('incremental', 'full')),
    days_rebuilt INTEGER NOT NULL DEFAULT 0,
    status       TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    error        TEXT
) STRICT;

-- Reference data (Pipelines/seeds), loaded by every transform. Rows whose origin is 'seed' are
-- refreshed from the seeds; add rows of your own with another origin and they stay.
CREATE TABLE gpus (
    name                   TEXT PRIMARY KEY,
    aliases                TEXT NOT NULL,
    form_factor            TEXT NOT NULL,
    bf16_dense_tflops      REAL NOT NULL,
    fp8_dense_tflops       REAL,
    fp4_dense_tflops       REAL,
    hbm_gb                 REAL NOT NULL,
    hbm_tb_s               REAL NOT NULL,
    scaleup_gb_s_unidir    REAL NOT NULL,
    tdp_w                  REAL NOT NULL,
    gpus_per_node          INTEGER NOT NULL,
    price_per_gpu_hour_usd REAL NOT NULL,
    price_source           TEXT NOT NULL,
    source                 TEXT NOT NULL,
    origin                 TEXT NOT NULL DEFAULT 'user'
) STRICT;

CREATE TABLE llms (
    name                                        TEXT PRIMARY KEY,
    aliases                                     TEXT NOT NULL,
    architecture                                TEXT NOT NULL CHECK (architecture IN ('dense', 'moe')),
    total_params_b                              REAL NOT NULL,
    active_params_b                             REAL NOT NULL,
    layers                                      INTEGER NOT NULL,
    hidden_size                                 INTEGER NOT NULL,
    attention_heads                             INTEGER,
    kv_heads                                    INTEGER,
    head_dim                                    INTEGER,
    experts                                     INTEGER,
    active_experts                              INTEGER,
    moe_layers                                  INTEGER,
    kv_bytes_per_token_bf16                     REAL NOT NULL,
    linear_gflops_per_token                     REAL NOT NULL,
    attention_flops_per_token_per_context_token REAL NOT NULL,
    checkpoint_dtype                            TEXT NOT NULL,
    max_context                                 INTEGER NOT NULL,
    source                                      TEXT NOT NULL,
    notes                                       TEXT,
    origin                                      TEXT NOT NULL DEFAULT 'user'
) STRICT;

CREATE TABLE calibration (
    architecture            TEXT NOT NULL,
    precision               TEXT NOT NULL,
    mfu_prefill             REAL NOT NULL,
    mfu_attention           REAL NOT NULL,
    mbu                     REAL NOT NULL,
    decode_compute_derate   REAL NOT NULL,
    step_floor_us_per_layer REAL NOT NULL,
    kv_memory_fraction      REAL NOT NULL,
    max_batch               INTEGER NOT NULL,
    source                  TEXT NOT NULL,
    origin                  TEXT NOT NULL DEFAULT 'user',
    PRIMARY KEY (architecture, precision)
) STRICT;

-- Deployment profiles: which LLM serves the models whose names match model_pattern (a GLOB,
-- '*' for all), on which GPU, at which SLA. The lowest priority number that matches wins.
CREATE TABLE deployment_profiles (
    name          TEXT PRIMARY KEY,
    model_pattern TEXT NOT NULL DEFAULT '*',
    priority      INTEGER NOT NULL DEFAULT 100,
    llm           TEXT NOT NULL,
    gpu           TEXT NOT NULL,
    precision     TEXT NOT NULL CHECK (precision IN ('bf16', 'fp8', 'fp4')),
    tp_prefill    INTEGER,   -- NULL: chosen for the best throughput per GPU
    tp_decode     INTEGER,
    ttft_ms       REAL NOT NULL,
    itl_ms        REAL NOT NULL,
    measured_profile TEXT,   -- path of a measured profile (CSV or Dynamo JSON), or NULL
    updated_at    TEXT NOT NULL
) STRICT;

-- Per model in the logs: its profile, the workload it is costed at (mean lengths over its
-- history), the resulting per-GPU capacities and the GPU-second coefficients the views apply
-- to the rollups. Rebuilt by every transform.
CREATE TABLE model_costs (
    model_id                      INTEGER PRIMARY KEY,
    profile                       TEXT NOT NULL,
    llm                           TEXT NOT NULL,
    gpu                           TEXT NOT NULL,
    mean_prompt_tokens            REAL NOT NULL,
    mean_cached_tokens            REAL NOT NULL,
    mean_output_tokens            REAL NOT NULL,
    tp_prefill                    INTEGER NOT NULL,
    tp_decode                     INTEGER NOT NULL,
    prefill_tokens_per_s_per_gpu  REAL NOT NULL,  -- computed tokens, GPU always busy
    prefill_max_utilization       REAL NOT NULL,  -- highest utilization meeting the TTFT target
    prefill_bound                 TEXT NOT NULL,
    decode_tokens_per_s_per_gpu   REAL NOT NULL,  -- at the ITL target
    decode_batch                  INTEGER NOT NULL,
    decode_bound                  TEXT NOT NULL,
    prefill_s_per_token           REAL NOT NULL,  -- GPU-seconds per computed prompt token
    prefill_s_per_attention_pair  REAL NOT NULL,  -- per (prefill·cached + prefill²/2)
    decode_s_per_token            REAL NOT NULL,  -- per output token
    decode_s_per_context_token    REAL NOT NULL,  -- per output token × context token
    updated_at                    TEXT NOT NULL
) STRICT;

-- Model tables, filled by Pipelines/models. `hour` and `day` count hours and days since the
-- epoch in the rollups' time zone; model_id 0 is all models together.

CREATE TABLE int_model_hours (
    hour                INTEGER NOT NULL,
    day                 INTEGER NOT NULL,
    model_id            INTEGER NOT NULL,
    requests            INTEGER NOT NULL,
    failed              INTEGER NOT NULL,
    prompt_tokens       INTEGER NOT NULL,
    cached_tokens       INTEGER NOT NULL,
    prefill_tokens      INTEGER NOT NULL,
    prefill_sq          REAL NOT NULL,
    prefill_cached      REAL NOT NULL,
    output_tokens       INTEGER NOT NULL,
    output_context      REAL NOT NULL,
    prompt_hist         TEXT NOT NULL,
    output_hist         TEXT NOT NULL,
    peak_minute_prefill INTEGER NOT NULL,
    peak_minute_output  INTEGER NOT NULL,
    active_minutes      INTEGER NOT NULL,
    PRIMARY KEY (hour, model_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX int_model_hours_day ON int_model_hours (day);

CREATE TABLE int_model_days (
    day                 INTEGER NOT NULL,
    model_id            INTEGER NOT NULL,
    requests            INTEGER NOT NULL,
    failed              INTEGER NOT NULL,
    prompt_tokens       INTEGER NOT NULL,
    cached_tokens       INTEGER NOT NULL,
    prefill_tokens      INTEGER NOT NULL,
    prefill_sq          REAL NOT NULL,
    prefill_cached      REAL NOT NULL,
    output_tokens       INTEGER NOT NULL,
    output_context      REAL NOT NULL,
    prompt_hist         TEXT NOT NULL,
    output_hist         TEXT NOT NULL,
    peak_minute_prefill INTEGER NOT NULL,
    peak_minute_output  INTEGER NOT NULL,
    peak_hour_prefill   INTEGER NOT NULL,
    peak_hour_output    INTEGER NOT NULL,
    active_minutes      INTEGER NOT NULL,
    PRIMARY KEY (day, model_id)
) STRICT, WITHOUT ROWID;

-- The observed span: every day (and hour) from the first minute with traffic to the last,
-- with the share of it inside the span (first and last are partial).
CREATE TABLE int_day_spine (
    day      INTEGER PRIMARY KEY,
    coverage REAL NOT NULL
) STRICT;

CREATE TABLE mart_hourly_phase (
    hour                    INTEGER NOT NULL,
    day                     INTEGER NOT NULL,
    model_id                INTEGER NOT NULL,
    coverage                REAL NOT NULL,
    requests                INTEGER NOT NULL,
    failed                  INTEGER NOT NULL,
    prompt_tokens           INTEGER NOT NULL,
    cached_tokens           INTEGER NOT NULL,
    prefill_tokens          INTEGER NOT NULL,
    output_tokens           INTEGER NOT NULL,
    prefill_sq              REAL NOT NULL,
    prefill_cached          REAL NOT NULL,
    output_context          REAL NOT NULL,
    token_ratio             REAL,     -- prefill (uncached prompt) tokens ÷ output tokens
    raw_token_ratio         REAL,     -- prompt tokens, cached ones included, ÷ output tokens
    prompt_p50              REAL,
    prompt_p90              REAL,
    prompt_p99              REAL,
    output_p50              REAL,
    output_p90              REAL,
    output_p99              REAL,
    peak_minute_prefill_tps REAL NOT NULL,
    peak_minute_output_tps  REAL NOT NULL,
    PRIMARY KEY (hour, model_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX mart_hourly_phase_day ON mart_hourly_phase (day);

CREATE TABLE mart_daily_phase (
    day                     INTEGER NOT NULL,
    model_id                INTEGER NOT NULL,
    coverage                REAL NOT NULL,
    requests                INTEGER NOT NULL,
    failed                  INTEGER NOT NULL,
    prompt_tokens           INTEGER NOT NULL,
    cached_tokens           INTEGER NOT NULL,
    prefill_tokens          INTEGER NOT NULL,
    output_tokens           INTEGER NOT NULL,
    prefill_sq              REAL NOT NULL,
    prefill_cached          REAL NOT NULL,
    output_context          REAL NOT NULL,
    token_ratio             REAL,     -- prefill (uncached prompt) tokens ÷ output tokens
    raw_token_ratio         REAL,     -- prompt tokens, cached ones included, ÷ output tokens
    prompt_p50              REAL,
    prompt_p90              REAL,
    prompt_p99              REAL,
    output_p50              REAL,
    output_p90              REAL,
    output_p99              REAL,
    peak_minute_prefill_tps REAL NOT NULL,
    peak_minute_output_tps  REAL NOT NULL,
    peak_hour_prefill_tps   REAL NOT NULL,
    peak_hour_output_tps    REAL NOT NULL,
    PRIMARY KEY (day, model_id)
) STRICT, WITHOUT ROWID;

-- Public views.

-- GPU-hours per row: each model's rows at its own coefficients; the all-models row (model 'all')
-- is the sum of the models' GPU-hours.
CREATE VIEW v_hourly_phase AS
WITH tz AS (
    SELECT COALESCE((SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'utc_offset_minutes'), 0) AS minutes
), costed AS (
    SELECT h.*,
        (h.prefill_tokens * c.prefill_s_per_token
            + (h.prefill_cached + h.prefill_sq / 2.0) * c.prefill_s_per_attention_pair) / 3600.0 AS prefill_gpu_hours,
        (h.output_tokens * c.decode_s_per_token + h.output_context * c.decode_s_per_context_token) / 3600.0
            AS decode_gpu_hours,
        c.profile AS profile
    FROM mart_hourly_phase h
    LEFT JOIN model_costs c ON c.model_id = h.model_id
    WHERE h.model_id <> 0
), totals AS (
    SELECT hour, SUM(prefill_gpu_hours) AS prefill_gpu_hours, SUM(decode_gpu_hours) AS decode_gpu_hours
    FROM costed GROUP BY hour
), unioned AS (
    SELECT costed.*, m.name AS model FROM costed JOIN models m ON m.model_id = costed.model_id
    UNION ALL
    SELECT h.*, t.prefill_gpu_hours, t.decode_gpu_hours, NULL AS profile, 'all' AS model
    FROM mart_hourly_phase h LEFT JOIN totals t ON t.hour = h.hour
    WHERE h.model_id = 0
)
SELECT
    strftime('%Y-%m-%dT%H:00', unioned.hour * 3600, 'unixepoch')
        || CASE WHEN tz.minutes = 0 THEN 'Z'
           ELSE printf('%+03d:%02d', tz.minutes / 60, abs(tz.minutes) % 60) END AS hour,
    (unioned.hour * 3600 - tz.minutes * 60) * 1000000 AS hour_start_us,
    unioned.model, unioned.coverage, unioned.requests, unioned.failed, unioned.prompt_tokens, unioned.cached_tokens,
    unioned.prefill_tokens, unioned.output_tokens, unioned.token_ratio, unioned.raw_token_ratio,
    unioned.prompt_p50, unioned.prompt_p90, unioned.prompt_p99, unioned.output_p50, unioned.output_p90, unioned.output_p99,
    unioned.peak_minute_prefill_tps, unioned.peak_minute_output_tps,
    unioned.prefill_gpu_hours, unioned.decode_gpu_hours,
    unioned.prefill_gpu_hours / NULLIF(unioned.decode_gpu_hours, 0) AS gpu_time_ratio,
    unioned.profile
FROM unioned, tz;

CREATE VIEW v_daily_phase AS
WITH tz AS (
    SELECT COALESCE((SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'utc_offset_minutes'), 0) AS minutes
), costed AS (
    SELECT d.*,
        (d.prefill_tokens * c.prefill_s_per_token
            + (d.prefill_cached + d.prefill_sq / 2.0) * c.prefill_s_per_attention_pair) / 3600.0 AS prefill_gpu_hours,
        (d.output_tokens * c.decode_s_per_token + d.output_context * c.decode_s_per_context_token) / 3600.0
            AS decode_gpu_hours,
        c.profile AS profile
    FROM mart_daily_phase d
    LEFT JOIN model_costs c ON c.model_id = d.model_id
    WHERE d.model_id <> 0
), totals AS (
    SELECT day, SUM(prefill_gpu_hours) AS prefill_gpu_hours, SUM(decode_gpu_hours) AS decode_gpu_hours
    FROM costed GROUP BY day
), unioned AS (
    SELECT costed.*, m.name AS model FROM costed JOIN models m ON m.model_id = costed.model_id
    UNION ALL
    SELECT d.*, t.prefill_gpu_hours, t.decode_gpu_hours, NULL AS profile, 'all' AS model
    FROM mart_daily_phase d LEFT JOIN totals t ON t.day = d.day
    WHERE d.model_id = 0
)
SELECT
    date(unioned.day * 86400, 'unixepoch') AS day,
    (unioned.day * 86400 - tz.minutes * 60) * 1000000 AS day_start_us,
    unioned.model, unioned.coverage, unioned.requests, unioned.failed, unioned.prompt_tokens, unioned.cached_tokens,
    unioned.prefill_tokens, unioned.output_tokens, unioned.token_ratio, unioned.raw_token_ratio,
    unioned.prompt_p50, unioned.prompt_p90, unioned.prompt_p99, unioned.output_p50, unioned.output_p90, unioned.output_p99,
    unioned.peak_minute_prefill_tps, unioned.peak_minute_output_tps, unioned.peak_hour_prefill_tps, unioned.peak_hour_output_tps,
    unioned.prefill_gpu_hours, unioned.decode_gpu_hours,
    unioned.prefill_gpu_hours / NULLIF(unioned.decode_gpu_hours, 0) AS gpu_time_ratio,
    unioned.profile
FROM unioned, tz;
