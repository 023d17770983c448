import Foundation
import PhasecastCore
import Planning
import Reporting

/// The figures of one pipeline run that programs read: `phasecast run --json` prints it and
/// `--metrics-file` turns it into Prometheus metrics. Times are ISO 8601 UTC.
public struct RunSummary: Codable, Sendable, Equatable {
    public struct Stage: Codable, Sendable, Equatable {
        public var name: String
        public var seconds: Double
        public var exitCode: Int32
        public var note: String
    }

    public struct Ingest: Codable, Sendable, Equatable {
        public var filesLoaded: Int
        public var filesAlreadyLoaded: Int
        public var filesFailed: Int
        public var filesQuarantined: Int
        public var rows: Int64
        public var rejectedLines: Int64
    }

    public struct Freshness: Codable, Sendable, Equatable {
        public var newFiles: Int
        public var newestRequest: String?
        public var dataAgeSeconds: Double?
        /// What the freshness checks found wrong (empty: fresh or unchecked).
        public var problems: [String]
    }

    /// GPUs one pool needs over a horizon at a quantile (the baseline plan).
    public struct Pool: Codable, Sendable, Equatable {
        public var horizon: String
        public var horizonLabel: String
        public var quantile: String
        public var phase: String
        public var gpus: Int
    }

    /// How far stored forecasts missed what followed, by days ahead and phase.
    public struct ForecastError: Codable, Sendable, Equatable {
        public var daysAhead: String
        public var phase: String
        public var relativeError: Double?
        public var mase: Double
    }

    public var pipeline: String
    public var exitCode: Int32
    public var outcome: String
    public var startedAt: String
    public var finishedAt: String
    public var lastSuccessAt: String?
    public var report: String?
    public var asOfDay: String?
    public var stages: [Stage]
    public var ingest: Ingest?
    public var freshness: Freshness?
    public var plan: [Pool]
    /// Prefill:decode ratio of the last whole day, in tokens and in busy GPU-time.
    public var tokenRatio: Double?
    public var gpuTimeRatio: Double?
    public var forecastError: [ForecastError]

    public init(_ outcome: PipelineRunner.Outcome, pipeline: String) {
        self.pipeline = pipeline
        exitCode = outcome.status.rawValue
        self.outcome = outcome.status.meaning
        startedAt = UTCTime.iso8601(micros: outcome.startedMicros)
        finishedAt = UTCTime.iso8601(micros: outcome.finishedMicros)
        lastSuccessAt = outcome.lastSuccessAt
        report = outcome.reportDirectory.map { $0 + "/capacity.md" }
        stages = outcome.stages.map {
            Stage(name: $0.name, seconds: $0.seconds, exitCode: $0.status.rawValue, note: $0.note)
        }
        ingest = outcome.ingest.map {
            Ingest(
                filesLoaded: $0.filesLoaded, filesAlreadyLoaded: $0.filesAlreadyLoaded, filesFailed: $0.filesFailed,
                filesQuarantined: $0.filesQuarantined, rows: $0.rows, rejectedLines: $0.rejectedLines)
        }
        freshness = outcome.freshness.map {
            Freshness(
                newFiles: $0.newFiles, newestRequest: $0.newestRequestMicros.map { UTCTime.iso8601(micros: $0) },
                dataAgeSeconds: $0.dataAgeSeconds, problems: outcome.freshnessProblems)
        }
        let input = outcome.report
        asOfDay = input.map { CalendarDay.format($0.asOfDay) }
        plan =
            input?.plan.baseline.cells.flatMap { cell in
                Phase.allCases.map { phase in
                    Pool(
                        horizon: cell.horizon.key, horizonLabel: cell.horizon.label, quantile: "P\(cell.quantile)",
                        phase: phase.rawValue, gpus: cell.gpus(phase))
                }
            } ?? []
        let lastWholeDay = input?.history.last { $0.coverage >= ForecastStage.wholeDayCoverage }
        tokenRatio = lastWholeDay?.tokenRatio
        gpuTimeRatio = lastWholeDay?.gpuTimeRatio
        forecastError =
            input?.realized.map {
                ForecastError(
                    daysAhead: $0.horizon, phase: $0.phase.rawValue, relativeError: $0.relativeError, mase: $0.mase)
            } ?? []
    }
}

extension ExitStatus {
    /// What the status means, in a few words, for people and for `run --json`.
    public var meaning: String {
        switch self {
        case .ok: "ok"
        case .usage: "usage error"
        case .dataError: "some input was bad; the rest was done"
        case .noInput: "an input does not exist"
        case .unavailable: "new data did not arrive or is too old; the rest was done"
        case .software: "internal error"
        case .ioError: "I/O error"
        case .tempFail: "another run holds the database"
        case .config: "the pipeline file is wrong"
        }
    }
}
