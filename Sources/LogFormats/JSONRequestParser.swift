import PhasecastCore

/// Parses the JSON-lines usage formats: OpenAI (Chat Completions, Responses, Batch output),
/// Anthropic Messages usage, Bedrock invocation logs and LiteLLM spend logs.
///
/// Each format normalizes its counts at this edge: `prompt` always includes cached tokens.
public struct JSONRequestParser: LogLineParser {
    public enum Flavor: Sendable {
        case openAI
        case anthropic
        case bedrock
        case liteLLM
    }

    private let flavor: Flavor
    private let options: ParseOptions
    private let scanner = JSONLineScanner()
    /// Cached tokens this flavor read, and lines carrying a cached count only another JSON
    /// format reads (OpenAI's `cached_tokens` in an Anthropic reading, Anthropic's
    /// `cache_read_input_tokens` in an OpenAI one): the plausibility check of the whole file.
    private var cachedTokensRead: Int64 = 0
    private var foreignCachedLines: Int64 = 0

    public init(flavor: Flavor, options: ParseOptions) {
        self.flavor = flavor
        self.options = options
    }

    public mutating func parse(
        _ line: UnsafeRawBufferPointer, number: Int64, into request: inout ParsedRequest,
        models: inout ModelNames
    ) -> LineVerdict {
        var fields = JSONUsageFields(line: line)
        if let error = scanner.scan(line, visitor: &fields) { return .rejected(error.reason) }
        var reason: String?
        let tokens: TokenCounts?
        switch flavor {
        case .openAI: tokens = openAITokens(&fields, reason: &reason)
        case .anthropic: tokens = anthropicTokens(&fields, reason: &reason)
        case .bedrock: tokens = bedrockTokens(&fields, reason: &reason)
        case .liteLLM: tokens = liteLLMTokens(&fields, reason: &reason)
        }
        let failed = signalsFailure(&fields)
        guard let tokens else {
            if let reason { return .rejected(reason) }
            // No usage at all: say what kind of record it is, or reject it.
            if let kind = notServed(&fields, failed: failed) { return .skipped(kind) }
            return .rejected(missingUsageReason)
        }
        cachedTokensRead += tokens.cached
        if tokens.cached == 0 && carriesForeignCachedCount(&fields) { foreignCachedLines += 1 }
        guard FieldReading.checkCached(tokens.cached, prompt: tokens.prompt, reason: &reason) else {
            return .rejected(reason ?? "cached tokens exceed the prompt tokens")
        }
        guard let micros = timestamp(&fields, reason: &reason) else {
            return .rejected(reason ?? "unreadable timestamp")
        }
        let modelSlot = flavor == .bedrock ? fields.modelId : fields.model
        let model: Int32
        if let value = modelSlot.value(in: line), value.kind == .string {
            if flavor == .bedrock, let id = BedrockModelID.fromARN(value.text()) {
                model = models.index(of: id)
            } else {
                model = value.hasEscapes ? models.index(of: value.text()) : models.index(of: value.bytes)
            }
        } else {
            model = models.index(of: options.defaultModel)
        }
        request = ParsedRequest(
            micros: micros, prompt: tokens.prompt, cached: tokens.cached, output: tokens.output, model: model,
            status: failed ? .failed : .ok, line: number)
        return .accepted
    }

    public func fileWarnings(rows: Int64) -> [String] {
        guard cachedTokensRead == 0 && foreignCachedLines > 0 else { return [] }
        let (mine, theirs): (String, String) =
            switch flavor {
            case .openAI, .liteLLM: ("openai", "cache_read_input_tokens (Anthropic's field)")
            case .anthropic, .bedrock: ("anthropic", "cached_tokens (OpenAI's field)")
            }
        return [
            "read as \(mine), no line had cached tokens, yet \(foreignCachedLines) lines carry a non-zero \(theirs): if the file is in that format, load it again with --format"
        ]
    }

