import PhasecastCore

/// Parses the CSV formats: Azure traces, BurstGPT, LiteLLM spend-log exports and any CSV
/// described by `--map`. The first record is the header; the flavor decides which columns hold
/// the fields and how timestamps and statuses are read.
public struct CSVRequestParser: LogLineParser {
    /// Which CSV format this is.
    public enum Flavor: Sendable {
        case azure
        case burstGPT
        case liteLLM
        case mapped(ColumnMap)
    }

    /// How the timestamp column is read.
    enum TimestampStyle {
        case iso
        case epoch(TimeUnit)
        case relative(TimeUnit, start: Int64)
    }

    /// Column indexes, resolved from the header.
    struct Layout {
        var timestamp: Int
        var prompt: Int
        var output: Int
        var cached: Int?
        var model: Int?
        var status: Int?
        /// LiteLLM's JSON `metadata` column, searched for cached tokens when no column has them.
        var metadata: Int?
        /// The largest index used: a record needs more fields than this.
        let widest: Int

        init(
            timestamp: Int, prompt: Int, output: Int, cached: Int? = nil, model: Int? = nil, status: Int? = nil,
            metadata: Int? = nil
        ) {
            self.timestamp = timestamp
            self.prompt = prompt
            self.output = output
            self.cached = cached
            self.model = model
            self.status = status
            self.metadata = metadata
            widest = [timestamp, prompt, output, cached, model, status, metadata].compactMap { $0 }.max() ?? timestamp
        }
    }

    private let flavor: Flavor
    private let formatName: String
    private let timestampStyle: TimestampStyle
    private let options: ParseOptions
    private var record = CSVRecord()
    private var layout: Layout?
    /// The header's name of the timestamp column, to ignore the header where it repeats
    /// (files concatenated with their headers).
    private var timestampHeader: [UInt8] = []
    private var metadataScanner: JSONLineScanner?
    private var timestamps = ISOTimestampReader()
    /// The index of `--model` in the file's model names, once looked up.
    private var defaultModelIndex: Int32?

    public var recordsMaySpanLines: Bool { true }

    public init(flavor: Flavor, options: ParseOptions) throws(FormatSetupError) {
        self.flavor = flavor
        self.options = options
        switch flavor {
        case .azure:
            formatName = "azure"
            timestampStyle = .iso
        case .burstGPT:
            formatName = "burstgpt"
            guard let start = options.start else { throw .needsStart(format: "burstgpt", unit: "seconds") }
            timestampStyle = .relative(options.timestampUnit ?? .seconds, start: start)
        case .liteLLM:
            formatName = "litellm"
            timestampStyle = .iso
        case .mapped:
            formatName = "csv"
            // With --start the mapped times are offsets from it (seconds unless --ts-format says).
            if let start = options.start {
                timestampStyle = .relative(options.timestampUnit ?? .seconds, start: start)
            } else {
                timestampStyle = options.timestampUnit.map { .epoch($0) } ?? .iso
            }
        }
    }

    /// Resolves the columns of `header`, or says which are missing.
    func resolve(_ header: CSVHeader) throws(FormatSetupError) -> Layout {
        var missing: [String] = []
        func need(_ aliases: String...) -> Int {
            if let found = header.index(ofAny: aliases) { return found }
            missing.append(aliases[0])
            return 0
        }
        func needColumn(_ spec: String) -> Int {
            if let found = header.column(named: spec) { return found }
            missing.append(spec)
            return 0
        }
        let layout: Layout
        switch flavor {
        case .azure:
            layout = Layout(
                timestamp: need("TIMESTAMP"), prompt: need("ContextTokens"), output: need("GeneratedTokens"))
        case .burstGPT:
            layout = Layout(
                timestamp: need("Timestamp"), prompt: need("Request tokens"), output: need("Response tokens"),
                model: header.index(of: "Model"))
        case .liteLLM:
            layout = Layout(
                timestamp: need("startTime", "start_time"), prompt: need("prompt_tokens"),
                output: need("completion_tokens"),
                cached: header.index(of: "cache_read_input_tokens", "cached_tokens"),
                model: header.index(of: "model"), status: header.index(of: "status"),
                metadata: header.index(of: "metadata"))
        case .mapped(let map):
            layout = Layout(
                timestamp: needColumn(map.timestamp), prompt: needColumn(map.prompt), output: needColumn(map.output),
                cached: map.cached.map(needColumn), model: map.model.map(needColumn),
                status: map.status.map(needColumn))
        }
        guard missing.isEmpty else {
            throw .missingColumns(format: formatName, missing: missing, header: header.names)
        }
        return layout
    }

    /// Layout of a headerless Azure trace: `TIMESTAMP,ContextTokens,GeneratedTokens`, or the
    /// multimodal `TIMESTAMP,NumImages,ContextTokens,GeneratedTokens`.
    private func headerlessAzureLayout() -> Layout? {
        guard case .azure = flavor, record.count == 3 || record.count == 4,
            TimestampParsing.iso8601(record.field(0)) != nil
        else { return nil }
        return record.count == 3
            ? Layout(timestamp: 0, prompt: 1, output: 2) : Layout(timestamp: 0, prompt: 2, output: 3)
    }

