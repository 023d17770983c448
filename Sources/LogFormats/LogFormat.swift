/// The log formats phasecast reads, by the name `--format` takes.
public enum LogFormat: String, CaseIterable, Sendable {
    case azure
    case burstgpt
    case mooncake
    case openai
    case anthropic
    case bedrock
    case litellm
    case csv

    /// One line for help texts.
    public var summary: String {
        switch self {
        case .azure: "Azure LLM inference traces 2023, 2024, 2025 multimodal (CSV)"
        case .burstgpt: "BurstGPT v1, v2 (CSV; offsets from the start: needs --start)"
        case .mooncake: "Mooncake/Kimi and RAGPulse traces (JSONL; needs --start)"
        case .openai: "OpenAI Chat Completions, Responses, Batch output (JSONL)"
        case .anthropic: "Anthropic Messages usage with a timestamp (JSONL)"
        case .bedrock: "AWS Bedrock model-invocation logs (JSONL)"
        case .litellm: "LiteLLM spend logs (CSV or JSONL)"
        case .csv: "any CSV whose columns --map names"
        }
    }

    /// Whether timestamps are offsets from the start of the trace, so that `--start` is needed.
    public var needsStart: Bool { self == .burstgpt || self == .mooncake }

    /// A parser for one file of this format. `firstLine` is the file's first non-blank line,
    /// which tells LiteLLM's CSV exports from its JSONL.
    public func makeParser(
        options: ParseOptions, firstLine: UnsafeRawBufferPointer
    ) throws(FormatSetupError)
        -> SelectedParser
    {
        switch self {
        case .azure: return .csv(try CSVRequestParser(flavor: .azure, options: options))
        case .burstgpt: return .csv(try CSVRequestParser(flavor: .burstGPT, options: options))
        case .mooncake: return .mooncake(try MooncakeTraceParser(options: options))
        case .openai: return .json(JSONRequestParser(flavor: .openAI, options: options))
        case .anthropic: return .json(JSONRequestParser(flavor: .anthropic, options: options))
        case .bedrock: return .json(JSONRequestParser(flavor: .bedrock, options: options))
        case .litellm:
            let trimmed = ByteParsing.trimmed(firstLine)
            if trimmed.count > 0 && trimmed[0] == UInt8(ascii: "{") {
                return .json(JSONRequestParser(flavor: .liteLLM, options: options))
            }
            return .csv(try CSVRequestParser(flavor: .liteLLM, options: options))
        case .csv:
            guard let map = options.columnMap else { throw .needsMap }
            return .csv(try CSVRequestParser(flavor: .mapped(map), options: options))
        }
    }
}

/// A parser of a concrete type, so that the ingest loop is specialized for each.
public enum SelectedParser {
    case csv(CSVRequestParser)
    case json(JSONRequestParser)
    case mooncake(MooncakeTraceParser)
}
