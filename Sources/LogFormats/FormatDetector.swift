/// Tells a file's log format from its first lines.
public enum FormatDetector {
    /// Whether a line looks like a record of some format, known or not (a JSON object, or
    /// comma-separated fields), rather than prose or a tab-separated manifest.
    public static func looksLikeRecord(_ line: UnsafeRawBufferPointer) -> Bool {
        let trimmed = ByteParsing.trimmed(line)
        return trimmed.count > 0 && (trimmed[0] == UInt8(ascii: "{") || trimmed.contains(UInt8(ascii: ",")))
    }

    /// What the first lines of a file say about its format.
    public enum Detection: Equatable, Sendable {
        case format(LogFormat)
        /// More than one format fits the same line: reading it as either could be wrong.
        case ambiguous([LogFormat])
        case unknown
    }

    /// The format of the first line that says which it is, from up to the first few non-blank lines.
    public static func detect(lines: [UnsafeRawBufferPointer]) -> LogFormat? {
        if case .format(let format) = classify(lines: lines) { return format }
        return nil
    }

    /// What the first line that says anything says: one format, several, or nothing.
    public static func classify(lines: [UnsafeRawBufferPointer]) -> Detection {
        for line in lines {
            let detection = classify(line: line)
            if detection != .unknown { return detection }
        }
        return .unknown
    }

    /// The format one line belongs to, or nil when it does not say (or several fit).
    public static func detect(line raw: UnsafeRawBufferPointer) -> LogFormat? {
        if case .format(let format) = classify(line: raw) { return format }
        return nil
    }

    /// What one line says about its format.
    public static func classify(line raw: UnsafeRawBufferPointer) -> Detection {
        var line = ByteParsing.trimmed(raw)
        if line.count >= 3 && line[0] == 0xEF && line[1] == 0xBB && line[2] == 0xBF {
            line = UnsafeRawBufferPointer(rebasing: line[3...])
        }
        guard line.count > 0 else { return .unknown }
        if line[0] == UInt8(ascii: "{") { return detectJSON(line) }
        if SGLangRequestParser.isFinishLine(line) { return .format(.sglang) }
        return detectCSV(line).map { .format($0) } ?? .unknown
    }

    private static func detectCSV(_ line: UnsafeRawBufferPointer) -> LogFormat? {
        var record = CSVRecord()
        guard record.split(line) else { return nil }
        let header = CSVHeader(names: record.headerNames())
        if header.index(of: "TIMESTAMP") != nil && header.index(of: "ContextTokens") != nil
            && header.index(of: "GeneratedTokens") != nil
        {
            return .azure
        }
        if header.index(of: "Timestamp") != nil && header.index(of: "Request tokens") != nil
            && header.index(of: "Response tokens") != nil
        {
            return .burstgpt
        }
        if header.index(of: "@message") != nil { return .cloudwatch }
        if header.index(of: "startTime", "start_time") != nil && header.index(of: "prompt_tokens") != nil {
            return .litellm
        }
        // A headerless Azure trace: timestamp, context tokens, generated tokens.
        if record.count == 3 || record.count == 4, TimestampParsing.iso8601(record.field(0)) != nil,
            case .value = ByteParsing.tokenCount(record.field(record.count - 1))
        {
            return .azure
        }
        return nil
    }

    /// The structure of one JSON line: every scalar's dotted path (array elements as `[]`) and
    /// the top-level strings that name a record's kind.
    struct Shape: JSONVisitor {
        var paths = Set<String>()
        var top: [String: String] = [:]

        mutating func visit(_ path: JSONPath, _ value: JSONValue) {
            guard paths.count < 4096 else { return }
            paths.insert(path.dotted())
            if path.depth == 1, value.kind == .string, let key = path.key(0), key.count <= 16 {
                top[String(decoding: key, as: UTF8.self)] = value.text()
            }
        }

        func has(_ path: String) -> Bool { paths.contains(path) }
        /// Whether some scalar sits under `prefix` (an object's path).
        func has(under prefix: String) -> Bool {
            let dotted = prefix + "."
            return paths.contains { $0.hasPrefix(dotted) }
        }
        func top(_ key: String, is values: String...) -> Bool { top[key].map(values.contains) ?? false }
    }

