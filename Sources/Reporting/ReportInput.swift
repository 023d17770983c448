import Foundation
import PhasecastCore
import Planning

/// Everything a capacity report shows, gathered from the database by the caller: the report
/// itself is a pure function of this.
public struct ReportInput: Sendable, Codable {
    public var pipeline: String
    /// The last whole day of history (the forecast's cutoff).
    public var asOfDay: Int64
    public var forecastRunID: Int64
    public var plan: CapacityPlan
    /// All models together, one entry a day of the observed span.
    public var history: [HistoryDay]
    /// All models' busy GPU-hours per phase, forecast.
    public var forecast: [Phase: [DailyDemand]]
    /// The forecasting method chosen for each model's GPU-hours per phase.
    public var methods: [MethodChoice]
    /// How past forecasts of this pipeline did against what happened.
    public var realized: [RealizedAccuracy]
    /// Mean share of a day's busy GPU-time in each UTC hour (24 values), per phase, over the lookback.
    public var intraday: [Phase: [Double]]
    /// Each model's measured intraday shape per phase.
    public var shapes: [ShapeRow]
    public var previous: PreviousReport?
    public var assumptions: [ModelAssumption]
    public var quality: DataQuality
    public var policy: PlanPolicy
    public var lookbackDays: Int
    /// Earlier plans replayed against what followed; nil when there is no earlier forecast.
    public var backtest: PlanBacktest?

    public init(
        pipeline: String, asOfDay: Int64, forecastRunID: Int64, plan: CapacityPlan, history: [HistoryDay],
        forecast: [Phase: [DailyDemand]], methods: [MethodChoice], realized: [RealizedAccuracy],
        intraday: [Phase: [Double]],
        shapes: [ShapeRow], previous: PreviousReport?, assumptions: [ModelAssumption], quality: DataQuality,
        policy: PlanPolicy,
        lookbackDays: Int, backtest: PlanBacktest? = nil
    ) {
        self.backtest = backtest
        self.pipeline = pipeline
        self.asOfDay = asOfDay
        self.forecastRunID = forecastRunID
        self.plan = plan
        self.history = history
        self.forecast = forecast
        self.methods = methods
        self.realized = realized
        self.intraday = intraday
        self.shapes = shapes
        self.previous = previous
        self.assumptions = assumptions
        self.quality = quality
        self.policy = policy
        self.lookbackDays = lookbackDays
    }
}

public struct HistoryDay: Sendable, Equatable, Codable {
    public var day: Int64
    public var coverage: Double
    public var requests: Int64
    public var prefillTokens: Double
    public var outputTokens: Double
    public var prefillGPUHours: Double
    public var decodeGPUHours: Double

    public init(
        day: Int64, coverage: Double, requests: Int64, prefillTokens: Double, outputTokens: Double,
        prefillGPUHours: Double,
        decodeGPUHours: Double
    ) {
        self.day = day
        self.coverage = coverage
        self.requests = requests
        self.prefillTokens = prefillTokens
        self.outputTokens = outputTokens
        self.prefillGPUHours = prefillGPUHours
        self.decodeGPUHours = decodeGPUHours
    }

    /// Prefill tokens per output token.
    public var tokenRatio: Double? { outputTokens > 0 ? prefillTokens / outputTokens : nil }
    /// Prefill GPU-hours per decode GPU-hour.
    public var gpuTimeRatio: Double? { decodeGPUHours > 0 ? prefillGPUHours / decodeGPUHours : nil }
}

public struct MethodChoice: Sendable, Equatable, Codable {
    public var model: String
    public var phase: Phase
    public var method: String
    public var backtestMASE: Double?
    public var notes: [String]

    public init(model: String, phase: Phase, method: String, backtestMASE: Double?, notes: [String]) {
        self.model = model
        self.phase = phase
        self.method = method
        self.backtestMASE = backtestMASE
        self.notes = notes
    }
}

/// Realized accuracy of stored forecasts over a band of horizons.
public struct RealizedAccuracy: Sendable, Equatable, Codable {
    public var horizon: String
    public var phase: Phase
    public var points: Int
    public var mase: Double
    /// Σ|actual − forecast| ÷ Σ actual: the error as a share of the GPU-hours that happened.
    public var relativeError: Double?
    public var coverage80: Double
    public var coverage95: Double

    public init(
        horizon: String, phase: Phase, points: Int, mase: Double, relativeError: Double?, coverage80: Double,
        coverage95: Double
    ) {
        self.horizon = horizon
        self.phase = phase
        self.points = points
        self.mase = mase
        self.relativeError = relativeError
        self.coverage80 = coverage80
        self.coverage95 = coverage95
    }
}

public struct ShapeRow: Sendable, Equatable, Codable {
    public var model: String
    public var phase: Phase
    public var shape: IntradayShape

    public init(model: String, phase: Phase, shape: IntradayShape) {
        self.model = model
        self.phase = phase
        self.shape = shape
    }
}

