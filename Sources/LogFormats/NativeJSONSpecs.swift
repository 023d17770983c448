/// The native JSON formats whose records a `JSONRecordSpec` describes whole: where each keeps
/// its time, counts, model, status and id. Field names are those the README lists per format.
extension JSONRecordSpec {
    static func path(_ text: StaticString) -> JSONFieldPath { JSONFieldPath(field: text) }
    static func paths(_ texts: StaticString...) -> [JSONFieldPath] { texts.map(path) }
    static func sums(_ alternatives: [StaticString]...) -> [Sum] { alternatives.map { $0.map(path) } }

    /// NVIDIA Dynamo request traces (`DYN_REQUEST_TRACE`, schema `dynamo.request.trace.v1`): one
    /// `request_end` event per request; other events are not requests.
    static let dynamo: JSONRecordSpec = {
        var spec = JSONRecordSpec(
            time: paths("request.request_received_ms", "request_received_ms"), timeUnit: .milliseconds,
            prompt: sums(["request.input_tokens"]), output: sums(["request.output_tokens"]),
            cached: sums(["request.cached_tokens"]), model: paths("request.model", "model"),
            status: paths("request.status", "status"), id: paths("request.request_id", "request_id"),
            filters: [Filter(path: path("event_type"), values: ["request_end"])])
        spec.filterSkip = .notARequest
        return spec
    }()

    /// Google Gemini API and Vertex AI responses, bare or inside a Vertex batch prediction line
    /// (`response`). `promptTokenCount` includes cached tokens; thoughts are output beside the
    /// candidates; tool-use prompt tokens are prompt. A response blocked before any output has
    /// no `candidatesTokenCount`: its output is 0.
    static let gemini: JSONRecordSpec = {
        var spec = JSONRecordSpec(
            time: paths("createTime", "create_time", "response.createTime", "processed_time", "timestamp"),
            prompt: sums(
                ["usageMetadata.promptTokenCount", "usageMetadata.toolUsePromptTokenCount"],
                ["response.usageMetadata.promptTokenCount", "response.usageMetadata.toolUsePromptTokenCount"]),
            output: sums(
                ["usageMetadata.candidatesTokenCount", "usageMetadata.thoughtsTokenCount"],
                ["response.usageMetadata.candidatesTokenCount", "response.usageMetadata.thoughtsTokenCount"]),
            cached: sums(
                ["usageMetadata.cachedContentTokenCount"], ["response.usageMetadata.cachedContentTokenCount"]),
            model: paths("modelVersion", "response.modelVersion", "model"), id: paths("responseId"))
        spec.outputMayBeAbsent = true
        spec.timeFromFile = true
        return spec
    }()

    /// Langfuse observation exports: `GENERATION` observations are requests; spans and events
    /// are not. `usageDetails.input` counts the prompt tokens not read from a cache (Langfuse
    /// sums every usage type whose name holds "input").
    static let langfuse: JSONRecordSpec = {
        var spec = JSONRecordSpec(
            time: paths("startTime", "start_time"), prompt: [],
            output: sums(["usageDetails.output"], ["usage.output"], ["completionTokens"]),
            cached: sums(
                ["usageDetails.input_cached_tokens"], ["usageDetails.cache_read_input_tokens"],
                ["usageDetails.input_cache_read"]),
            model: paths("model", "providedModelName"), id: paths("id"),
            filters: [Filter(path: path("type"), values: ["GENERATION"])])
        spec.uncachedPrompt = sums(["usageDetails.input"], ["usage.input"], ["promptTokens"])
        spec.cacheWritten = sums(
            ["usageDetails.cache_creation_input_tokens"], ["usageDetails.input_cache_creation"])
        spec.filterSkip = .notARequest
        return spec
    }()

    /// OpenTelemetry spans written one per line (the SDKs' console and file exporters), with the
    /// GenAI semantic conventions' attributes, flattened (`"gen_ai.usage.input_tokens": 12`) or
    /// as OTLP key-value lists are not: those are `OTLPSpansParser`'s. Spans without token
    /// usage are not requests.
    static let otelSpans: JSONRecordSpec = {
        var spec = JSONRecordSpec(
            time: paths("start_time", "startTime", "startTimeUnixNano", "timestamp"),
            prompt: sums(["attributes.gen_ai.usage.input_tokens"], ["attributes.gen_ai.usage.prompt_tokens"]),
            output: sums(["attributes.gen_ai.usage.output_tokens"], ["attributes.gen_ai.usage.completion_tokens"]),
            cached: sums(
                ["attributes.gen_ai.usage.cache_read.input_tokens"],
                ["attributes.gen_ai.usage.cache_read_input_tokens"]),
            model: paths("attributes.gen_ai.response.model", "attributes.gen_ai.request.model"),
            id: paths("context.span_id", "spanId", "span_id"))
        spec.missingUsageSkip = .notARequest
        return spec
    }()

    /// Claude Code transcripts: `assistant` lines carry the API's usage, one line per content
    /// block with the same `message.id`; user, tool-result, summary and system lines are not
    /// requests.
    static let claudeCode: JSONRecordSpec = {
        var spec = JSONRecordSpec(
            time: paths("timestamp"), prompt: [], output: sums(["message.usage.output_tokens"]),
            cached: sums(["message.usage.cache_read_input_tokens"]), model: paths("message.model"),
            id: paths("message.id"), filters: [Filter(path: path("type"), values: ["assistant"])])
        spec.uncachedPrompt = sums(["message.usage.input_tokens"])
        spec.cacheWritten = sums(["message.usage.cache_creation_input_tokens"])
        spec.filterSkip = .notARequest
        return spec
    }()

    /// Anthropic Message Batches results: `result.type` says whether the request was served;
    /// the lines carry no time, so `--start` (or the file's modification time) dates them.
    static let anthropicBatch: JSONRecordSpec = {
        var spec = JSONRecordSpec(
            time: paths("timestamp", "created_at"), prompt: [],
            output: sums(["result.message.usage.output_tokens"]),
            cached: sums(["result.message.usage.cache_read_input_tokens"]), model: paths("result.message.model"),
            status: paths("result.type"), id: paths("custom_id"))
        spec.uncachedPrompt = sums(["result.message.usage.input_tokens"])
        spec.cacheWritten = sums(["result.message.usage.cache_creation_input_tokens"])
        spec.timeFromFile = true
        return spec
    }()

    /// Anthropic Messages response bodies as returned (`type: message`), without a time of
    /// their own unless a logger added one.
    static let anthropicBody: JSONRecordSpec = {
        var spec = JSONRecordSpec(
            time: paths("timestamp", "created_at", "time", "ts"), prompt: [], output: sums(["usage.output_tokens"]),
            cached: sums(["usage.cache_read_input_tokens"]), model: paths("model"), id: paths("id"))
        spec.uncachedPrompt = sums(["usage.input_tokens"])
        spec.cacheWritten = sums(["usage.cache_creation_input_tokens"])
        spec.timeFromFile = true
        return spec
    }()
}
