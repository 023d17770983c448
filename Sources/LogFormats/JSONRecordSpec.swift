/// Where a JSON record keeps the fields of a request, by exact paths: what `--map` builds for
/// JSON lines, and how the native formats that need no code of their own are described.
///
/// A count is the sum of the paths of its first alternative that has any of them present
/// (`output = candidatesTokenCount + thoughtsTokenCount`); the time, model, status and id take
/// the first path present.
public struct JSONRecordSpec: Sendable, Equatable {
    /// One way to read a count: the sum of these paths (absent ones count 0, as long as one is present).
    public typealias Sum = [JSONFieldPath]

    /// A condition a line must meet to be a request: the value at `path` is one of `values`.
    public struct Filter: Sendable, Equatable {
        public var path: JSONFieldPath
        public var values: [String]

        public init(path: JSONFieldPath, values: [String]) {
            self.path = path
            self.values = values
        }
    }

    public var time: [JSONFieldPath]
    /// The unit of a numeric time; nil reads ISO 8601 text, or a number by its magnitude.
    public var timeUnit: TimeUnit?
    /// Prompt tokens, cached ones included.
    public var prompt: [Sum]
    /// Prompt tokens not served from a cache, when the record counts those instead (Anthropic's
    /// `input_tokens`): the prompt is then these plus the cached and cache-written tokens.
    public var uncachedPrompt: [Sum] = []
    /// Prompt tokens written to a cache, counted in the prompt with `uncachedPrompt` only.
    public var cacheWritten: [Sum] = []
    public var output: [Sum]
    public var cached: [Sum] = []
    public var model: [JSONFieldPath] = []
    public var status: [JSONFieldPath] = []
    /// A request id: a later line with the same id within the file is a repeat, merged into the first.
    public var id: [JSONFieldPath] = []
    /// Lines that fail a filter are skipped as `filterSkip`.
    public var filters: [Filter] = []
    public var filterSkip: SkipKind = .filtered
    /// Whether a line without a time is dated by `--start` (or the file's modification time)
    /// rather than rejected: for records that carry no time of their own.
    public var timeFromFile = false
    /// Whether times are offsets from `--start` (in `timeUnit`, seconds by default): a mapped
    /// relative trace.
    public var offsetsFromStart = false
    /// Whether a record with prompt tokens but no output count generated nothing (Gemini omits
    /// a zero `candidatesTokenCount`) rather than being malformed.
    public var outputMayBeAbsent = false
    /// The kind a line without any token count is skipped as (a span that is not a model
    /// call); nil rejects it.
    public var missingUsageSkip: SkipKind?

    public init(
        time: [JSONFieldPath], timeUnit: TimeUnit? = nil, prompt: [Sum], output: [Sum], cached: [Sum] = [],
        model: [JSONFieldPath] = [], status: [JSONFieldPath] = [], id: [JSONFieldPath] = [], filters: [Filter] = []
    ) {
        self.time = time
        self.timeUnit = timeUnit
        self.prompt = prompt
        self.output = output
        self.cached = cached
        self.model = model
        self.status = status
        self.id = id
        self.filters = filters
    }

    /// Every path the spec reads, each once, in a fixed order.
    var allPaths: [JSONFieldPath] {
        var seen: [JSONFieldPath] = []
        func add(_ path: JSONFieldPath) { if !seen.contains(path) { seen.append(path) } }
        for path in time { add(path) }
        for sums in [prompt, uncachedPrompt, cacheWritten, output, cached] {
            for sum in sums { for path in sum { add(path) } }
        }
        for path in model + status + id { add(path) }
        for filter in filters { add(filter.path) }
        return seen
    }

    /// The keys `--map` takes for JSON lines.
    public static let mapKeys = ["ts", "prompt", "uncached", "output", "cached", "model", "status", "id", "where"]

    /// Reads a `--map` for JSON lines: `ts=PATH,prompt=PATH[+PATH…],output=PATH…[,cached=…]
    /// [,uncached=…][,model=PATH][,status=PATH][,id=PATH][,where=PATH:VALUE[|VALUE…]]`, paths dotted.
    /// `uncached` stands in for `prompt` when the record counts prompt tokens without the cached ones.
    public init(parsingMap text: String, timeUnit: TimeUnit?) throws(FormatSetupError) {
        var values: [String: String] = [:]
        var filters: [Filter] = []
        for pair in text.split(separator: ",", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1)
            let key = parts.first.map { String($0).trimmingSpaces().lowercased() } ?? ""
            guard parts.count == 2, !parts[1].isEmpty else { throw .badMap("'\(pair)' is not KEY=PATH") }
            guard Self.mapKeys.contains(key) else {
                throw .badMap("unknown key '\(key)' (expected one of \(Self.mapKeys.joined(separator: ", ")))")
            }
            let value = String(parts[1]).trimmingSpaces()
            if key == "where" {
                let condition = value.split(separator: ":", maxSplits: 1)
                guard condition.count == 2, let path = JSONFieldPath(String(condition[0])) else {
                    throw .badMap("where='\(value)' is not PATH:VALUE (VALUE may list alternatives with |)")
                }
                filters.append(Filter(path: path, values: condition[1].split(separator: "|").map(String.init)))
                continue
            }
            guard values[key] == nil else { throw .badMap("key '\(key)' is given twice") }
            values[key] = value
        }
        func path(_ key: String) throws(FormatSetupError) -> JSONFieldPath? {
            guard let text = values[key] else { return nil }
            guard let path = JSONFieldPath(text) else { throw .badMap("\(key)='\(text)' is not a dotted path") }
            return path
        }
        func sum(_ key: String) throws(FormatSetupError) -> [Sum] {
            guard let text = values[key] else { return [] }
            var paths: Sum = []
            for piece in text.split(separator: "+") {
                guard let path = JSONFieldPath(String(piece).trimmingSpaces()) else {
                    throw .badMap("\(key)='\(text)' is not a dotted path or a sum of them (a+b)")
                }
                paths.append(path)
            }
            return [paths]
        }
        let missing =
            ["ts", "output"].filter { values[$0] == nil }
            + (values["prompt"] == nil && values["uncached"] == nil ? ["prompt (or uncached)"] : [])
        guard missing.isEmpty else {
            throw .badMap("missing \(missing.joined(separator: ", ")) (ts, prompt and output are required)")
        }
        guard values["prompt"] == nil || values["uncached"] == nil else {
            throw .badMap("give prompt (cached tokens included) or uncached (cached tokens not included), not both")
        }
        guard let time = try path("ts") else { throw .badMap("missing ts") }
        self.init(
            time: [time], timeUnit: timeUnit, prompt: try sum("prompt"), output: try sum("output"),
            cached: try sum("cached"), model: try path("model").map { [$0] } ?? [],
            status: try path("status").map { [$0] } ?? [], id: try path("id").map { [$0] } ?? [], filters: filters)
        uncachedPrompt = try sum("uncached")
    }
}
