import Ingest
import LogFormats
import PhasecastCore
import Pipeline

/// One set of logs a pipeline loads (`[ingest]`'s own paths, or one `[[ingest.sources]]`),
/// with its settings checked and turned into what `phasecast ingest` would be given.
public struct IngestRun: Sendable {
    /// The dotted key of the table it came from, for messages: `ingest` or `ingest.sources[2]`.
    public var key: String
    public var settings: IngestSettings
    public var format: LogFormat?
    public var parse: ParseOptions

    /// Checks `settings` as `phasecast ingest` checks its options; throws the first problem as a
    /// `ConfigError` on `key`.
    init(_ settings: IngestSettings, key: String, config: PipelineConfig) throws {
        self.key = key
        self.settings = settings
        func fail(_ field: String, _ reason: String) -> ConfigError { config.error("\(key).\(field)", reason) }
        if settings.format != "auto" {
            guard let known = LogFormat(rawValue: settings.format) else {
                throw fail(
                    "format",
                    "unknown format \"\(settings.format)\"; expected \"auto\" or one of \(LogFormat.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))"
                )
            }
            format = known
        }
        var parse = ParseOptions(defaultModel: settings.model ?? ParseOptions.unknownModel)
        if let ceiling = settings.maxTokensPerRequest { parse.maxTokensPerRequest = Int64(ceiling) }
        if let blocks = settings.cacheBlocks { parse.cacheCapacityBlocks = blocks }
        if let tokens = settings.cacheBlockTokens { parse.cacheBlockTokens = tokens }
        parse.timestampUnit = settings.tsFormat.flatMap { $0 == "iso" ? nil : TimeUnit(rawValue: $0) }
        if let start = settings.start {
            guard let micros = Self.instant(start) else {
                throw fail("start", "expected an ISO 8601 instant like \"2025-01-01T00:00:00Z\", got \"\(start)\"")
            }
            if let format, !format.acceptsStart {
                throw fail("start", FormatSetupError.startNotUsed(format: format.rawValue).description)
            }
            parse.start = micros
        }
        if let map = settings.map {
            do {
                parse.jsonMap = try JSONRecordSpec(parsingMap: map, timeUnit: parse.timestampUnit)
            } catch {
                throw fail("map", error.description)
            }
            parse.columnMap = try? ColumnMap(parsing: map)
            if format == nil { format = .csv }
            guard format == .csv else {
                throw fail(
                    "map", "a mapping applies to format \"csv\" only (this source's format is \"\(settings.format)\")")
            }
        } else if format == .csv {
            throw fail("map", "format \"csv\" needs a map = \"ts=…,prompt=…,output=…\"")
        }
        self.parse = parse
    }

    /// The options of `phasecast ingest` for this set of logs.
    func options(database: String, waitSeconds: Double, commandLine: String) -> IngestOptions {
        IngestOptions(
            databasePath: database, inputs: settings.paths, format: format, parse: parse, keepRaw: !settings.noRaw,
            rawRetentionDays: settings.rawRetentionDays,
            maxRejectRate: settings.maxRejectRate ?? IngestOptions.defaultMaxRejectRate, standardInputName: nil,
            waitSeconds: waitSeconds, commandLine: commandLine, sampleRate: settings.sampleRate.map(Int64.init))
    }

    /// Reads an ISO 8601 instant, or a date alone as its midnight UTC.
    public static func instant(_ text: String) -> Int64? {
        var candidate = text.count == 10 ? text + "T00:00:00Z" : text
        return candidate.withUTF8 { TimestampParsing.iso8601(UnsafeRawBufferPointer($0)) }
    }

    /// The runs of a pipeline's `[ingest]`, checked.
    static func all(_ config: PipelineConfig) throws -> [IngestRun] {
        guard let ingest = config.ingest else { return [] }
        // `runs` is `[ingest]`'s own paths (when it names any), then each source.
        let keys = (ingest.paths.isEmpty ? [] : ["ingest"]) + ingest.sources.indices.map { "ingest.sources[\($0 + 1)]" }
        return try zip(ingest.runs, keys).map { try IngestRun($0, key: $1, config: config) }
    }
}
