import PhasecastCore

/// Parses Mooncake/Kimi traces (`timestamp` in ms from the start, `hash_ids` a list of 512-token
/// prefix blocks) and RAGPulse traces (`timestamp` a string of seconds from the start, `hash_ids`
/// an object of lists of content segments), deriving cached prompt tokens with
/// `PrefixCacheSimulator`.
///
/// The cache must see requests in time order and these files need not be sorted (RAGPulse is
/// two sorted runs), so the parser holds a file's requests and releases them, sorted, at the
/// end. Memory is about 40 bytes a request plus 8 bytes a block.
///
/// RAGPulse segments are pieces of content (system prompt, passages, history, question) whose
/// token lengths are not in the trace; each is taken as an equal share of `input_length`.
public struct MooncakeTraceParser: LogLineParser {
    private struct Held {
        var micros: Int64
        var line: Int64
        var input: Int64
        var output: Int64
        var chainStart: Int
        var chainCount: Int
        /// Segments of equal share (RAGPulse) rather than fixed-size blocks (Mooncake).
        var segmented: Bool
    }

    private let options: ParseOptions
    private let start: Int64
    private let scanner = JSONLineScanner()
    private var held: [Held] = []
    private var chains: [UInt64] = []

    public init(options: ParseOptions) throws(FormatSetupError) {
        guard let start = options.start else {
            throw .needsStart(format: "mooncake", unit: "milliseconds (RAGPulse: seconds)")
        }
        self.options = options
        self.start = start
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
        held.append(
            Held(
                micros: micros, line: number, input: input, output: output, chainStart: chains.count,
                chainCount: fields.blocks.count, segmented: fields.segmented))
        chains.append(contentsOf: fields.blocks)
        return .deferred
    }

    public mutating func finish(models: inout ModelNames) -> [ParsedRequest] {
        let model = models.index(of: options.defaultModel)
        let order = held.indices.sorted { a, b in
            (held[a].micros, held[a].line) < (held[b].micros, held[b].line)
        }
        var cache = PrefixCacheSimulator(capacityBlocks: options.cacheCapacityBlocks)
        var requests: [ParsedRequest] = []
        requests.reserveCapacity(held.count)
        for index in order {
            let h = held[index]
            let chain = chains[h.chainStart..<(h.chainStart + h.chainCount)]
            let hits = Int64(cache.access(chain))
            var cached: Int64
            if h.segmented {
                // Equal shares; the last segment takes the remainder.
                let share = h.chainCount > 0 ? h.input / Int64(h.chainCount) : 0
                cached = hits == Int64(h.chainCount) ? h.input : hits * share
            } else {
                cached = hits * Int64(options.cacheBlockTokens)
            }
            cached = max(0, min(cached, h.input - 1))
            requests.append(
                ParsedRequest(
                    micros: h.micros, prompt: h.input, cached: cached, output: h.output, model: model, status: .ok,
                    line: h.line))
        }
        held = []
        chains = []
        return requests
    }
}
