/// The log formats phasecast reads, by the name `--format` takes.
public enum LogFormat: String, CaseIterable, Sendable {
    case azure
    case burstgpt
    case mooncake
    case openai
    case anthropic
    case bedrock
    case litellm
    case dynamo
    case sglang
    case otel
    case gemini
    case langfuse
    case cloudwatch
    case openaiUsage = "openai-usage"
    case csv

    /// One line for help texts.
    public var summary: String {
        switch self {
        case .azure: "Azure LLM inference traces 2023, 2024, 2025 multimodal (CSV)"
        case .burstgpt: "BurstGPT v1, v2 (CSV; offsets from the start: needs --start)"
        case .mooncake: "Mooncake/Kimi and RAGPulse traces (JSONL; needs --start)"
        case .openai: "OpenAI Chat Completions, Responses, Batch output (JSONL)"
        case .anthropic:
            "Anthropic Messages usage logs, response bodies, Message Batches results, Claude Code transcripts (JSONL)"
        case .bedrock: "AWS Bedrock model-invocation logs (JSONL)"
        case .litellm: "LiteLLM spend logs (CSV or JSONL)"
        case .dynamo: "NVIDIA Dynamo request traces, DYN_REQUEST_TRACE (JSONL)"
        case .sglang: "SGLang request logs, --log-requests Finish lines (text or JSONL)"
        case .otel: "OpenTelemetry GenAI spans: OTLP/JSON exports or one span per line (JSONL)"
        case .gemini: "Google Gemini API and Vertex AI responses, Vertex batch output (JSONL)"
        case .langfuse: "Langfuse observation exports, GENERATION observations (JSONL)"
        case .cloudwatch: "CloudWatch Logs Insights exports of Bedrock invocation logs (JSONL or CSV)"
        case .openaiUsage: "OpenAI organization Usage API completions buckets: daily or hourly aggregates (JSONL)"
        case .csv: "any CSV whose columns --map names, or JSONL whose dotted paths --map names"
        }
    }

    /// Whether the format holds usage totals rather than requests.
    public var isAggregate: Bool { self == .openaiUsage }

    /// Whether timestamps are offsets from the start of the trace, so that `--start` is needed.
    public var needsStart: Bool { self == .burstgpt || self == .mooncake }

    /// Whether `--start` means something to this format: offsets need it; records without a time
    /// of their own (Anthropic batches and bodies, Gemini responses) are dated by it; mapped
    /// files may use offsets. For the others it would be ignored, so it is refused.
    public var acceptsStart: Bool {
        switch self {
        case .burstgpt, .mooncake, .anthropic, .gemini, .csv: true
        default: false
        }
    }

    /// A parser for one file of this format. `firstLine` is the file's first non-blank line,
    /// which tells LiteLLM's CSV exports from its JSONL.
    public func makeParser(
        options: ParseOptions, firstLine: UnsafeRawBufferPointer
    ) throws(FormatSetupError)
        -> SelectedParser
    {
        if options.start != nil && !acceptsStart { throw .startNotUsed(format: rawValue) }
        switch self {
        case .azure: return .csv(try CSVRequestParser(flavor: .azure, options: options))
        case .burstgpt: return .csv(try CSVRequestParser(flavor: .burstGPT, options: options))
        case .mooncake: return .mooncake(try MooncakeTraceParser(options: options))
        case .openai: return .json(JSONRequestParser(flavor: .openAI, options: options))
        case .anthropic:
            switch FormatDetector.anthropicShape(firstLine: firstLine) {
            case .usageLog: return .json(JSONRequestParser(flavor: .anthropic, options: options))
            case .body: return .mapped(MappedJSONParser(spec: .anthropicBody, options: options))
            case .batchResult:
                return .mapped(MappedJSONParser(spec: .anthropicBatch, options: options))
            case .claudeCode:
                return .mapped(MappedJSONParser(spec: .claudeCode, options: options))
            }
        case .dynamo: return .mapped(MappedJSONParser(spec: .dynamo, options: options))
        case .sglang: return .sglang(SGLangRequestParser(options: options))
        case .otel:
            if OTLPSpansParser.isOTLP(firstLine) { return .otlp(OTLPSpansParser(options: options)) }
            return .mapped(MappedJSONParser(spec: .otelSpans, options: options))
        case .gemini: return .mapped(MappedJSONParser(spec: .gemini, options: options))
        case .langfuse: return .mapped(MappedJSONParser(spec: .langfuse, options: options))
        case .cloudwatch: return .cloudwatch(CloudWatchExportParser(options: options, firstLine: firstLine))
        case .openaiUsage: return .usage(OpenAIUsageParser(options: options))
        case .bedrock: return .json(JSONRequestParser(flavor: .bedrock, options: options))
        case .litellm:
            let trimmed = ByteParsing.trimmed(firstLine)
            if trimmed.count > 0 && trimmed[0] == UInt8(ascii: "{") {
                return .json(JSONRequestParser(flavor: .liteLLM, options: options))
            }
            return .csv(try CSVRequestParser(flavor: .liteLLM, options: options))
        case .csv:
            let trimmed = ByteParsing.trimmed(firstLine)
            if trimmed.count > 0 && trimmed[0] == UInt8(ascii: "{") {
                guard var spec = options.jsonMap else { throw .needsMap }
                spec.offsetsFromStart = options.start != nil
                return .mapped(MappedJSONParser(spec: spec, options: options))
            }
            guard let map = options.columnMap else {
                if options.jsonMap != nil {
                    throw .badMap("where, uncached and id apply to JSON lines only, and this file is CSV")
                }
                throw .needsMap
            }
            return .csv(try CSVRequestParser(flavor: .mapped(map), options: options))
        }
    }
}

/// A parser of a concrete type, so that the ingest loop is specialized for each.
public enum SelectedParser {
    case csv(CSVRequestParser)
    case json(JSONRequestParser)
    case mooncake(MooncakeTraceParser)
    case mapped(MappedJSONParser)
    case sglang(SGLangRequestParser)
    case otlp(OTLPSpansParser)
    case cloudwatch(CloudWatchExportParser)
    case usage(OpenAIUsageParser)
}
