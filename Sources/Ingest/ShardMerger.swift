import Foundation
import PhasecastCore
import Store

/// Joins the databases of a sharded ingest (`phasecast ingest --shard-count N`) into one, file
/// by file, as if one process had loaded every file: each shard file's registry row, minute
/// rollups, rejects, skipped-line counts and raw rows (when the shard kept them) are copied with
/// the target's file and model ids, and the days they touch are marked for the transform.
///
/// Every rollup is additive, so nothing is recomputed. It is idempotent by content: a file whose
/// content (fingerprint) the target already holds — merged before, or loaded directly under the
/// same or another path — is skipped; the same path with other content replaces the target's
/// rows, as a re-shipped file does in ingest, unless the target's copy was loaded later (a stale
/// shard), which is refused for that file. Each shard commits in one transaction: a merge
/// stopped midway is completed by running it again.
public struct ShardMerger {
    public let target: String
    public let shards: [String]
    public var waitSeconds: Double = 0
    public var commandLine = "phasecast merge"

    public init(target: String, shards: [String]) {
        self.target = target
        self.shards = shards
    }

    /// What happened to each shard file.
    public struct FileResult: Sendable, Equatable, Codable {
        public enum Status: String, Sendable, Codable {
            /// Copied: new to the target.
            case merged
            /// Copied over the target's rows of earlier content at the same path.
            case replaced
            /// The target holds this content already (merged before, or loaded directly).
            case alreadyMerged = "already merged"
            /// Not copied: the target's content at this path was loaded after the shard's.
            case refused
            /// A file that failed in its shard: registered as failed where the target does not know it.
            case failed
            /// Quarantined in the target (`phasecast quarantine add`): passed over, as ingest would.
            case quarantined
        }

        public var shard: String
        public var path: String
        public var status: Status
        public var rows: Int64
        public var note: String?
    }

    /// The outcome of a merge.
    public struct Report: Sendable, Equatable, Codable {
        public var files: [FileResult]
        public var seconds: Double

        /// 65 when a file was refused or failed in its shard (everything else merged), else 0.
        public var exitStatus: ExitStatus {
            files.contains { $0.status == .refused || $0.status == .failed } ? .dataError : .ok
        }

        public func count(_ status: FileResult.Status) -> Int { files.filter { $0.status == status }.count }
    }

    /// Why a merge could not start.
    public enum Problem: PhasecastError, Equatable {
        case noShard(String)
        case sameDatabase(String)
        case notAShard(path: String, reason: String)

        public var description: String {
            switch self {
            case .noShard(let path): "\(path): no such shard database"
            case .sameDatabase(let path): "\(path) is the target itself; name the shards' databases"
            case .notAShard(let path, let reason): "\(path): not a phasecast database (\(reason))"
            }
        }

        public var exitStatus: ExitStatus {
            switch self {
            case .noShard: .noInput
            case .sameDatabase: .usage
            case .notAShard: .dataError
            }
        }
    }