/// What the previous report of the pipeline said.
public struct PreviousReport: Sendable, Equatable, Codable {
    public var asOfDay: Int64
    /// Headline GPUs per phase (baseline, same horizon key and quantile), by phase.
    public var gpus: [Phase: Int]
    public var dollarsPerMonth: Double
    /// The headline horizon's end then.
    public var horizonEndDay: Int64
    /// Mean token ratio of the 7 days to its cutoff.
    public var tokenRatio: Double?
    /// How far its fleet token forecasts (prefill tokens; output tokens for decode) missed what
    /// happened since: Σ|actual − forecast| ÷ Σ actual over the whole days scored.
    public var tokenForecastError: [Phase: Double]
    public var tokenForecastDays: Int

    public init(
        asOfDay: Int64, gpus: [Phase: Int], dollarsPerMonth: Double, horizonEndDay: Int64, tokenRatio: Double?,
        tokenForecastError: [Phase: Double] = [:], tokenForecastDays: Int = 0
    ) {
        self.asOfDay = asOfDay
        self.gpus = gpus
        self.dollarsPerMonth = dollarsPerMonth
        self.horizonEndDay = horizonEndDay
        self.tokenRatio = tokenRatio
        self.tokenForecastError = tokenForecastError
        self.tokenForecastDays = tokenForecastDays
    }
}

/// How a model is costed.
public struct ModelAssumption: Sendable, Equatable, Codable {
    public var model: String
    public var profile: String
    public var summary: String
    public var meanPromptTokens: Double
    public var meanCachedTokens: Double
    public var meanOutputTokens: Double
    public var prefillBound: String
    public var decodeBound: String
    public var prefillTokensPerSecondPerGPU: Double
    public var decodeTokensPerSecondPerGPU: Double

    public init(
        model: String, profile: String, summary: String, meanPromptTokens: Double, meanCachedTokens: Double,
        meanOutputTokens: Double, prefillBound: String, decodeBound: String, prefillTokensPerSecondPerGPU: Double,
        decodeTokensPerSecondPerGPU: Double
    ) {
        self.model = model
        self.profile = profile
        self.summary = summary
        self.meanPromptTokens = meanPromptTokens
        self.meanCachedTokens = meanCachedTokens
        self.meanOutputTokens = meanOutputTokens
        self.prefillBound = prefillBound
        self.decodeBound = decodeBound
        self.prefillTokensPerSecondPerGPU = prefillTokensPerSecondPerGPU
        self.decodeTokensPerSecondPerGPU = decodeTokensPerSecondPerGPU
    }
}

/// What the data behind the report lacks.
public struct DataQuality: Sendable, Equatable {
    public var filesLoaded: Int
    /// Files whose content failed to load; `earlierRowsKept` when rows of earlier content at
    /// the same path are in the figures instead.
    public var failedFiles: [(path: String, error: String, earlierRowsKept: Bool)]
    public var rejectedLines: Int
    public var rejectReasons: [(reason: String, count: Int)]
    /// Days inside the span with no traffic at all.
    public var emptyDays: [Int64]
    /// What the forecast run noted (partial days left out, …).
    public var forecastNotes: [String]
    /// Where the GPU specs and prices come from.
    public var seedSources: [(gpu: String, source: String, priceSource: String)]
    /// Loaded files by sample rate (1 in N requests logged), for rates above 1.
    public var sampledFiles: [(rate: Int64, files: Int)] = []
    /// Well-formed lines that are not served requests, by kind as the report words it, most first.
    public var skippedLines: [(kind: String, lines: Int64)] = []
    /// Loaded files of usage totals rather than requests.
    public var aggregatedFiles = 0
    /// What looked wrong about loaded files as a whole.
    public var fileWarnings: [(path: String, warning: String)] = []
    /// Files acknowledged as bad (`phasecast quarantine`): not read, not failing the run.
    public var quarantinedFiles: [(path: String, reason: String)] = []
    /// The newest request of any loaded file (UTC microseconds).
    public var newestRequestMicros: Int64?
    /// What the run's freshness checks found wrong (no new file, data too old), as sentences.
    public var freshnessProblems: [String] = []

    public init(
        filesLoaded: Int, failedFiles: [(path: String, error: String, earlierRowsKept: Bool)], rejectedLines: Int,
        rejectReasons: [(reason: String, count: Int)], emptyDays: [Int64], forecastNotes: [String],
        seedSources: [(gpu: String, source: String, priceSource: String)]
    ) {
        self.filesLoaded = filesLoaded
        self.failedFiles = failedFiles
        self.rejectedLines = rejectedLines
        self.rejectReasons = rejectReasons
        self.emptyDays = emptyDays
        self.forecastNotes = forecastNotes
        self.seedSources = seedSources
    }

    public static func == (a: DataQuality, b: DataQuality) -> Bool {
        a.filesLoaded == b.filesLoaded && a.failedFiles.map(\.path) == b.failedFiles.map(\.path)
            && a.rejectedLines == b.rejectedLines && a.emptyDays == b.emptyDays && a.forecastNotes == b.forecastNotes
    }
}
