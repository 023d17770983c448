import ArgumentParser
import Foundation
import Ingest
import LogFormats
import PhasecastCore
import Stages

/// `phasecast ingest`: loads request logs into the database, each file exactly once.
struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Load request logs (gzipped or plain) into the SQLite database, each file exactly once.",
        discussion: """
            Each file commits in one transaction with its rows, rejects, minute rollups and registry row, or \
            not at all. A file whose content was loaded before, under any name, is skipped; the same path with \
            new content replaces its earlier rows. Directories are walked recursively in sorted order, following \
            links, taking files ending in .csv, .jsonl, .ndjson, .json, .log, .txt, .tsv and .gz; `-` reads \
            standard input. Entries that cannot be read, and named inputs that are not regular files (a FIFO: \
            pipe it to - instead), fail alone with their reason.

            Formats (--format):
            \(LogFormat.allCases.map { "  \($0.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \($0.summary)" }.joined(separator: "\n"))

            Sharding (fleets that outgrow one machine): N processes given the same inputs, each with \
            --shard-count N and its own --shard-index (or a Kubernetes Indexed Job's JOB_COMPLETION_INDEX), load \
            disjoint sets of files (a stable hash of each path) into their own databases, without raw rows and \
            without the transform; phasecast merge then joins them into one. --quarantine-from fleet.db makes a \
            shard pass over the files quarantined in the fleet's database, as an ingest into it would.

            Exit codes: 0 every file loaded or skipped; 64 usage error; 65 one or more files failed on their \
            content (the rest committed); 66 an input does not exist; 74 I/O error; 75 another run holds the \
            database (see --wait).

            Examples:
              phasecast ingest --db fleet.db /var/log/llm-gateway/
              phasecast ingest --db fleet.db --format burstgpt BurstGPT_1.csv.gz
              phasecast ingest --db fleet.db --format csv --map ts=time,prompt=input_tokens,output=output_tokens my.csv
              phasecast ingest --db shard-1.db --shard-count 4 --shard-index 1 /mnt/logs/2026-12-06/
            """)

    @Argument(help: "Log files, directories, or - for standard input.")
    var inputs: [String]

    @Option(name: .long, help: ArgumentHelp("SQLite database to load into; created if missing.", valueName: "path"))
    var db: String = ProcessInfo.processInfo.environment["PHASECAST_DB"] ?? "phasecast.db"

    @Option(
        name: .long,
        help: ArgumentHelp("Log format, or auto to tell it from each file's first lines.", valueName: "name"))
    var format: String = "auto"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Start of the trace, for formats whose timestamps are offsets (burstgpt, mooncake, a mapped csv), and the time of records without one (Anthropic batch results and bodies, Gemini responses); refused for formats with absolute times.",
            valueName: "ISO 8601 instant"))
    var start: String?

    @Option(name: .long, help: ArgumentHelp("Model name for formats without a model field.", valueName: "name"))
    var model: String = "unknown"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Fields of the csv format. CSV: ts=COL,prompt=COL,output=COL[,cached=COL][,model=COL][,status=COL], COL a header name or a 1-based number. JSON lines: the same keys with dotted paths (ts=request.request_received_ms,prompt=request.input_tokens,…), a sum as a+b, uncached=PATH instead of prompt when cached tokens are not in it, id=PATH to merge repeats, where=PATH:VALUE[|VALUE] to keep only matching lines.",
            valueName: "mapping"))
    var map: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Timestamp format of the csv format (iso, s, ms, us, ns; default iso), or the unit of offsets in relative traces and with --start.",
            valueName: "format"))
    var tsFormat: String?

    @Option(name: .long, help: ArgumentHelp("Tokens per prefix-cache block in Mooncake traces.", valueName: "n"))
    var cacheBlockTokens: Int = PrefixCacheSimulator.defaultBlockTokens

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Capacity of the simulated prefix cache for Mooncake/RAGPulse traces, in blocks.", valueName: "n"))
    var cacheBlocks: Int = PrefixCacheSimulator.defaultCapacityBlocks

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Plausibility ceiling: a request with more prompt or output tokens than this is rejected.",
            valueName: "tokens"))
    var maxTokensPerRequest: Int64 = ParseOptions.defaultMaxTokensPerRequest

    @Flag(name: .long, help: "Keep only the rollups, not raw request rows (totals stay exact).")
    var noRaw = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Delete raw request rows more than N days older than the newest request (rollups are kept).",
            valueName: "N"))
    var rawRetentionDays: Int?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Largest share of rejected lines a file may have and still load, as a fraction or a percentage (1% = 0.01).",
            valueName: "rate"))
    var maxRejectRate: String = "1%"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The logs hold 1 in N of the requests served: every count, token and GPU-hour is multiplied by N. Given for files already loaded, it changes their rate without reading them again; omitted, a file keeps the rate it was loaded with (1 when new).",
            valueName: "N"))
    var sampleRate: Int64?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Name to register standard input under (then new content under that name replaces the old); by default it is named by its content.",
            valueName: "name"))
    var name: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Wait up to this long for another run holding the database, instead of exiting 75.", valueName: "seconds"))
    var wait: Double = 0

    @Flag(
        name: .long,
        help: "Read every input to check its content, even when its size and modification time are unchanged.")
    var rehash = false

    @Option(
        help: ArgumentHelp(
            "Load only the files of one of N shards (by a stable hash of each path) into this database, for phasecast merge; implies --no-raw and --no-transform unless --raw.",
            valueName: "n"))
    var shardCount: Int?

    @Option(
        help: ArgumentHelp(
            "Which shard, from 0 (default: $JOB_COMPLETION_INDEX, as a Kubernetes Indexed Job sets it).",
            valueName: "i"))
    var shardIndex: Int?

    @Flag(name: .long, help: "Keep raw request rows in a shard's database too.")
    var raw = false

    @Option(
        help: ArgumentHelp(
            "Also pass over the files quarantined in this database (the fleet's, for a shard loading into its own); read only, and none while it does not exist yet.",
            valueName: "db"))
    var quarantineFrom: String?

    @Flag(name: .long, help: "Do not run `phasecast transform` after loading.")
    var noTransform = false

    @Flag(name: .long, help: "Print a machine-readable summary on standard output.")
    var json = false

    @Flag(name: .shortAndLong, help: "Do not print a line per file on standard error.")
    var quiet = false

    func validate() throws {
        if format != "auto" && LogFormat(rawValue: format) == nil {
            throw ValidationError(
                "unknown format '\(format)'; expected auto or one of \(LogFormat.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        if start != nil, let forced = LogFormat(rawValue: format), !forced.acceptsStart {
            throw ValidationError(FormatSetupError.startNotUsed(format: forced.rawValue).description)
        }
        if format == LogFormat.csv.rawValue && map == nil {
            throw ValidationError("--format csv needs --map ts=COLUMN,prompt=COLUMN,output=COLUMN")
        }
        if let tsFormat, tsFormat != "iso" && (TimeUnit(rawValue: tsFormat) == nil || tsFormat == "auto") {
            throw ValidationError("--ts-format must be iso, s, ms, us or ns (got '\(tsFormat)')")
        }
        if let start, IngestRun.instant(start) == nil {
            throw ValidationError("--start '\(start)' is not an ISO 8601 instant such as 2025-01-01T00:00:00Z")
        }
        if let sampleRate, !(1...IngestOptions.maxSampleRate).contains(sampleRate) {
            throw ValidationError(
                "--sample-rate must be a whole number from 1 (every request logged) to \(IngestOptions.maxSampleRate) (got \(sampleRate))"
            )
        }
        if cacheBlockTokens < 1 { throw ValidationError("--cache-block-tokens must be at least 1") }
        if cacheBlocks < 1 { throw ValidationError("--cache-blocks must be at least 1") }
        if maxTokensPerRequest < 1 || maxTokensPerRequest > ByteParsing.maxTokenCount {
            throw ValidationError("--max-tokens-per-request must be from 1 to \(ByteParsing.maxTokenCount)")
        }
        if let days = rawRetentionDays, days < 0 { throw ValidationError("--raw-retention-days must be 0 or more") }
        if noRaw && rawRetentionDays != nil {
            throw ValidationError("--no-raw keeps no raw rows; --raw-retention-days has nothing to prune")
        }
        guard let rate = Self.rate(maxRejectRate) else {
            throw ValidationError("--max-reject-rate must be a fraction from 0 to 1 or a percentage such as 1%")
        }
        _ = rate
        if wait < 0 { throw ValidationError("--wait must be 0 or more seconds") }
        if inputs.filter({ $0 == "-" }).count > 1 { throw ValidationError("standard input (-) can be read only once") }
        if shardIndex != nil && shardCount == nil { throw ValidationError("--shard-index needs --shard-count") }
        if raw && shardCount == nil {
            throw ValidationError("--raw is for shards (--shard-count); raw rows are kept by default")
        }
        if raw && noRaw { throw ValidationError("--raw and --no-raw: choose one") }
        if shardCount != nil {
            if inputs.contains("-") {
                throw ValidationError("standard input (-) cannot be sharded; name files or folders")
            }
            _ = try shard()
        }
        if let map { _ = try JSONRecordSpec(parsingMap: map, timeUnit: nil) }
    }

    /// Reads `1%`, `0.5 %` or `0.01` as a fraction.
    static func rate(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let value: Double?
        if trimmed.hasSuffix("%") {
            value = Double(trimmed.dropLast().trimmingCharacters(in: .whitespaces)).map { $0 / 100 }
        } else {
            value = Double(trimmed)
        }
        guard let value, value >= 0, value <= 1 else { return nil }
        return value
    }

    /// The shard this process loads: --shard-index, else $JOB_COMPLETION_INDEX; nil unsharded.
    func shard() throws -> Shard? {
        guard let shardCount else { return nil }
        guard (1...Shard.maxCount).contains(shardCount) else {
            throw ValidationError("--shard-count must be from 1 to \(Shard.maxCount) (got \(shardCount))")
        }
        let fromEnvironment = ProcessInfo.processInfo.environment["JOB_COMPLETION_INDEX"]
        guard let index = shardIndex ?? fromEnvironment.flatMap({ Int($0) }) else {
            throw ValidationError(
                fromEnvironment.map { "JOB_COMPLETION_INDEX '\($0)' is not a shard index" }
                    ?? "--shard-count needs --shard-index, or JOB_COMPLETION_INDEX in the environment")
        }
        guard let shard = Shard(index: index, count: shardCount) else {
            throw ValidationError("shard index \(index) is outside 0…\(shardCount - 1)")
        }
        return shard
    }

    /// Whether the transform runs after loading: not in a shard, whose merge transforms.
    var transforms: Bool { !noTransform && shardCount == nil }

    func options() throws -> IngestOptions {
        var parse = ParseOptions(defaultModel: model)
        parse.start = start.flatMap(IngestRun.instant)
        parse.timestampUnit = tsFormat.flatMap { $0 == "iso" ? nil : TimeUnit(rawValue: $0) }
        if let map {
            // One mapping serves CSV files (columns) and JSON lines (dotted paths); the keys
            // only JSON has leave the column mapping out.
            parse.columnMap = try? ColumnMap(parsing: map)
            parse.jsonMap = try JSONRecordSpec(parsingMap: map, timeUnit: parse.timestampUnit)
        }
        parse.cacheBlockTokens = cacheBlockTokens
        parse.cacheCapacityBlocks = cacheBlocks
        parse.maxTokensPerRequest = maxTokensPerRequest
        // A column mapping only means something to the csv format.
        let chosen = format == "auto" && map != nil ? LogFormat.csv : LogFormat(rawValue: format)
        var options = IngestOptions(
            databasePath: db, inputs: inputs, format: chosen, parse: parse,
            keepRaw: !noRaw && (shardCount == nil || raw),
            rawRetentionDays: rawRetentionDays, maxRejectRate: Self.rate(maxRejectRate) ?? 0.01,
            standardInputName: name, waitSeconds: wait,
            commandLine: (["phasecast"] + CommandLine.arguments.dropFirst()).joined(separator: " "),
            sampleRate: sampleRate)
        options.shard = try shard()
        options.quarantineFrom = quarantineFrom
        return options
    }

    func run() throws {
        let quiet = self.quiet
        let ingestor = Ingestor(
            options: try options(), showProgress: !quiet && ProgressLine.standardErrorIsTerminal, rehash: rehash,
            log: { line in if !quiet { Console.error(line) } })
        let report: IngestReport
        var transformFailure: Error?
        do {
            report = try ingestor.run { connection in
                if transforms { transformFailure = TransformCommand.afterLoading(connection, quiet: quiet) }
            }
        } catch {
            throw fail(error)
        }
        if json {
            try printJSON(report)
        } else if !quiet {
            let loaded = report.files.filter { $0.status == .loaded || $0.status == .replaced }
            let failed = report.files.filter { $0.status == .failed }.count
            let skipped = report.files.filter { $0.status == .skipped }.count
            let rows = loaded.reduce(0) { $0 + $1.rows }
            Console.error(
                "\(loaded.count) loaded, \(skipped) skipped, \(failed) failed; \(rows) rows into \(report.databasePath) "
                    + String(format: "in %.2f s", report.seconds))
        }
        if let transformFailure {
            let code = fail(transformFailure)
            throw ExitCode(max(code.rawValue, report.exitCode))
        }
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }
}
