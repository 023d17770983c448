import PhasecastCore

/// Why a stage could not run: what is missing or wrong, and the exit status it means.
public enum StageError: PhasecastError, Equatable {
    /// The database holds no daily rollups yet.
    case noDailyRollups(database: String)
    /// The database holds no whole day of traffic yet.
    case noWholeDay(database: String)
    /// A stage after the forecast ran without one (a bug in the runner).
    case missingInput(stage: String, input: String)
    /// A file the pipeline names cannot be read or written.
    case file(path: String, reason: String, status: ExitStatus)

    public var description: String {
        switch self {
        case .noDailyRollups(let database):
            "\(database) has no daily rollups; run phasecast ingest (and transform) first"
        case .noWholeDay(let database): "\(database) holds no whole day of traffic yet; nothing to forecast"
        case .missingInput(let stage, let input): "\(stage): no \(input) to work from"
        case .file(let path, let reason, _): "\(path): \(reason)"
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .noDailyRollups, .noWholeDay: .dataError
        case .missingInput: .software
        case .file(_, _, let status): status
        }
    }
}