    /// Whether the record has a non-zero cached count in a field this flavor does not read.
    private func carriesForeignCachedCount(_ f: inout JSONUsageFields) -> Bool {
        let slot: JSONUsageFields.Slot
        switch flavor {
        case .openAI: slot = f.cacheReadInputTokens
        case .anthropic, .bedrock: slot = f.cachedTokens
        case .liteLLM: return false
        }
        guard let value = slot.value(in: f.line), case .value(let count) = ByteParsing.tokenCount(value.bytes) else {
            return false
        }
        return count > 0
    }

    private var missingUsageReason: String {
        switch flavor {
        case .openAI: "no usage.prompt_tokens or usage.input_tokens"
        case .anthropic: "no usage.input_tokens"
        case .bedrock: "no input.inputTokenCount"
        case .liteLLM: "no prompt_tokens"
        }
    }

    // MARK: Token counts per format

    /// A count from a slot; nil with no reason when absent, nil with a reason when malformed.
    private func count(
        _ slot: JSONUsageFields.Slot, _ label: StaticString, in line: UnsafeRawBufferPointer, reason: inout String?
    ) -> Int64? {
        guard let value = slot.value(in: line), value.kind != .null else { return nil }
        guard value.kind == .number || value.kind == .string else {
            reason = "\(label) is not a number"
            return nil
        }
        return FieldReading.count(value.bytes, label, reason: &reason)
    }

    /// Chat Completions: prompt_tokens includes cached_tokens. Responses: input_tokens includes them.
    private func openAITokens(_ f: inout JSONUsageFields, reason: inout String?) -> TokenCounts? {
        let usesResponsesAPI = !f.promptTokens.isPresent
        let promptSlot = usesResponsesAPI ? f.inputTokens : f.promptTokens
        let outputSlot = usesResponsesAPI ? f.outputTokens : f.completionTokens
        guard let prompt = count(promptSlot, "prompt tokens", in: f.line, reason: &reason) else { return nil }
        guard let output = count(outputSlot, "output tokens", in: f.line, reason: &reason) else {
            if reason == nil { reason = "no usage.completion_tokens or usage.output_tokens" }
            return nil
        }
        let cached = count(f.cachedTokens, "cached tokens", in: f.line, reason: &reason) ?? 0
        return reason == nil ? TokenCounts(prompt: prompt, cached: cached, output: output) : nil
    }

    /// Anthropic: input_tokens excludes cache reads and cache writes; the prompt is their sum.
    private func anthropicTokens(_ f: inout JSONUsageFields, reason: inout String?) -> TokenCounts? {
        guard let input = count(f.inputTokens, "input tokens", in: f.line, reason: &reason) else { return nil }
        guard let output = count(f.outputTokens, "output tokens", in: f.line, reason: &reason) else {
            if reason == nil { reason = "no usage.output_tokens" }
            return nil
        }
        let read = count(f.cacheReadInputTokens, "cache read tokens", in: f.line, reason: &reason) ?? 0
        let written = count(f.cacheCreationInputTokens, "cache creation tokens", in: f.line, reason: &reason) ?? 0
        guard reason == nil else { return nil }
        return TokenCounts(prompt: input + read + written, cached: read, output: output)
    }

    /// Bedrock: inputTokenCount excludes cache reads and writes, as Anthropic's input_tokens does.
    private func bedrockTokens(_ f: inout JSONUsageFields, reason: inout String?) -> TokenCounts? {
        guard let input = count(f.inputTokenCount, "input tokens", in: f.line, reason: &reason) else { return nil }
        let output = count(f.outputTokenCount, "output tokens", in: f.line, reason: &reason) ?? 0
        let read = count(f.cacheReadInputTokenCount, "cache read tokens", in: f.line, reason: &reason) ?? 0
        let written = count(f.cacheWriteInputTokenCount, "cache write tokens", in: f.line, reason: &reason) ?? 0
        guard reason == nil else { return nil }
        return TokenCounts(prompt: input + read + written, cached: read, output: output)
    }

    // The helpers below take the fields `inout` only so that the record is not copied per call.

