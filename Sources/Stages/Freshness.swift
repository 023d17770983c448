import Extract
import Foundation
import PhasecastCore
import Store

/// Whether the data a nightly run needs arrived: a new log file, and requests recent enough.
/// A capacity job that silently stops being true most often does so here (a failed mount, logs
/// rotated elsewhere), so each problem is a sentence for the report and exit status 69.
public struct Freshness: Sendable {
    /// Files loaded (or replaced) by this run.
    public var newFiles: Int
    /// Input paths of the pipeline under which no log file was found.
    public var emptyPaths: [String]
    /// The newest request of any loaded file (UTC microseconds), nil with none.
    public var newestRequestMicros: Int64?
    /// When the run started (UTC microseconds).
    public var runStartedMicros: Int64

    public init(newFiles: Int, emptyPaths: [String], newestRequestMicros: Int64?, runStartedMicros: Int64) {
        self.newFiles = newFiles
        self.emptyPaths = emptyPaths
        self.newestRequestMicros = newestRequestMicros
        self.runStartedMicros = runStartedMicros
    }

    /// The newest request of any file whose rows count (its last timestamp), or nil.
    public static func newestRequest(_ connection: Connection) throws -> Int64? {
        try connection.queryOne(
            "SELECT MAX(last_ts_us) AS newest FROM source_files WHERE status <> 'failed'"
        ).optionalInt("newest")
    }

    /// Seconds from the newest request to the run's start, nil without any request.
    public var dataAgeSeconds: Double? {
        newestRequestMicros.map { Double(runStartedMicros - $0) / 1e6 }
    }

    /// What is wrong under the pipeline's limits, one sentence each (empty: fresh).
    public func problems(expectNewFiles: Bool, maxDataAgeSeconds: Int?) -> [String] {
        var problems: [String] = []
        if expectNewFiles && newFiles == 0 {
            var sentence = "no new log file was loaded this run (expect_new_files)"
            if !emptyPaths.isEmpty { sentence += "; nothing was found under " + emptyPaths.joined(separator: ", ") }
            problems.append(sentence)
        }
        if let limit = maxDataAgeSeconds {
            if let newest = newestRequestMicros, let age = dataAgeSeconds {
                if age > Double(limit) {
                    problems.append(
                        "the newest request, \(UTCTime.isoMinute(micros: newest)) UTC, was "
                            + "\(CalendarDay.describe(seconds: age)) old when the run started "
                            + "(max_data_age \(CalendarDay.describe(seconds: Double(limit)))): the forecasts and plans rest on old data"
                    )
                }
            } else {
                problems.append("the database holds no request, so its age cannot be checked (max_data_age)")
            }
        }
        return problems
    }

    /// Input paths under which discovery finds no log file (an empty or missing directory).
    public static func emptyPaths(_ paths: [String]) -> [String] {
        paths.filter { path in
            guard let found = try? InputDiscovery.discover([path]) else { return true }
            return found.files.isEmpty
        }
    }
}