    public mutating func parse(
        _ line: UnsafeRawBufferPointer, number: Int64, into request: inout ParsedRequest,
        models: inout ModelNames
    ) -> LineVerdict {
        guard record.split(line) else { return .rejected("malformed CSV: a quoted field is not closed properly") }
        if layout == nil {
            if let headerless = headerlessAzureLayout() {
                layout = headerless
            } else {
                do {
                    let resolved = try resolve(CSVHeader(names: record.headerNames()))
                    layout = resolved
                    timestampHeader = Array(ByteParsing.trimmed(record.field(resolved.timestamp)))
                    return .ignored
                } catch {
                    return .fileError("line \(number): \(error.description)")
                }
            }
        }
        guard let layout else { return .ignored }
        guard record.count > layout.widest else {
            return .rejected("expected at least \(layout.widest + 1) fields, found \(record.count)")
        }
        var reason: String?
        let stamp = record.field(layout.timestamp)
        if !timestampHeader.isEmpty && Self.sameText(ByteParsing.trimmed(stamp), timestampHeader) { return .ignored }
        let micros: Int64?
        switch timestampStyle {
        case .iso: micros = FieldReading.isoInstant(stamp, reader: &timestamps, reason: &reason)
        case .epoch(let unit): micros = FieldReading.epochInstant(stamp, unit: unit, reason: &reason)
        case .relative(let unit, let start):
            micros = FieldReading.relativeInstant(stamp, unit: unit, start: start, reason: &reason)
        }
        guard let micros else { return .rejected(reason ?? "unreadable timestamp") }
        guard let prompt = FieldReading.count(record.field(layout.prompt), "prompt tokens", reason: &reason),
            let output = FieldReading.count(record.field(layout.output), "output tokens", reason: &reason)
        else { return .rejected(reason ?? "unreadable token count") }
        var cached: Int64 = 0
        if let column = layout.cached, ByteParsing.trimmed(record.field(column)).count > 0 {
            guard let value = FieldReading.count(record.field(column), "cached tokens", reason: &reason) else {
                return .rejected(reason ?? "unreadable cached tokens")
            }
            cached = value
        } else if let column = layout.metadata {
            cached = cachedTokens(inMetadata: record.field(column), escaped: record.isEscaped(column))
        }
        guard FieldReading.checkCached(cached, prompt: prompt, reason: &reason) else {
            return .rejected(reason ?? "cached tokens exceed the prompt tokens")
        }

        var status = RequestStatus.ok
        if let column = layout.status {
            status = RequestStatusText.interpret(record.field(column))
        } else if case .burstGPT = flavor, output == 0 {
            status = .failed  // BurstGPT marks a failed request by zero response tokens
        }
        let model: Int32
        if let column = layout.model {
            model =
                record.isEscaped(column)
                ? models.index(of: record.text(column)) : models.index(of: record.field(column))
        } else if let known = defaultModelIndex {
            model = known
        } else {
            model = models.index(of: options.defaultModel)
            defaultModelIndex = model
        }
        request = ParsedRequest(
            micros: micros, prompt: prompt, cached: cached, output: output, model: model, status: status,
            line: number)
        return .accepted
    }

    private static func sameText(_ bytes: UnsafeRawBufferPointer, _ other: [UInt8]) -> Bool {
        bytes.count == other.count && bytes.elementsEqual(other)
    }

    /// Cached prompt tokens inside LiteLLM's JSON `metadata` column (its usage object), or 0.
    private mutating func cachedTokens(inMetadata raw: UnsafeRawBufferPointer, escaped: Bool) -> Int64 {
        let trimmed = ByteParsing.trimmed(raw)
        guard trimmed.count > 2, trimmed[0] == UInt8(ascii: "{") else { return 0 }
        let scanner = metadataScanner ?? JSONLineScanner()
        metadataScanner = scanner
        var finder = CachedTokensFinder()
        if escaped {
            // The CSV escaped its quotes as "": undo that before reading the JSON.
            let bytes = CSVRecord.unescapingQuotes(trimmed)
            _ = bytes.withUnsafeBytes { scanner.scan($0, visitor: &finder) }
        } else {
            _ = scanner.scan(trimmed, visitor: &finder)
        }
        return finder.cached ?? 0
    }
}

/// Finds cached prompt tokens anywhere in a JSON object: `cache_read_input_tokens`, or
/// `cached_tokens` under `prompt_tokens_details`; the shallowest occurrence wins.
struct CachedTokensFinder: JSONVisitor {
    var cached: Int64?
    private var depth = Int.max

    mutating func visit(_ path: JSONPath, _ value: JSONValue) {
        guard value.kind == .number, path.depth < depth,
            path.lastKey(is: "cache_read_input_tokens") || path.endsWith("prompt_tokens_details", "cached_tokens")
        else { return }
        if case .value(let count) = ByteParsing.tokenCount(value.bytes) {
            cached = count
            depth = path.depth
        }
    }
}
