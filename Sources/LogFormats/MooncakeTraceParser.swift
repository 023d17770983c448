import PhasecastCore

/// Parses Mooncake/Kimi traces (`timestamp` in ms from the start, `hash_ids` a list of 512-token
/// prefix blocks) and RAGPulse traces (`timestamp` a string of seconds from the start, `hash_ids`
/// an object of lists of content segments), deriving cached prompt tokens with
/// `PrefixCacheSimulator`.
///
/// The cache must see requests in time order and these files need not be sorted (RAGPulse is
/// two sorted runs), so the parser holds a file's requests and releases them, sorted, at the
/// end (`TimeOrderedTrace`): in memory up to `ParseOptions.sortMemoryBytes`, beyond that as
/// sorted runs in a temporary file, so memory stays bounded whatever the file's size.
///
/// RAGPulse segments are pieces of content (system prompt, passages, history, question) whose
/// token lengths are not in the trace; each is taken as an equal share of `input_length`.
public struct MooncakeTraceParser: LogLineParser {
    private let options: ParseOptions
    private let start: Int64
    private let scanner = JSONLineScanner()
    private var trace: TimeOrderedTrace
    private var cache: PrefixCacheSimulator?

    public init(options: ParseOptions) throws(FormatSetupError) {
        guard let start = options.start else {
            throw .needsStart(format: "mooncake", unit: "milliseconds (RAGPulse: seconds)")
        }
        self.options = options
        self.start = start
        trace = TimeOrderedTrace(memoryBudget: options.sortMemoryBytes)
    }

    /// Collects the fields of one record and its chain of block keys.
    private struct Fields: JSONVisitor {
        var timestamp: JSONValue?
        var input: JSONValue?
        var output: JSONValue?
        var blocks: [UInt64]
        var segmented = false
        var malformedBlock = false
        private var chainKey: UInt64 = 0

        init(reusing storage: [UInt64]) {
            blocks = storage
            blocks.removeAll(keepingCapacity: true)
        }

        mutating func visit(_ path: JSONPath, _ value: JSONValue) {
            if path.depth == 1 {
                if path.lastKey(is: "timestamp") {
                    timestamp = value
                } else if path.lastKey(is: "input_length") {
                    input = value
                } else if path.lastKey(is: "output_length") {
                    output = value
                }
                return
            }
            guard path.component(0, is: "hash_ids"), path.isArrayElement(path.depth - 1) else { return }
            guard value.kind == .number, let id = ByteParsing.scaledDecimal(value.bytes, scaleDigits: 0) else {
                malformedBlock = true
                return
            }
            var block = UInt64(bitPattern: id)
            if path.depth == 3, let group = path.key(1) {
                // RAGPulse: segments grouped by kind; the kind is part of the key.
                segmented = true
                var groupHash: UInt64 = 0xcbf2_9ce4_8422_2325
                for byte in group { groupHash = (groupHash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
                block ^= groupHash
            }
            chainKey = PrefixCacheSimulator.chainKey(previous: chainKey, block: block)
            blocks.append(chainKey)
        }
    }

    private var scratch: [UInt64] = []

    public mutating func parse(
        _ line: UnsafeRawBufferPointer, number: Int64, into request: inout ParsedRequest,
        models: inout ModelNames
    ) -> LineVerdict {
        var fields = Fields(reusing: scratch)
        defer { scratch = fields.blocks }
        if let error = scanner.scan(line, visitor: &fields) { return .rejected(error.reason) }
        guard !fields.malformedBlock else { return .rejected("hash_ids holds something other than numbers") }
        guard let stamp = fields.timestamp else { return .rejected("no timestamp") }
        guard let inputValue = fields.input else { return .rejected("no input_length") }
        guard let outputValue = fields.output else { return .rejected("no output_length") }
        var reason: String?
        // Mooncake writes a number of milliseconds; RAGPulse a string of seconds.
        let unit = options.timestampUnit ?? (stamp.kind == .string ? .seconds : .milliseconds)
        guard let micros = FieldReading.relativeInstant(stamp.bytes, unit: unit, start: start, reason: &reason),
            let input = FieldReading.count(inputValue.bytes, "input_length", reason: &reason),
            let output = FieldReading.count(outputValue.bytes, "output_length", reason: &reason)
        else { return .rejected(reason ?? "unreadable timestamp or length") }
        do throws(HeldRequestsError) {
            try trace.add(
                micros: micros, line: number, input: input, output: output, segmented: fields.segmented,
                chain: fields.blocks)
        } catch {
            return .fileError(error.description)
        }
        return .deferred
    }

    public mutating func releaseHeld(models: inout ModelNames) throws(HeldRequestsError) -> [ParsedRequest] {
        let model = models.index(of: options.defaultModel)
        var cache = self.cache ?? PrefixCacheSimulator(capacityBlocks: options.cacheCapacityBlocks)
        defer { self.cache = cache }
        var requests: [ParsedRequest] = []
        while requests.count < Self.releaseBatch, let record = try trace.next() {
            let hits = Int64(cache.access(record.chain[...]))
            let blocks = Int64(record.chain.count)
            var cached: Int64
            if record.segmented {
                // Equal shares; the last segment takes the remainder.
                let share = blocks > 0 ? record.input / blocks : 0
                cached = hits == blocks ? record.input : hits * share
            } else {
                cached = hits * Int64(options.cacheBlockTokens)
            }
            cached = max(0, min(cached, record.input - 1))
            requests.append(
                ParsedRequest(
                    micros: record.micros, prompt: record.input, cached: cached, output: record.output, model: model,
                    status: .ok, line: record.line))
        }
        return requests
    }

    /// Requests handed over per call of `releaseHeld`.
    static let releaseBatch = 4096
}
