import Foundation

/// `DataQuality` keeps its lists as named tuples (they read well where the report is written);
/// stored, each tuple is an object with the same field names.
extension DataQuality: Codable {
    private enum Key: String, CodingKey {
        case filesLoaded, failedFiles, rejectedLines, rejectReasons, emptyDays, forecastNotes, seedSources
        case sampledFiles, skippedLines, aggregatedFiles, fileWarnings, quarantinedFiles, newestRequestMicros
        case freshnessProblems
    }

    private struct FailedFile: Codable {
        var path: String
        var error: String
        var earlierRowsKept: Bool
    }

    private struct RejectReason: Codable {
        var reason: String
        var count: Int
    }

    private struct SeedSource: Codable {
        var gpu: String
        var source: String
        var priceSource: String
    }

    private struct SampledFiles: Codable {
        var rate: Int64
        var files: Int
    }

    private struct SkippedLines: Codable {
        var kind: String
        var lines: Int64
    }

    private struct FileNote: Codable {
        var path: String
        var text: String
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        self.init(
            filesLoaded: try c.decode(Int.self, forKey: .filesLoaded),
            failedFiles: try c.decode([FailedFile].self, forKey: .failedFiles).map {
                ($0.path, $0.error, $0.earlierRowsKept)
            },
            rejectedLines: try c.decode(Int.self, forKey: .rejectedLines),
            rejectReasons: try c.decode([RejectReason].self, forKey: .rejectReasons).map { ($0.reason, $0.count) },
            emptyDays: try c.decode([Int64].self, forKey: .emptyDays),
            forecastNotes: try c.decode([String].self, forKey: .forecastNotes),
            seedSources: try c.decode([SeedSource].self, forKey: .seedSources).map {
                ($0.gpu, $0.source, $0.priceSource)
            })
        sampledFiles = try c.decode([SampledFiles].self, forKey: .sampledFiles).map { ($0.rate, $0.files) }
        skippedLines = try c.decode([SkippedLines].self, forKey: .skippedLines).map { ($0.kind, $0.lines) }
        aggregatedFiles = try c.decode(Int.self, forKey: .aggregatedFiles)
        fileWarnings = try c.decode([FileNote].self, forKey: .fileWarnings).map { ($0.path, $0.text) }
        quarantinedFiles = try c.decode([FileNote].self, forKey: .quarantinedFiles).map { ($0.path, $0.text) }
        newestRequestMicros = try c.decodeIfPresent(Int64.self, forKey: .newestRequestMicros)
        freshnessProblems = try c.decode([String].self, forKey: .freshnessProblems)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(filesLoaded, forKey: .filesLoaded)
        try c.encode(
            failedFiles.map { FailedFile(path: $0.path, error: $0.error, earlierRowsKept: $0.earlierRowsKept) },
            forKey: .failedFiles)
        try c.encode(rejectedLines, forKey: .rejectedLines)
        try c.encode(rejectReasons.map { RejectReason(reason: $0.reason, count: $0.count) }, forKey: .rejectReasons)
        try c.encode(emptyDays, forKey: .emptyDays)
        try c.encode(forecastNotes, forKey: .forecastNotes)
        try c.encode(
            seedSources.map { SeedSource(gpu: $0.gpu, source: $0.source, priceSource: $0.priceSource) },
            forKey: .seedSources)
        try c.encode(sampledFiles.map { SampledFiles(rate: $0.rate, files: $0.files) }, forKey: .sampledFiles)
        try c.encode(skippedLines.map { SkippedLines(kind: $0.kind, lines: $0.lines) }, forKey: .skippedLines)
        try c.encode(aggregatedFiles, forKey: .aggregatedFiles)
        try c.encode(fileWarnings.map { FileNote(path: $0.path, text: $0.warning) }, forKey: .fileWarnings)
        try c.encode(quarantinedFiles.map { FileNote(path: $0.path, text: $0.reason) }, forKey: .quarantinedFiles)
        try c.encodeIfPresent(newestRequestMicros, forKey: .newestRequestMicros)
        try c.encode(freshnessProblems, forKey: .freshnessProblems)
    }
}
