import PhasecastCore

/// What a user tells the parsers beyond the bytes: trace start, model name, column mapping.
public struct ParseOptions: Sendable {
    /// Start of the trace, for formats whose timestamps are offsets (`--start`), UTC µs.
    public var start: Int64?
    /// When the file was last modified, UTC µs: the time of records that carry none of their own
    /// (Anthropic Message Batches results, bare response bodies) when `--start` is not given.
    public var fileTime: Int64?
    /// Where JSON lines keep a request's fields (`--map` given for a JSON file).
    public var jsonMap: JSONRecordSpec?
    /// Model name for formats without a model field (`--model`).
    public var defaultModel: String
    /// Column mapping of the generic `csv` format (`--map`).
    public var columnMap: ColumnMap?
    /// Unit of numeric timestamps: for `csv` the epoch unit (nil = ISO 8601 text); for relative
    /// traces it overrides the format's own unit.
    public var timestampUnit: TimeUnit?
    /// Tokens per prefix-cache block in Mooncake traces.
    public var cacheBlockTokens: Int
    /// Capacity of the simulated prefix cache, in blocks (Mooncake) or segments (RAGPulse).
    public var cacheCapacityBlocks: Int
    /// The plausibility ceiling: a request with more prompt or output tokens than this is a
    /// reject, not a figure (one line with 10⁹ tokens would otherwise outweigh a month).
    public var maxTokensPerRequest: Int64 = ParseOptions.defaultMaxTokensPerRequest
    /// Memory a format that must sort its file (Mooncake, RAGPulse) holds its requests in before
    /// it writes them, sorted, to a temporary file and merges them at the end.
    public var sortMemoryBytes = 4 << 20

    /// Ten million tokens: well above any context window served today.
    public static let defaultMaxTokensPerRequest: Int64 = 10_000_000

    /// The model name used when none is given.
    public static let unknownModel = "unknown"

    public init(
        start: Int64? = nil, defaultModel: String = ParseOptions.unknownModel,
        columnMap: ColumnMap? = nil, timestampUnit: TimeUnit? = nil,
        cacheBlockTokens: Int = PrefixCacheSimulator.defaultBlockTokens,
        cacheCapacityBlocks: Int = PrefixCacheSimulator.defaultCapacityBlocks
    ) {
        self.start = start
        self.defaultModel = defaultModel
        self.columnMap = columnMap
        self.timestampUnit = timestampUnit
        self.cacheBlockTokens = cacheBlockTokens
        self.cacheCapacityBlocks = cacheCapacityBlocks
    }
}

/// Which CSV columns hold the fields of a request, for the generic `csv` format.
public struct ColumnMap: Sendable, Equatable {
    public var timestamp: String
    public var prompt: String
    public var output: String
    public var cached: String?
    public var model: String?
    public var status: String?

    public init(
        timestamp: String, prompt: String, output: String, cached: String? = nil,
        model: String? = nil, status: String? = nil
    ) {
        self.timestamp = timestamp
        self.prompt = prompt
        self.output = output
        self.cached = cached
        self.model = model
        self.status = status
    }

    /// The keys `--map` accepts.
    public static let keys = ["ts", "prompt", "output", "cached", "model", "status"]

    /// Parses `ts=COL,prompt=COL,output=COL[,cached=COL][,model=COL][,status=COL]`.
    public init(parsing text: String) throws(FormatSetupError) {
        var values: [String: String] = [:]
        for pair in text.split(separator: ",", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1)
            let key = parts.first.map { String($0).trimmingSpaces().lowercased() } ?? ""
            guard parts.count == 2, !parts[1].isEmpty else {
                throw .badMap("'\(pair)' is not KEY=COLUMN")
            }
            guard Self.keys.contains(key) else {
                throw .badMap("unknown key '\(key)' (expected one of \(Self.keys.joined(separator: ", ")))")
            }
            guard values[key] == nil else { throw .badMap("key '\(key)' is given twice") }
            values[key] = String(parts[1]).trimmingSpaces()
        }
        guard let timestamp = values["ts"], let prompt = values["prompt"], let output = values["output"] else {
            let missing = ["ts", "prompt", "output"].filter { values[$0] == nil }
            throw .badMap("missing \(missing.joined(separator: ", ")) (ts, prompt and output are required)")
        }
        self.init(
            timestamp: timestamp, prompt: prompt, output: output,
            cached: values["cached"], model: values["model"], status: values["status"])
    }
}

