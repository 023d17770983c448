/// The fields of a usage record that any of the JSON formats may carry, gathered in one walk.
///
/// Each slot keeps the first value at the shallowest depth where its key appears; the parser of
/// each format then picks the slots it knows.
struct JSONUsageFields: JSONVisitor {
    /// Where a value sits in the line: 12 bytes, so that the whole record of slots is cheap to
    /// set up for every line.
    struct Slot {
        var start: Int32 = 0
        var length: Int32 = -1
        var kind: JSONValue.Kind = .null
        var hasEscapes = false
        var depth: UInt8 = .max

        var isPresent: Bool { length >= 0 }

        @inline(__always)
        mutating func offer(_ candidate: JSONValue, depth candidateDepth: Int, line: UnsafeRawBufferPointer) {
            guard candidateDepth < Int(depth), let value = candidate.bytes.baseAddress, let base = line.baseAddress
            else { return }
            start = Int32(value - base)
            length = Int32(candidate.bytes.count)
            kind = candidate.kind
            hasEscapes = candidate.hasEscapes
            depth = UInt8(min(candidateDepth, 254))
        }

        /// The value, read from the line it was found in.
        @inline(__always)
        func value(in line: UnsafeRawBufferPointer) -> JSONValue? {
            guard isPresent else { return nil }
            let bytes = UnsafeRawBufferPointer(rebasing: line[Int(start)..<Int(start + length)])
            return JSONValue(kind: kind, bytes: bytes, hasEscapes: hasEscapes)
        }
    }

    /// The line being scanned; slots are offsets into it.
    let line: UnsafeRawBufferPointer

    init(line: UnsafeRawBufferPointer) {
        self.line = line
    }

    // Time.
    var created = Slot()
    var createdAt = Slot()
    var timestamp = Slot()
    var startTime = Slot()
    // Model.
    var model = Slot()
    var modelId = Slot()
    // OpenAI Chat Completions and Responses usage; Anthropic shares input_tokens/output_tokens.
    var promptTokens = Slot()
    var completionTokens = Slot()
    var inputTokens = Slot()
    var outputTokens = Slot()
    var cachedTokens = Slot()
    // Anthropic.
    var cacheReadInputTokens = Slot()
    var cacheCreationInputTokens = Slot()
    // Bedrock invocation logs.
    var inputTokenCount = Slot()
    var outputTokenCount = Slot()
    var cacheReadInputTokenCount = Slot()
    var cacheWriteInputTokenCount = Slot()
    // Mooncake and RAGPulse.
    var inputLength = Slot()
    var outputLength = Slot()
    // Signs of failure.
    var statusCode = Slot()
    var status = Slot()
    var resultType = Slot()
    var errorCode = Slot()
    /// A top-level `error` that is not null.
    var hasError = false
    /// Bedrock's `amazon-bedrock-guardrailAction`, anywhere in the record.
    var guardrailAction = Slot()

    mutating func visit(_ path: JSONPath, _ value: JSONValue) {
        let depth = path.depth
        let last = depth - 1
        guard let key = path.key(last) else {
            // An array element; `error` holding an array still means an error.
            if depth >= 2 && path.component(0, is: "error") { hasError = true }
            return
        }
        if depth >= 2 && path.component(0, is: "error") {
            hasError = true
            return
        }
        switch key.count {
        case 2:
            if path.lastKey(is: "ts") { timestamp.offer(value, depth: depth, line: line) }
        case 4:
            if path.lastKey(is: "time") { timestamp.offer(value, depth: depth, line: line) }
            if path.lastKey(is: "type") && path.component(last - 1, is: "result") {
                resultType.offer(value, depth: depth, line: line)
            }
        case 5:
            if path.lastKey(is: "model") { model.offer(value, depth: depth, line: line) }
            if path.lastKey(is: "error") && depth == 1 && value.kind != .null { hasError = true }
        case 6:
            if path.lastKey(is: "status") { status.offer(value, depth: depth, line: line) }
        case 7:
            if path.lastKey(is: "created") { created.offer(value, depth: depth, line: line) }
            if path.lastKey(is: "modelId") { modelId.offer(value, depth: depth, line: line) }
        case 9:
            if path.lastKey(is: "timestamp") { timestamp.offer(value, depth: depth, line: line) }
            if path.lastKey(is: "startTime") { startTime.offer(value, depth: depth, line: line) }
            if path.lastKey(is: "errorCode") { errorCode.offer(value, depth: depth, line: line) }
        case 10:
            if path.lastKey(is: "created_at") { createdAt.offer(value, depth: depth, line: line) }
            if path.lastKey(is: "start_time") { startTime.offer(value, depth: depth, line: line) }
        case 11:
            if path.lastKey(is: "status_code") { statusCode.offer(value, depth: depth, line: line) }
        case 12:
            if path.endsWith("usage", "input_tokens") { inputTokens.offer(value, depth: depth, line: line) }
            if path.lastKey(is: "input_length") { inputLength.offer(value, depth: depth, line: line) }
        case 13:
            if path.lastKey(is: "prompt_tokens") { promptTokens.offer(value, depth: depth, line: line) }
            if path.endsWith("usage", "output_tokens") { outputTokens.offer(value, depth: depth, line: line) }
            if path.lastKey(is: "cached_tokens")
                && (path.component(last - 1, is: "prompt_tokens_details")
                    || path.component(last - 1, is: "input_tokens_details"))
            {
                cachedTokens.offer(value, depth: depth, line: line)
            }
            if path.lastKey(is: "output_length") { outputLength.offer(value, depth: depth, line: line) }
        case 15:
            if path.endsWith("input", "inputTokenCount") { inputTokenCount.offer(value, depth: depth, line: line) }
        case 16:
            if path.endsWith("output", "outputTokenCount") { outputTokenCount.offer(value, depth: depth, line: line) }
        case 17:
            if path.lastKey(is: "completion_tokens") { completionTokens.offer(value, depth: depth, line: line) }
        case 23:
            if path.lastKey(is: "cache_read_input_tokens") {
                cacheReadInputTokens.offer(value, depth: depth, line: line)
            }
        case 24:
            if path.lastKey(is: "cacheReadInputTokenCount") {
                cacheReadInputTokenCount.offer(value, depth: depth, line: line)
            }
        case 25:
            if path.lastKey(is: "cacheWriteInputTokenCount") {
                cacheWriteInputTokenCount.offer(value, depth: depth, line: line)
            }
        case 30:
            if path.lastKey(is: "amazon-bedrock-guardrailAction") {
                guardrailAction.offer(value, depth: depth, line: line)
            }
        case 27:
            if path.lastKey(is: "cache_creation_input_tokens") {
                cacheCreationInputTokens.offer(value, depth: depth, line: line)
            }
        default:
            break
        }
    }
}
