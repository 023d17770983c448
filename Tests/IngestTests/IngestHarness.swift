import Foundation
import Ingest
import LogFormats
import PhasecastCore
import Store
import TestSupport

/// Runs an ingest into `database` with the given inputs and options.
@discardableResult
func ingest(
    _ database: String, _ inputs: [String], format: LogFormat? = nil, parse: ParseOptions = ParseOptions(),
    keepRaw: Bool = true, rawRetentionDays: Int? = nil, maxRejectRate: Double = 0.01, rehash: Bool = false
) throws -> IngestReport {
    let options = IngestOptions(
        databasePath: database, inputs: inputs, format: format, parse: parse, keepRaw: keepRaw,
        rawRetentionDays: rawRetentionDays, maxRejectRate: maxRejectRate)
    return try Ingestor(options: options, showProgress: false, rehash: rehash, log: { _ in }).run()
}

/// A deterministic pseudo-random sequence for generated test logs.
struct Sequence64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next(below bound: Int) -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int((state >> 33) % UInt64(bound))
    }
}

/// OpenAI Chat Completions lines: `count` requests over several models, one every `spacingSeconds`.
func openAILines(count: Int, start: Int64 = 1_762_000_000, spacingSeconds: Int = 7, seed: UInt64 = 1) -> [String] {
    var random = Sequence64(seed: seed)
    let models = ["llama-3.1-70b", "llama-3.1-8b", "qwen3-32b"]
    return (0..<count).map { i in
        let prompt = 1 + random.next(below: 9000)
        let cached = random.next(below: 3) == 0 ? random.next(below: prompt) : 0
        let output = random.next(below: 2000)
        let created = start + Int64(i * spacingSeconds)
        return
            #"{"created":\#(created),"model":"\#(models[random.next(below: models.count)])","usage":{"prompt_tokens":\#(prompt),"completion_tokens":\#(output),"prompt_tokens_details":{"cached_tokens":\#(cached)}}}"#
    }
}

/// Counts and sums of every table ingest writes, to compare a database before and after a run.
func snapshot(_ database: String) throws -> [[SQLValue]] {
    let db = try Connection(path: database)
    return try [
        "SELECT count(*), total(ts_us), total(prompt_tokens * 3 + cached_tokens * 5 + output_tokens * 7 + line), total(file_id) FROM requests",
        "SELECT count(*), total(requests), total(prompt_tokens), total(prefill_sq), total(output_prompt), group_concat(hex(prompt_hist)) FROM request_minutes",
        "SELECT count(*), group_concat(reason) FROM rejects",
        "SELECT count(*), group_concat(path || fingerprint || status || rows || raw_rows) FROM source_files",
        "SELECT count(*) FROM models",
    ].map { try db.rows($0).first ?? [] }
}

/// Totals over the raw rows and over the rollups: (requests, prompt, cached, output).
func totals(_ database: String) throws -> (raw: [Int64], rollups: [Int64]) {
    let db = try Connection(path: database)
    let raw = try db.rows(
        "SELECT count(*), total(prompt_tokens), total(cached_tokens), total(output_tokens) FROM requests")[0]
    let rolled = try db.rows(
        "SELECT total(requests), total(prompt_tokens), total(cached_tokens), total(output_tokens) FROM request_minutes")[
            0]
    return (raw.map { Int64($0.real ?? -1) }, rolled.map { Int64($0.real ?? -1) })
}
