import PhasecastCore
import PhasecastResources

/// One schema migration: a numbered SQL script.
public struct Migration: Sendable, Equatable {
    public let version: Int64
    public let name: String
    public let sql: String

    public init(version: Int64, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// The migrations in `Schemas/` (compiled into the binary), in order.
    public static var bundled: [Migration] {
        EmbeddedFiles.paths(under: "Schemas").compactMap { path in
            let file = path.split(separator: "/").last.map(String.init) ?? path
            guard file.hasSuffix(".sql"), let number = Int64(file.prefix(while: \.isNumber)),
                let sql = EmbeddedFiles.text(at: path)
            else { return nil }
            return Migration(version: number, name: String(file.dropLast(4)), sql: sql)
        }.sorted { $0.version < $1.version }
    }
}

/// Why migrating failed.
public enum MigrationError: PhasecastError, Equatable {
    /// The database was written by a newer phasecast.
    case newerSchema(database: Int64, known: Int64)

    public var description: String {
        switch self {
        case .newerSchema(let database, let known):
            "the database has schema version \(database), newer than this phasecast knows (\(known)); upgrade phasecast"
        }
    }

    /// The database does not fit this phasecast: a configuration problem of the installation.
    public var exitStatus: ExitStatus { .config }
}

/// Brings a database to the newest schema: applies, in order and each in its own transaction,
/// the migrations numbered above `PRAGMA user_version`, and sets it to each one's number.
public enum Migrator {
    /// Page size of new databases: larger pages make bulk loads and scans cheaper.
    public static let newDatabasePageSize = 8192

    /// Applies the pending migrations; returns the versions applied.
    @discardableResult
    public static func migrate(
        _ connection: Connection, migrations: [Migration] = Migration.bundled
    ) throws
        -> [Int64]
    {
        let current = try connection.userVersion
        let known = migrations.last?.version ?? 0
        guard current <= known else { throw MigrationError.newerSchema(database: current, known: known) }
        if current == 0, try connection.scalar("PRAGMA page_count")?.integer == 0 {
            try connection.execute("PRAGMA page_size = \(newDatabasePageSize)")
        }
        // Write-ahead logging: readers (sqlite3, Datasette, DuckDB) read while a file commits,
        // and a reader's open transaction never holds up a writer. Set once; it persists.
        if try connection.queryOne("PRAGMA journal_mode").text("journal_mode") != "wal" {
            try connection.execute("PRAGMA journal_mode = WAL")
        }
        var applied: [Int64] = []
        for migration in migrations where migration.version > current {
            try connection.immediateTransaction {
                // Another process may have migrated while this one waited for the lock.
                guard try connection.userVersion < migration.version else { return }
                try connection.execute(migration.sql)
                try connection.execute("PRAGMA user_version = \(migration.version)")
                applied.append(migration.version)
            }
        }
        return applied
    }
}