    /// LiteLLM: prompt_tokens follows OpenAI (includes cached); cached tokens, when logged, are
    /// `cache_read_input_tokens` or a usage object's `prompt_tokens_details.cached_tokens`.
    private func liteLLMTokens(
        _ f: inout JSONUsageFields, reason: inout String?
    )
        -> TokenCounts?
    {
        guard let prompt = count(f.promptTokens, "prompt tokens", in: f.line, reason: &reason) else { return nil }
        guard let output = count(f.completionTokens, "completion tokens", in: f.line, reason: &reason) else {
            if reason == nil { reason = "no completion_tokens" }
            return nil
        }
        let cached =
            count(f.cacheReadInputTokens, "cached tokens", in: f.line, reason: &reason)
            ?? count(f.cachedTokens, "cached tokens", in: f.line, reason: &reason) ?? 0
        return reason == nil ? TokenCounts(prompt: prompt, cached: cached, output: output) : nil
    }

    // MARK: Time and status

    private func timestamp(_ f: inout JSONUsageFields, reason: inout String?) -> Int64? {
        switch flavor {
        case .openAI:
            if let value = f.created.value(in: f.line) {
                guard value.kind == .number else {
                    return FieldReading.anyInstant(value, reason: &reason)
                }
                return FieldReading.epochInstant(value.bytes, unit: .seconds, reason: &reason)
            }
            if let value = f.createdAt.value(in: f.line) {
                if value.kind == .number {
                    return FieldReading.epochInstant(value.bytes, unit: .seconds, reason: &reason)
                }
                return FieldReading.anyInstant(value, reason: &reason)
            }
            reason = "no created or created_at timestamp"
            return nil
        case .anthropic, .bedrock:
            for slot in [f.timestamp, f.createdAt, f.startTime, f.created] {
                if let value = slot.value(in: f.line) { return FieldReading.anyInstant(value, reason: &reason) }
            }
            reason = "no timestamp field (timestamp, created_at, time or ts)"
            return nil
        case .liteLLM:
            for slot in [f.startTime, f.timestamp, f.createdAt] {
                if let value = slot.value(in: f.line) { return FieldReading.anyInstant(value, reason: &reason) }
            }
            reason = "no startTime"
            return nil
        }
    }

    /// The kind of a record without usage that is not a served request, or nil when it should
    /// have had usage: a guardrail block, a Responses record logged while queued or in progress,
    /// a cancelled one, a failed one, a batch line whose response has no body.
    private func notServed(_ f: inout JSONUsageFields, failed: Bool) -> SkipKind? {
        if let action = f.guardrailAction.value(in: f.line), ByteParsing.equalsIgnoringCase(action.bytes, "INTERVENED")
        {
            return .guardrailBlocked
        }
        if let status = f.status.value(in: f.line), status.kind == .string {
            switch RequestStatusText.outcome(status.bytes) {
            case .unfinished: return .unfinished
            case .cancelled: return .cancelled
            case .failed, .served: break
            }
        }
        if let type = f.resultType.value(in: f.line), type.kind == .string {
            if ByteParsing.equals(type.bytes, "canceled") || ByteParsing.equals(type.bytes, "expired") {
                return .cancelled
            }
        }
        if failed { return .failed }
        return nil
    }

    /// Whether the record says the request failed: an error object, a non-2xx status code,
    /// a failure status word, a failed batch result.
    private func signalsFailure(_ f: inout JSONUsageFields) -> Bool {
        if f.hasError { return true }
        if let code = f.statusCode.value(in: f.line), case .value(let value) = ByteParsing.tokenCount(code.bytes),
            value >= 300
        {
            return true
        }
        if let status = f.status.value(in: f.line), status.kind == .string,
            RequestStatusText.interpret(status.bytes) == .failed
        {
            return true
        }
        if let type = f.resultType.value(in: f.line), type.kind == .string, !ByteParsing.equals(type.bytes, "succeeded")
        {
            return true
        }
        if let code = f.errorCode.value(in: f.line), code.kind != .null { return true }
        return false
    }
}