    /// Merges every shard; `afterMerging` runs once they are in, still under the target's lock
    /// (the CLI transforms there).
    public func run(afterMerging: (Connection) throws -> Void = { _ in }) throws -> Report {
        let started = Date()
        let targetPath = URL(fileURLWithPath: target).standardizedFileURL.path
        for shard in shards {
            guard FileManager.default.fileExists(atPath: shard) else { throw Problem.noShard(shard) }
            if URL(fileURLWithPath: shard).standardizedFileURL.path == targetPath { throw Problem.sameDatabase(shard) }
        }
        // Each shard is brought to this schema under its own lock, so no ingest is writing it.
        var shardLocks: [RunLock] = []
        for shard in shards {
            shardLocks.append(try RunLock(databasePath: shard, waitSeconds: waitSeconds))
            let connection = try Connection(path: shard)
            connection.setBusyTimeout(milliseconds: 30_000)
            do {
                guard try connection.scalar("SELECT COUNT(*) FROM sqlite_master")?.integer ?? 0 > 0 else {
                    throw Problem.notAShard(path: shard, reason: "it is empty")
                }
                try Migrator.migrate(connection)
            } catch let error as SQLiteError {
                throw Problem.notAShard(path: shard, reason: error.description)
            }
        }
        defer { withExtendedLifetime(shardLocks) {} }
        let lock = try RunLock(databasePath: target, waitSeconds: waitSeconds)
        defer { withExtendedLifetime(lock) {} }
        let connection = try Connection(path: target)
        connection.setBusyTimeout(milliseconds: Int32(min(max(waitSeconds, 30), 3600) * 1000))
        try Migrator.migrate(connection)
        try connection.run(
            "INSERT INTO ingest_runs (started_at, arguments) VALUES (?, ?)",
            [.text(WallClock.nowISO8601()), .text(commandLine)])
        let runID = connection.lastInsertRowID
        var results: [FileResult] = []
        for shard in shards {
            try connection.run("ATTACH DATABASE ? AS shard", [.text(shard)])
            defer { try? connection.execute("DETACH DATABASE shard") }
            results += try connection.immediateTransaction { try merge(shard, into: connection, runID: runID) }
        }
        try afterMerging(connection)
        let report = Report(files: results, seconds: Date().timeIntervalSince(started))
        try connection.run(
            """
            UPDATE ingest_runs SET finished_at = ?, files_loaded = ?, files_skipped = ?, files_failed = ?, rows = ?,
                exit_code = ? WHERE run_id = ?
            """,
            [
                .text(WallClock.nowISO8601()), .integer(Int64(report.count(.merged) + report.count(.replaced))),
                .integer(Int64(report.count(.alreadyMerged))),
                .integer(Int64(report.count(.refused) + report.count(.failed))),
                .integer(results.reduce(0) { $0 + $1.rows }), .integer(Int64(report.exitStatus.rawValue)),
                .integer(runID),
            ])
        return report
    }

    /// Copies the files of the attached shard `shard` into `connection`'s main database.
    func merge(_ shard: String, into connection: Connection, runID: Int64) throws -> [FileResult] {
        try connection.execute(
            "INSERT OR IGNORE INTO main.models (name) SELECT name FROM shard.models ORDER BY model_id")
        try connection.execute("DROP TABLE IF EXISTS temp.shard_models")
        try connection.execute(
            """
            CREATE TEMP TABLE shard_models AS
            SELECT s.model_id AS shard_id, m.model_id AS target_id FROM shard.models s JOIN main.models m ON m.name = s.name
            """)
        let offset = try connection.utcOffsetMinutes()
        let registry = SourceFileRegistry(connection: connection)
        let columns = try CopiedColumns(connection)
        /// Copies the shard's registry row of a file as a new row of the target; returns its id.
        func insertRegistryRow(_ shardFileID: Int64) throws -> Int64 {
            try connection.run(
                """
                INSERT INTO main.source_files (\(columns.registry.joined(separator: ", ")), run_id)
                SELECT \(columns.registry.joined(separator: ", ")), ? FROM shard.source_files WHERE file_id = ?
                """, [.integer(runID), .integer(shardFileID)])
            return connection.lastInsertRowID
        }
        let files = try connection.query(
            """
            SELECT file_id, path, fingerprint, status, rows, loaded_at, first_rowid, last_rowid, raw_rows,
                first_ts_us, last_ts_us
            FROM shard.source_files ORDER BY path
            """)
        // Files acknowledged as bad in the target stay out of it, whichever shard loaded them.
        let quarantined = Quarantine.reasonsByPath(try Quarantine(connection: connection).list())
        var results: [FileResult] = []
        for file in files {
            let path = try file.text("path")
            let fingerprint = try file.text("fingerprint")
            let shardFileID = try file.int("file_id")
            let existing = try registry.entry(path: path)
            func result(_ status: FileResult.Status, rows: Int64 = 0, _ note: String? = nil) {
                results.append(FileResult(shard: shard, path: path, status: status, rows: rows, note: note))
            }
            if let reason = quarantined[Quarantine.key(path)] {
                result(.quarantined, reason)
                continue
            }
            if try file.text("status") == "failed" {
                if existing == nil { _ = try insertRegistryRow(shardFileID) }
                result(.failed, "failed in its shard: see v_source_files")
                continue
            }
            if let existing, existing.fingerprint == fingerprint {
                result(.alreadyMerged)
                continue
            }
            if let holder = try registry.entryHoldingRows(fingerprint: fingerprint) {
                result(.alreadyMerged, "same content as \(holder.path)")
                continue
            }
            if let existing, existing.holdsRows, try existing.loadedAt > file.text("loaded_at") {
                result(
                    .refused, "the target's content at this path was loaded later than the shard's: merge a newer shard"
                )
                continue
            }
            let fileID: Int64
            if let existing {
                fileID = existing.fileID
                try registry.clearRows(of: existing, utcOffsetMinutes: offset)
                let assignments = columns.registry.map { "\($0) = s.\($0)" }.joined(separator: ", ")
                try connection.run(
                    """
                    UPDATE main.source_files SET \(assignments), run_id = ?, first_rowid = NULL, last_rowid = NULL
                    FROM (SELECT * FROM shard.source_files WHERE file_id = ?) s WHERE main.source_files.file_id = ?
                    """, [.integer(runID), .integer(shardFileID), .integer(fileID)])
            } else {
                fileID = try insertRegistryRow(shardFileID)
            }
            try copyRows(from: file, shardFileID: shardFileID, to: fileID, minuteColumns: columns.minutes, connection)
            try registry.markDaysDirty(fileID: fileID, utcOffsetMinutes: offset)
            result(existing == nil ? .merged : .replaced, rows: try file.int("rows"))
        }
        try connection.execute("DROP TABLE temp.shard_models")
        return results
    }

