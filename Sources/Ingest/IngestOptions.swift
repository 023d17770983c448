import LogFormats

/// Everything one `phasecast ingest` run needs to know.
public struct IngestOptions: Sendable {
    /// The SQLite database to load into (created if missing).
    public var databasePath: String
    /// Files, directories and `-` for standard input.
    public var inputs: [String]
    /// The format to read every input as; nil detects it per file.
    public var format: LogFormat?
    public var parse: ParseOptions
    /// Whether raw request rows are stored (rollups always are).
    public var keepRaw: Bool
    /// Raw rows older than this many days before the newest request loaded are deleted.
    public var rawRetentionDays: Int?
    /// Largest share of rejected lines a file may have and still load.
    public var maxRejectRate: Double
    /// Registry name of standard input; nil names it by its content.
    public var standardInputName: String?
    /// How long to wait for another run's lock.
    public var waitSeconds: Double
    /// The command line, recorded in `ingest_runs`.
    public var commandLine: String
    /// The inputs log 1 in this many requests; their rollups count each line this many times.
    /// nil keeps the rate a file was loaded with (1 for new files).
    public var sampleRate: Int64?
    /// Load only the files of this shard (`phasecast merge` joins the shards' databases).
    public var shard: Shard?
    /// Another phasecast database whose quarantined files this run passes over too: the fleet's
    /// database, for a shard that loads into its own (`--quarantine-from`).
    public var quarantineFrom: String?

    /// The largest sample rate accepted.
    public static let maxSampleRate: Int64 = 1_000_000

    public static let defaultMaxRejectRate = 0.01

    public init(
        databasePath: String, inputs: [String], format: LogFormat? = nil, parse: ParseOptions = ParseOptions(),
        keepRaw: Bool = true, rawRetentionDays: Int? = nil, maxRejectRate: Double = IngestOptions.defaultMaxRejectRate,
        standardInputName: String? = nil, waitSeconds: Double = 0, commandLine: String = "phasecast ingest",
        sampleRate: Int64? = nil
    ) {
        self.sampleRate = sampleRate
        self.databasePath = databasePath
        self.inputs = inputs
        self.format = format
        self.parse = parse
        self.keepRaw = keepRaw
        self.rawRetentionDays = rawRetentionDays
        self.maxRejectRate = maxRejectRate
        self.standardInputName = standardInputName
        self.waitSeconds = waitSeconds
        self.commandLine = commandLine
    }
}
