import Extract
import Foundation
import PhasecastCore
import Store

/// A row of `source_files`: what the database holds of one path.
struct RegistryEntry: Equatable {
    enum Status: String {
        case loaded, failed, outdated
    }

    var fileID: Int64
    var path: String
    var fingerprint: String
    var status: Status
    var loadedAt: String
    var firstRowID: Int64?
    var lastRowID: Int64?
    /// 1 in how many requests the file's lines are.
    var sampleRate: Int64 = 1

    /// Whether rows of this entry's fingerprint are in the database.
    var holdsRows: Bool { status != .failed }

    /// Why an input at `path` whose content this entry holds is not loaded again.
    func alreadyLoadedMessage(asPath path: String) -> String {
        self.path == path
            ? "already loaded \(loadedAt) (\(fingerprint))" : "same content as \(self.path), loaded \(loadedAt)"
    }
}

/// Reads and updates `source_files`, and decides what a run does with each input.
struct SourceFileRegistry {
    let connection: Connection

    private static let columns = "file_id, path, fingerprint, status, loaded_at, first_rowid, last_rowid, sample_rate"

    private func entries(_ sql: String, _ arguments: [SQLValue]) throws -> [RegistryEntry] {
        try connection.query("SELECT \(Self.columns) FROM source_files \(sql)", arguments).map { row in
            RegistryEntry(
                fileID: try row.int("file_id"), path: try row.text("path"), fingerprint: try row.text("fingerprint"),
                status: try row.value(RegistryEntry.Status.self, "status"), loadedAt: try row.text("loaded_at"),
                firstRowID: try row.optionalInt("first_rowid"),
                lastRowID: try row.optionalInt("last_rowid"), sampleRate: try row.int("sample_rate"))
        }
    }

    /// The entry of a path.
    func entry(path: String) throws -> RegistryEntry? {
        try entries("WHERE path = ?", [.text(path)]).first
    }

    /// The entry whose rows are of this content, if any.
    func entryHoldingRows(fingerprint: String) throws -> RegistryEntry? {
        try entries("WHERE fingerprint = ? AND status <> 'failed' ORDER BY file_id", [.text(fingerprint)]).first
    }

    /// The entry whose rows were read from a file of exactly these bytes, if any.
    func entryHoldingRows(rawFingerprint: String) throws -> RegistryEntry? {
        try entries("WHERE raw_fingerprint = ? AND status <> 'failed' ORDER BY file_id", [.text(rawFingerprint)]).first
    }

    /// Follows files that were renamed since they were loaded (log rotation: `app.log.1` becomes
    /// `app.log.2`): an entry whose content now sits at another input path, and no longer at its
    /// own, takes that path, so the content is neither loaded twice nor replaced by what now
    /// sits at its old path. An entry pushed off its path by such a move, whose content is not
    /// among the inputs any more, keeps its rows under `path@fingerprint`.
    /// Returns the moves made, old path → new path.
    /// Fingerprints here are of the bytes on disk: a renamed file keeps its bytes.
    func followRenames(inputs: [(path: String, fingerprint: String)]) throws -> [(from: String, to: String)] {
        var fingerprintAtPath: [String: String] = [:]
        for input in inputs { fingerprintAtPath[input.path] = input.fingerprint }
        /// Whether the content is still at the entry's own path (then the input is a copy).
        func contentStillAt(_ path: String, _ fingerprint: String) -> Bool {
            if let known = fingerprintAtPath[path] { return known == fingerprint }
            guard FileManager.default.fileExists(atPath: path) else { return false }
            return (try? Fingerprint.ofFile(path).text) == fingerprint
        }
        var moves: [(entry: RegistryEntry, to: String)] = []
        var claimedPaths = Set<String>()
        for input in inputs where !claimedPaths.contains(input.path) {
            guard let holder = try entryHoldingRows(rawFingerprint: input.fingerprint), holder.path != input.path,
                !contentStillAt(holder.path, input.fingerprint),
                !moves.contains(where: { $0.entry.fileID == holder.fileID })
            else { continue }
            moves.append((holder, input.path))
            claimedPaths.insert(input.path)
        }
        guard !moves.isEmpty else { return [] }
        let movingIDs = Set(moves.map(\.entry.fileID))
        var displaced: [(entry: RegistryEntry, to: String)] = []
        for move in moves {
            if let occupant = try entry(path: move.to), !movingIDs.contains(occupant.fileID) {
                displaced.append((occupant, "\(occupant.path)@\(occupant.fingerprint)"))
            }
        }
        let all = moves + displaced
        try connection.immediateTransaction {
            // Through temporary names, so that no two rows share a path on the way.
            for item in all {
                try connection.run(
                    "UPDATE source_files SET path = ? WHERE file_id = ?",
                    [.text("\u{1}moving-\(item.entry.fileID)"), .integer(item.entry.fileID)])
            }
            for item in all {
                try connection.run(
                    "UPDATE source_files SET path = ? WHERE file_id = ?", [.text(item.to), .integer(item.entry.fileID)])
            }
        }
        return all.map { ($0.entry.path, $0.to) }
    }

