import PhasecastCore
import Store

/// Deletes raw request rows that are older than a retention window. Rollups are untouched, so
/// every total stays exact.
enum RawRetention {
    /// Deletes raw rows more than `keepDays` days older than the newest request in the database;
    /// returns how many. Measuring from the newest request, not the clock, keeps a backfill of
    /// old logs from being deleted as it loads.
    static func prune(_ connection: Connection, keepDays: Int) throws -> Int64 {
        guard
            let newest = try connection.queryOne(
                "SELECT MAX(last_ts_us) AS newest FROM source_files WHERE status <> 'failed'"
            ).optionalInt("newest")
        else { return 0 }
        let cutoff = newest - Int64(keepDays) * UTCTime.microsPerDay
        let files = try connection.query(
            """
            SELECT file_id, first_rowid, last_rowid FROM source_files
            WHERE raw_rows > 0 AND first_ts_us < ? AND first_rowid IS NOT NULL
            """, [.integer(cutoff)])
        var deleted: Int64 = 0
        try connection.immediateTransaction {
            for file in files {
                let id = try file.int("file_id")
                let first = try file.int("first_rowid")
                let last = try file.int("last_rowid")
                try connection.run(
                    "DELETE FROM requests WHERE rowid BETWEEN ? AND ? AND file_id = ? AND ts_us < ?",
                    [.integer(first), .integer(last), .integer(id), .integer(cutoff)])
                let removed = connection.changes
                deleted += removed
                try connection.run(
                    "UPDATE source_files SET raw_rows = raw_rows - ? WHERE file_id = ?",
                    [.integer(removed), .integer(id)])
            }
        }
        return deleted
    }
}