    /// The columns copied as they are: the registry's but its ids and the rowid range, and the
    /// minute rollups' but the file and model ids. Read from the schema once a shard.
    struct CopiedColumns {
        let registry: [String]
        let minutes: [String]

        init(_ connection: Connection) throws {
            func names(_ table: String) throws -> [String] {
                try connection.query("SELECT name FROM pragma_table_info(?)", [.text(table)]).map {
                    try $0.text("name")
                }
            }
            registry = try names("source_files").filter {
                !["file_id", "run_id", "first_rowid", "last_rowid"].contains($0)
            }
            minutes = try names("request_minutes").filter { $0 != "file_id" && $0 != "model_id" }
        }
    }

    /// Copies one file's rollups, rejects, skipped-line counts and raw rows under `fileID`.
    private func copyRows(
        from file: Row, shardFileID: Int64, to fileID: Int64, minuteColumns: [String], _ connection: Connection
    ) throws {
        let rollups = SourceFileRegistry.minuteRollups(
            of: shardFileID, span: try SourceFileRegistry.span(of: file), alias: "r")
        try connection.run(
            """
            INSERT INTO main.request_minutes (file_id, model_id, \(minuteColumns.joined(separator: ", ")))
            SELECT ?, m.target_id, \(minuteColumns.map { "r.\($0)" }.joined(separator: ", "))
            FROM shard.request_minutes r JOIN temp.shard_models m ON m.shard_id = r.model_id
            WHERE \(rollups.condition)
            """, [.integer(fileID)] + rollups.arguments)
        try connection.run(
            "INSERT INTO main.rejects (file_id, line, reason, excerpt) SELECT ?, line, reason, excerpt FROM shard.rejects WHERE file_id = ?",
            [.integer(fileID), .integer(shardFileID)])
        try connection.run(
            "INSERT INTO main.source_file_skips (file_id, kind, lines) SELECT ?, kind, lines FROM shard.source_file_skips WHERE file_id = ?",
            [.integer(fileID), .integer(shardFileID)])
        guard let first = try file.optionalInt("first_rowid"), let last = try file.optionalInt("last_rowid"),
            try file.int("raw_rows") > 0
        else { return }
        let before = try connection.scalar("SELECT IFNULL(MAX(rowid), 0) FROM main.requests")?.integer ?? 0
        try connection.run(
            """
            INSERT INTO main.requests (file_id, line, ts_us, model_id, prompt_tokens, cached_tokens, output_tokens, status)
            SELECT ?, r.line, r.ts_us, m.target_id, r.prompt_tokens, r.cached_tokens, r.output_tokens, r.status
            FROM shard.requests r JOIN temp.shard_models m ON m.shard_id = r.model_id
            WHERE r.rowid BETWEEN ? AND ? AND r.file_id = ? ORDER BY r.rowid
            """, [.integer(fileID), .integer(first), .integer(last), .integer(shardFileID)])
        let copied = connection.changes
        guard copied > 0 else { return }
        try connection.run(
            "UPDATE main.source_files SET first_rowid = ?, last_rowid = ? WHERE file_id = ?",
            [.integer(before + 1), .integer(before + copied), .integer(fileID)])
    }
}