    /// Sets a loaded file's sample rate and marks the days its rollups cover for the next
    /// transform, which scales them anew: the file is not read again.
    func changeSampleRate(fileID: Int64, to rate: Int64) throws {
        let offset = try connection.utcOffsetMinutes()
        try connection.immediateTransaction {
            try connection.run(
                "UPDATE source_files SET sample_rate = ? WHERE file_id = ?", [.integer(rate), .integer(fileID)])
            try markDaysDirty(fileID: fileID, utcOffsetMinutes: offset)
        }
    }

    /// Records the days a file's rollups cover (in the rollups' time zone) as changed, for the
    /// next transform. Reads the file's minute span from its registry row: call it once that row
    /// holds the span of the rows in question.
    func markDaysDirty(fileID: Int64, utcOffsetMinutes: Int64) throws {
        try markDaysDirty(of: try minuteRollups(of: fileID), utcOffsetMinutes: utcOffsetMinutes)
    }

    private func markDaysDirty(
        of rollups: (condition: String, arguments: [SQLValue]), utcOffsetMinutes: Int64
    ) throws {
        try connection.run(
            """
            INSERT OR IGNORE INTO dirty_days (day)
            SELECT DISTINCT (minute + ?) / 1440 FROM request_minutes WHERE \(rollups.condition)
            """, [.integer(utcOffsetMinutes)] + rollups.arguments)
    }

    /// Empties what an entry holds — its raw rows (found by their rowid range), minute rollups,
    /// rejects and skipped-line counts — after marking its days for the transform; the registry
    /// row stays, for the content that replaces it.
    func clearRows(of entry: RegistryEntry, utcOffsetMinutes: Int64) throws {
        let rollups = try minuteRollups(of: entry.fileID)
        try markDaysDirty(of: rollups, utcOffsetMinutes: utcOffsetMinutes)
        if let first = entry.firstRowID, let last = entry.lastRowID {
            try connection.run(
                "DELETE FROM requests WHERE rowid BETWEEN ? AND ? AND file_id = ?",
                [.integer(first), .integer(last), .integer(entry.fileID)])
        }
        try connection.run("DELETE FROM request_minutes WHERE \(rollups.condition)", rollups.arguments)
        for table in ["rejects", "source_file_skips"] {
            try connection.run("DELETE FROM \(table) WHERE file_id = ?", [.integer(entry.fileID)])
        }
    }

    /// The condition that finds a file's rows in `request_minutes`, through the time span its
    /// registry row records.
    private func minuteRollups(of fileID: Int64) throws -> (condition: String, arguments: [SQLValue]) {
        let row = try connection.query(
            "SELECT first_ts_us, last_ts_us FROM source_files WHERE file_id = ?", [.integer(fileID)]
        ).first
        return Self.minuteRollups(of: fileID, span: try row.flatMap { try Self.span(of: $0) })
    }

    /// The time span a registry row records (`first_ts_us`, `last_ts_us`); nil when it has none.
    static func span(of row: Row) throws -> (firstMicros: Int64, lastMicros: Int64)? {
        guard let first = try row.optionalInt("first_ts_us"), let last = try row.optionalInt("last_ts_us") else {
            return nil
        }
        return (first, last)
    }

