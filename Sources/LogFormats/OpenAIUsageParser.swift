import PhasecastCore

/// Reads the OpenAI organization Usage API's completions buckets: a line is one bucket
/// (`{"object":"bucket","start_time":…,"end_time":…,"results":[…]}`) or one page of them
/// (`{"object":"page","data":[bucket, …]}`). Each result holds a model's totals over the bucket:
/// `num_model_requests`, `input_tokens` (cached included), `input_cached_tokens`,
/// `output_tokens`. They are aggregates, not requests: the ingest spreads each evenly over its
/// bucket's minutes, so a day of them has the right totals and a flat intraday shape.
public struct OpenAIUsageParser: LogLineParser {
    private let options: ParseOptions
    private let scanner = JSONLineScanner()
    private var aggregates: [UsageAggregate] = []

    public init(options: ParseOptions) {
        self.options = options
    }

    /// One result's fields, as offsets into the line.
    struct Result {
        var bucket: Int
        var index: Int
        var requests = JSONUsageFields.Slot()
        var input = JSONUsageFields.Slot()
        var cached = JSONUsageFields.Slot()
        var output = JSONUsageFields.Slot()
        var model = JSONUsageFields.Slot()
    }

    private struct Visitor: JSONVisitor {
        let line: UnsafeRawBufferPointer
        var starts: [Int: JSONUsageFields.Slot] = [:]
        var ends: [Int: JSONUsageFields.Slot] = [:]
        var results: [Result] = []

        mutating func visit(_ path: JSONPath, _ value: JSONValue) {
            // A bucket line's fields sit at depth 1 (bucket 0); a page's under data[i].
            let base: Int
            let bucket: Int
            if path.depth >= 3 && path.component(0, is: "data") && path.isArrayElement(1) {
                base = 2
                bucket = path.elementIndex(1)
            } else {
                base = 0
                bucket = 0
            }
            if path.depth == base + 1 {
                if path.lastKey(is: "start_time") {
                    starts[bucket, default: .init()].offer(value, depth: 1, line: line)
                }
                if path.lastKey(is: "end_time") { ends[bucket, default: .init()].offer(value, depth: 1, line: line) }
                return
            }
            guard path.depth == base + 3, path.component(base, is: "results"), path.isArrayElement(base + 1) else {
                return
            }
            let index = path.elementIndex(base + 1)
            if results.last.map({ $0.bucket != bucket || $0.index != index }) ?? true {
                results.append(Result(bucket: bucket, index: index))
            }
            let last = results.count - 1
            if path.lastKey(is: "num_model_requests") { results[last].requests.offer(value, depth: 1, line: line) }
            if path.lastKey(is: "input_tokens") { results[last].input.offer(value, depth: 1, line: line) }
            if path.lastKey(is: "input_cached_tokens") { results[last].cached.offer(value, depth: 1, line: line) }
            if path.lastKey(is: "output_tokens") { results[last].output.offer(value, depth: 1, line: line) }
            if path.lastKey(is: "model") { results[last].model.offer(value, depth: 1, line: line) }
        }
    }

    public mutating func parse(
        _ line: UnsafeRawBufferPointer, number: Int64, into request: inout ParsedRequest, models: inout ModelNames
    ) -> LineVerdict {
        var visitor = Visitor(line: line)
        if let error = scanner.scan(line, visitor: &visitor) {
            if line.count <= 2 {
                return .rejected("\(error.reason); the file looks pretty-printed: write one bucket per line (jq -c)")
            }
            return .rejected(error.reason)
        }
        var found: [UsageAggregate] = []
        for result in visitor.results {
            var reason: String?
            func count(_ slot: JSONUsageFields.Slot, _ label: StaticString) -> Int64? {
                guard let value = slot.value(in: line), value.kind != .null else { return nil }
                return FieldReading.count(value.bytes, label, reason: &reason)
            }
            // Results of other usage kinds (embeddings, images) have no output tokens.
            guard result.output.isPresent else { continue }
            let requests = count(result.requests, "num_model_requests") ?? 0
            let input = count(result.input, "input_tokens") ?? 0
            let cached = count(result.cached, "input_cached_tokens") ?? 0
            let output = count(result.output, "output_tokens") ?? 0
            if let reason { return .rejected(reason) }
            guard FieldReading.checkCached(cached, prompt: input, reason: &reason) else {
                return .rejected(reason ?? "cached tokens exceed the input tokens")
            }
            guard requests > 0 else {
                if input > 0 || output > 0 { return .rejected("tokens without num_model_requests") }
                continue
            }
            guard let start = visitor.starts[result.bucket]?.value(in: line),
                let startMicros = FieldReading.epochInstant(start.bytes, unit: .seconds, reason: &reason)
            else { return .rejected(reason ?? "a bucket without start_time") }
            var endMicros = startMicros + 86_400 * UTCTime.microsPerSecond
            if let end = visitor.ends[result.bucket]?.value(in: line) {
                guard let micros = FieldReading.epochInstant(end.bytes, unit: .seconds, reason: &reason),
                    micros > startMicros
                else { return .rejected(reason ?? "end_time is not after start_time") }
                endMicros = micros
            }
            let model = models.index(of: result.model.value(in: line), orElse: options.defaultModel)
            found.append(
                UsageAggregate(
                    startMicros: startMicros, endMicros: endMicros, model: model, requests: requests, prompt: input,
                    cached: cached, output: output, line: number))
        }
        guard !found.isEmpty else { return .skipped(.notARequest) }
        aggregates = found
        return .aggregated
    }

    public mutating func takeAggregates() -> [UsageAggregate] {
        defer { aggregates = [] }
        return aggregates
    }
}
