/// Tells a file's log format from its first lines.
public enum FormatDetector {
    /// The format of the first line that says which it is, from up to the first few non-blank lines.
    public static func detect(lines: [UnsafeRawBufferPointer]) -> LogFormat? {
        for line in lines {
            if let format = detect(line: line) { return format }
        }
        return nil
    }

    /// The format one line belongs to, or nil when it does not say.
    public static func detect(line raw: UnsafeRawBufferPointer) -> LogFormat? {
        var line = ByteParsing.trimmed(raw)
        if line.count >= 3 && line[0] == 0xEF && line[1] == 0xBB && line[2] == 0xBF {
            line = UnsafeRawBufferPointer(rebasing: line[3...])
        }
        guard line.count > 0 else { return nil }
        if line[0] == UInt8(ascii: "{") { return detectJSON(line) }
        return detectCSV(line)
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

    /// Keys whose presence tells the JSON formats apart.
    private struct Signs: JSONVisitor {
        var fields: JSONUsageFields
        var hashIDs = false
        var modelInvocationLog = false
        var customID = false
        var spend = false
        var messageType = false

        mutating func visit(_ path: JSONPath, _ value: JSONValue) {
            fields.visit(path, value)
            if path.component(0, is: "hash_ids") { hashIDs = true }
            if path.depth == 1 && path.lastKey(is: "schemaType")
                && ByteParsing.equals(value.bytes, "ModelInvocationLog")
            {
                modelInvocationLog = true
            }
            if path.depth == 1 && path.lastKey(is: "custom_id") { customID = true }
            if path.depth == 1 && (path.lastKey(is: "spend") || path.lastKey(is: "call_type")) { spend = true }
            if path.lastKey(is: "type") && ByteParsing.equals(value.bytes, "message") { messageType = true }
        }
    }

    private static func detectJSON(_ line: UnsafeRawBufferPointer) -> LogFormat? {
        var signs = Signs(fields: JSONUsageFields(line: line))
        guard JSONLineScanner().scan(line, visitor: &signs) == nil else { return nil }
        let f = signs.fields
        if f.inputLength.isPresent && (signs.hashIDs || f.outputLength.isPresent) { return .mooncake }
        if signs.modelInvocationLog || (f.modelId.isPresent && f.inputTokenCount.isPresent) { return .bedrock }
        if (f.startTime.isPresent || signs.spend) && f.promptTokens.isPresent { return .litellm }
        if f.cacheReadInputTokens.isPresent || f.cacheCreationInputTokens.isPresent || signs.messageType {
            return f.promptTokens.isPresent ? .openai : .anthropic
        }
        if f.promptTokens.isPresent || f.cachedTokens.isPresent || signs.customID { return .openai }
        if f.inputTokens.isPresent {
            // Responses API records carry created_at; Anthropic usage logs a timestamp of their own.
            return f.createdAt.isPresent && !f.timestamp.isPresent ? .openai : .anthropic
        }
        return nil
    }
}