    /// The SQL condition, and its arguments, that finds one file's rows in `request_minutes`.
    /// The table's key leads with the minute, so a file's rows are found through the minutes of
    /// its time span (every rollup of a file lies in the span of the requests it counts); a
    /// file without a recorded span is looked for in the whole table.
    static func minuteRollups(
        of fileID: Int64, span: (firstMicros: Int64, lastMicros: Int64)?, alias: String? = nil
    ) -> (condition: String, arguments: [SQLValue]) {
        let prefix = alias.map { $0 + "." } ?? ""
        guard let span else { return ("\(prefix)file_id = ?", [.integer(fileID)]) }
        return (
            "\(prefix)minute BETWEEN ? AND ? AND \(prefix)file_id = ?",
            [
                .integer(UTCTime.floorDiv(span.firstMicros, UTCTime.microsPerMinute)),
                .integer(UTCTime.floorDiv(span.lastMicros, UTCTime.microsPerMinute)), .integer(fileID),
            ]
        )
    }

    /// Marks an `outdated` entry `loaded` again: the content its rows are of is at its path again.
    func markCurrent(fileID: Int64) throws {
        try connection.run(
            "UPDATE source_files SET status = 'loaded', error = NULL WHERE file_id = ? AND status = 'outdated'",
            [.integer(fileID)])
    }

    /// Records that content at `path` failed to load. Rows of earlier content at that path stay,
    /// and its entry becomes `outdated`; otherwise the path is registered as `failed`. The same
    /// content failing the same way again leaves the entry as it was (the attempt is in
    /// `ingest_runs`), so that re-running a night changes nothing.
    func recordFailure(
        path: String, fingerprint: String, rawFingerprint: String, format: String?, bytes: Int64,
        uncompressedBytes: Int64, compressed: Bool,
        seconds: Double, runID: Int64, message: String
    ) throws {
        let now = Self.now()
        try connection.immediateTransaction {
            let same = try connection.queryOne(
                "SELECT COUNT(*) AS n FROM source_files WHERE path = ? AND status = 'failed' AND raw_fingerprint = ? AND error = ?",
                [.text(path), .text(rawFingerprint), .text(message)]
            ).int("n")
            if same > 0 { return }
            if let existing = try entry(path: path), existing.holdsRows {
                try connection.run(
                    "UPDATE source_files SET status = 'outdated', error = ?, run_id = ? WHERE file_id = ?",
                    [.text(message), .integer(runID), .integer(existing.fileID)])
                return
            }
            try connection.run(
                "DELETE FROM source_file_skips WHERE file_id IN (SELECT file_id FROM source_files WHERE path = ?)",
                [.text(path)])
            try connection.run(
                """
                INSERT INTO source_files (path, fingerprint, raw_fingerprint, format, status, error, bytes,
                    uncompressed_bytes, compressed, rows, rejected, skipped, raw_rows, loaded_at, load_seconds, run_id)
                VALUES (?, ?, ?, ?, 'failed', ?, ?, ?, ?, 0, 0, 0, 0, ?, ?, ?)
                ON CONFLICT (path) DO UPDATE SET fingerprint = excluded.fingerprint,
                    raw_fingerprint = excluded.raw_fingerprint, format = excluded.format,
                    status = 'failed', error = excluded.error, bytes = excluded.bytes,
                    uncompressed_bytes = excluded.uncompressed_bytes, compressed = excluded.compressed,
                    rows = 0, rejected = 0, skipped = 0, raw_rows = 0, first_ts_us = NULL, last_ts_us = NULL,
                    first_rowid = NULL, last_rowid = NULL, warnings = NULL, loaded_at = excluded.loaded_at,
                    load_seconds = excluded.load_seconds, run_id = excluded.run_id
                """,
                [
                    .text(path), .text(fingerprint), .text(rawFingerprint), format.map { .text($0) } ?? .null,
                    .text(message),
                    .integer(bytes), .integer(uncompressedBytes), .integer(compressed ? 1 : 0), .text(now),
                    .real(seconds), .integer(runID),
                ])
        }
    }

    /// The current UTC time as ISO 8601 text.
    static func now() -> String { WallClock.nowISO8601() }
}