    /// Every JSON format whose top-level structure `shape` has. Each test looks at top-level
    /// keys and the exact paths of its own fields, never at a key found at any depth.
    static func candidates(_ s: Shape) -> [LogFormat] {
        var found: [LogFormat] = []
        if s.has("input_length") && (s.has("output_length") || s.has(under: "hash_ids")) {
            found.append(.mooncake)
        }
        if (s.top["schema"] ?? "").hasPrefix("dynamo.request.trace")
            || (s.has("event_type") && s.has(under: "request") && s.has("request.request_received_ms"))
        {
            found.append(.dynamo)
        }
        if s.has("@message") || s.has(under: "@message") { found.append(.cloudwatch) }
        if s.top("schemaType", is: "ModelInvocationLog") || (s.has("modelId") && s.has("input.inputTokenCount")) {
            found.append(.bedrock)
        }
        if s.has("prompt_tokens") && (s.has("startTime") || s.has("start_time") || s.has("spend") || s.has("call_type"))
        {
            found.append(.litellm)
        }
        if s.has(under: "usageMetadata") || s.has(under: "response.usageMetadata") { found.append(.gemini) }
        if s.top("type", is: "GENERATION", "SPAN", "EVENT") && (s.has("startTime") || s.has("traceId")) {
            found.append(.langfuse)
        }
        if s.has(under: "resourceSpans") || s.paths.contains(where: { $0.hasPrefix("attributes.gen_ai.") }) {
            found.append(.otel)
        }
        if s.has(under: "meta_info") && s.has("meta_info.prompt_tokens") { found.append(.sglang) }
        if s.top("object", is: "bucket", "page")
            && s.paths.contains(where: { $0.hasSuffix("results.[].num_model_requests") })
        {
            found.append(.openaiUsage)
        }
        if anthropicShape(s) != nil { found.append(.anthropic) }
        if s.top("object", is: "chat.completion", "text_completion", "response", "chat.completion.chunk")
            || s.has("usage.prompt_tokens") || s.has(under: "usage.input_tokens_details")
            || (s.has("custom_id") && (s.has(under: "response") || s.has("response")))
            || (s.has("created_at") && s.has("usage.input_tokens") && !s.has("timestamp") && s.top["type"] == nil)
        {
            found.append(.openai)
        }
        return found
    }

    /// Which Anthropic record a line is, or nil when it is none.
    static func anthropicShape(_ s: Shape) -> AnthropicShape? {
        if s.has("custom_id") && (s.has("result.type") || s.has(under: "result")) { return .batchResult }
        if s.top("type", is: "assistant", "user", "summary", "system")
            && (s.has("sessionId") || s.has("uuid") || s.has("leafUuid") || s.has(under: "message"))
        {
            return .claudeCode
        }
        if s.top("type", is: "message") && s.has("usage.input_tokens") { return .body }
        if s.has("usage.input_tokens") && !s.has("usage.prompt_tokens") && s.top["object"] == nil
            && (s.has("timestamp") || s.has("usage.cache_read_input_tokens")
                || s.has("usage.cache_creation_input_tokens"))
        {
            return .usageLog
        }
        return nil
    }

    /// The kinds of Anthropic records, each read its own way.
    public enum AnthropicShape: Sendable {
        /// A usage record with a timestamp of its own.
        case usageLog
        /// A Messages response body (`type: message`).
        case body
        /// A Message Batches result line.
        case batchResult
        /// A Claude Code transcript line.
        case claudeCode
    }

    /// The shape of a JSON line, or nil when it is not a JSON object.
    static func shape(_ line: UnsafeRawBufferPointer) -> Shape? {
        var shape = Shape()
        guard JSONLineScanner().scan(line, visitor: &shape) == nil else { return nil }
        return shape
    }

    /// The Anthropic record kind of a file from its first line (a usage log when it says nothing).
    public static func anthropicShape(firstLine: UnsafeRawBufferPointer) -> AnthropicShape {
        shape(ByteParsing.trimmed(firstLine)).flatMap(anthropicShape) ?? .usageLog
    }

    private static func detectJSON(_ line: UnsafeRawBufferPointer) -> Detection {
        guard let shape = shape(line) else { return .unknown }
        let found = candidates(shape)
        switch found.count {
        case 0: return .unknown
        case 1: return .format(found[0])
        default: return .ambiguous(found)
        }
    }
}
