import PhasecastCore

/// Reads OTLP/JSON trace exports (`{"resourceSpans":[{"scopeSpans":[{"spans":[…]}]}]}`, one
/// export per line, as the collector's file exporter writes them). Every span with GenAI usage
/// attributes (`gen_ai.usage.input_tokens`, `gen_ai.usage.output_tokens`, cache reads as
/// `gen_ai.usage.cache_read.input_tokens`) is a request at its `startTimeUnixNano`; a line may
/// hold many. Spans without usage are not requests.
public struct OTLPSpansParser: LogLineParser {
    private let options: ParseOptions
    private let scanner = JSONLineScanner()
    private var extra: [ParsedRequest] = []

    public init(options: ParseOptions) {
        self.options = options
    }

    /// Whether a line is an OTLP/JSON export rather than one flattened span.
    public static func isOTLP(_ line: UnsafeRawBufferPointer) -> Bool {
        SGLangRequestParser.find("\"resourceSpans\"", in: line) != nil
    }

    /// What one span's attributes and fields hold, as offsets into the line.
    struct Span {
        var key: (resource: Int, scope: Int, span: Int) = (-1, -1, -1)
        var start = JSONUsageFields.Slot()
        var input = JSONUsageFields.Slot()
        var output = JSONUsageFields.Slot()
        var cached = JSONUsageFields.Slot()
        var model = JSONUsageFields.Slot()
        var errorStatus = false
    }

    private enum Role { case none, input, output, cached, responseModel, requestModel }

    private struct Visitor: JSONVisitor {
        let line: UnsafeRawBufferPointer
        var spans: [Span] = []
        var current = Span()
        var attributeIndex = -1
        var attributeRole = Role.none
        var pendingValue = JSONUsageFields.Slot()
        var requestModel = JSONUsageFields.Slot()

        mutating func visit(_ path: JSONPath, _ value: JSONValue) {
            // resourceSpans [] scopeSpans [] spans [] FIELD …
            guard path.depth >= 7, path.component(0, is: "resourceSpans"), path.component(2, is: "scopeSpans"),
                path.component(4, is: "spans"), path.isArrayElement(1), path.isArrayElement(3),
                path.isArrayElement(5)
            else { return }
            let key = (path.elementIndex(1), path.elementIndex(3), path.elementIndex(5))
            if key != current.key {
                closeSpan()
                current = Span()
                current.key = key
            }
            if path.depth == 7 {
                if path.lastKey(is: "startTimeUnixNano") { current.start.offer(value, depth: 1, line: line) }
                return
            }
            if path.depth == 8 && path.component(6, is: "status") && path.lastKey(is: "code") {
                // STATUS_CODE_ERROR is 2 (or its name).
                current.errorStatus =
                    ByteParsing.equals(value.bytes, "2") || ByteParsing.equals(value.bytes, "STATUS_CODE_ERROR")
                return
            }
            guard path.component(6, is: "attributes"), path.isArrayElement(7) else { return }
            let index = path.elementIndex(7)
            if index != attributeIndex {
                closeAttribute()
                attributeIndex = index
            }
            if path.depth == 9 && path.lastKey(is: "key") {
                attributeRole = Self.role(value.bytes)
            } else if path.depth == 10 && path.component(8, is: "value") {
                pendingValue.offer(value, depth: 1, line: line)
            }
        }

        static func role(_ name: UnsafeRawBufferPointer) -> Role {
            if ByteParsing.equals(name, "gen_ai.usage.input_tokens")
                || ByteParsing.equals(name, "gen_ai.usage.prompt_tokens")
            {
                return .input
            }
            if ByteParsing.equals(name, "gen_ai.usage.output_tokens")
                || ByteParsing.equals(name, "gen_ai.usage.completion_tokens")
            {
                return .output
            }
            if ByteParsing.equals(name, "gen_ai.usage.cache_read.input_tokens")
                || ByteParsing.equals(name, "gen_ai.usage.cache_read_input_tokens")
            {
                return .cached
            }
            if ByteParsing.equals(name, "gen_ai.response.model") { return .responseModel }
            if ByteParsing.equals(name, "gen_ai.request.model") { return .requestModel }
            return .none
        }

        mutating func closeAttribute() {
            if pendingValue.isPresent {
                switch attributeRole {
                case .input: current.input = pendingValue
                case .output: current.output = pendingValue
                case .cached: current.cached = pendingValue
                case .responseModel: current.model = pendingValue
                case .requestModel: if !current.model.isPresent { current.model = pendingValue }
                case .none: break
                }
            }
            attributeRole = .none
            pendingValue = JSONUsageFields.Slot()
            attributeIndex = -1
        }

        mutating func closeSpan() {
            closeAttribute()
            if current.key.resource >= 0 && (current.input.isPresent || current.output.isPresent) {
                spans.append(current)
            }
        }
    }

    public mutating func parse(
        _ line: UnsafeRawBufferPointer, number: Int64, into request: inout ParsedRequest, models: inout ModelNames
    ) -> LineVerdict {
        var visitor = Visitor(line: line)
        if let error = scanner.scan(line, visitor: &visitor) { return .rejected(error.reason) }
        visitor.closeSpan()
        guard !visitor.spans.isEmpty else { return .skipped(.notARequest) }
        var requests: [ParsedRequest] = []
        for span in visitor.spans {
            var reason: String?
            func count(_ slot: JSONUsageFields.Slot, _ label: StaticString) -> Int64? {
                guard let value = slot.value(in: line) else { return nil }
                return FieldReading.count(value.bytes, label, reason: &reason)
            }
            let prompt = count(span.input, "gen_ai.usage.input_tokens") ?? 0
            let output = count(span.output, "gen_ai.usage.output_tokens") ?? 0
            let cached = count(span.cached, "gen_ai.usage.cache_read.input_tokens") ?? 0
            if let reason { return .rejected(reason) }
            guard FieldReading.checkCached(cached, prompt: prompt, reason: &reason) else {
                return .rejected(reason ?? "cached tokens exceed the prompt tokens")
            }
            guard let start = span.start.value(in: line) else {
                return .rejected("a span with GenAI usage has no startTimeUnixNano")
            }
            guard let micros = FieldReading.epochInstant(start.bytes, unit: .nanoseconds, reason: &reason) else {
                return .rejected(reason ?? "unreadable startTimeUnixNano")
            }
            let model = models.index(of: span.model.value(in: line), orElse: options.defaultModel)
            requests.append(
                ParsedRequest(
                    micros: micros, prompt: prompt, cached: cached, output: output, model: model,
                    status: span.errorStatus ? .failed : .ok, line: number))
        }
        request = requests[0]
        extra = Array(requests.dropFirst())
        return extra.isEmpty ? .accepted : .acceptedSeveral
    }

    public mutating func takeExtraRequests() -> [ParsedRequest] {
        defer { extra = [] }
        return extra
    }
}