/// Why a parser cannot be set up for a file: missing or wrong options, unusable header.
public enum FormatSetupError: PhasecastError, Equatable, Sendable {
    /// The format's timestamps are offsets and `--start` was not given.
    case needsStart(format: String, unit: String)
    /// `--map` is malformed.
    case badMap(String)
    /// The `csv` format was chosen without `--map`.
    case needsMap
    /// The header lacks columns the format needs.
    case missingColumns(format: String, missing: [String], header: [String])
    /// Format detection found nothing it knows.
    case undetected(firstLine: String)
    /// The first line is neither a JSON object nor comma-separated: notes, a manifest, a TSV.
    case notALog(firstLine: String)
    /// More than one format fits the file's first lines.
    case ambiguous(formats: [String], firstLine: String)
    /// `--start` was given for a format whose times are absolute, which would ignore it.
    case startNotUsed(format: String)

    /// An example `--map` from a CSV header: the columns that look like the time, the prompt
    /// and the output tokens, or placeholders.
    static func mapHint(_ header: [String]) -> String {
        let names = header.map { String($0.filter { $0 != "\"" && $0 != " " }) }
        func pick(_ words: [String]) -> String? {
            names.first { name in words.contains { name.lowercased().contains($0) } }
        }
        let ts = pick(["time", "date", "when", "created"]) ?? "TIME_COLUMN"
        let prompt = pick(["prompt", "input", "context", "request"]) ?? "PROMPT_TOKENS_COLUMN"
        let output = pick(["output", "completion", "generated", "response"]) ?? "OUTPUT_TOKENS_COLUMN"
        return "--format csv --map ts=\(ts),prompt=\(prompt),output=\(output)"
    }

    public var description: String {
        switch self {
        case .needsStart(let format, let unit):
            "\(format) timestamps are \(unit) from the start of the trace, with no date; "
                + "pass --start <ISO 8601 instant>, for example --start 2025-01-01T00:00:00Z"
        case .badMap(let why): "--map: \(why)"
        case .needsMap:
            "the csv format needs --map ts=COLUMN,prompt=COLUMN,output=COLUMN[,cached=COLUMN][,model=COLUMN]"
        case .missingColumns(let format, let missing, let header):
            "\(format): the header has no column \(missing.joined(separator: ", ")) "
                + "(header: \(header.joined(separator: ","))); if these are your own columns, map them: "
                + Self.mapHint(header)
        case .undetected(let firstLine):
            "could not tell the log format from the first line (\(firstLine)); pass --format NAME"
                + (firstLine.contains(",") && !firstLine.hasPrefix("{")
                    ? ", or map a CSV's columns: " + Self.mapHint(firstLine.split(separator: ",").map(String.init))
                    : "")
        case .notALog(let firstLine):
            "not a log: the first line (\(firstLine)) is neither a JSON object nor comma-separated; pass --format NAME if it is one"
        case .ambiguous(let formats, let firstLine):
            "the first line (\(firstLine)) fits more than one format (\(formats.joined(separator: " and "))); "
                + "reading it as the wrong one would count wrong tokens: pass --format \(formats.joined(separator: " or --format "))"
        case .startNotUsed(let format):
            "--start applies to relative traces and records without a time; \(format) records carry absolute times, so --start would be ignored: leave it out"
        }
    }

    /// Missing or wrong options are a usage error; a file the options cannot read is bad data.
    public var exitStatus: ExitStatus {
        switch self {
        case .needsStart, .badMap, .needsMap, .startNotUsed: .usage
        case .missingColumns, .undetected, .ambiguous, .notALog: .dataError
        }
    }
}
