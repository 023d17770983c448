import CSQLite

/// An open SQLite database. Closed when released; use from one thread at a time.
public final class Connection {
    let handle: OpaquePointer
    public let path: String

    /// SQLite's process-wide settings, applied once before the first connection opens.
    private static let configured: Bool = {
        _ = phasecast_sqlite_disable_memory_statistics()
        return true
    }()

    /// Opens (creating if needed) the database at `path`.
    public init(path: String, readOnly: Bool = false) throws(SQLiteError) {
        _ = Connection.configured
        var db: OpaquePointer?
        let flags =
            (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &db, flags, nil)
        guard code == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: code, message: "\(path): \(message)")
        }
        handle = db
        self.path = path
        sqlite3_extended_result_codes(db, 1)
        try LengthHistogramSQL.register(on: self)
        try MinutePeakSQL.register(on: self)
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    func error(_ code: Int32, sql: String?) -> SQLiteError {
        SQLiteError(code: code, message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }

    /// Runs one or more statements that return no rows.
    public func execute(_ sql: String) throws(SQLiteError) {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        guard code == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(message)
            throw SQLiteError(code: code, message: text, sql: sql)
        }
    }

    /// Prepares a statement.
    public func prepare(_ sql: String) throws(SQLiteError) -> Statement {
        try Statement(connection: self, sql: sql)
    }

    /// Runs a statement with bindings and returns all its rows.
    public func rows(_ sql: String, _ arguments: [SQLValue] = []) throws(SQLiteError) -> [[SQLValue]] {
        let statement = try prepare(sql)
        statement.bind(arguments)
        var result: [[SQLValue]] = []
        while try statement.step() {
            result.append((0..<statement.columnCount).map { statement.value($0) })
        }
        return result
    }

    /// Runs a statement with bindings and returns its rows keyed by column name.
    public func records(_ sql: String, _ arguments: [SQLValue] = []) throws(SQLiteError) -> [[String: SQLValue]] {
        let statement = try prepare(sql)
        statement.bind(arguments)
        let names = (0..<statement.columnCount).map { statement.columnName($0) }
        var result: [[String: SQLValue]] = []
        while try statement.step() {
            var record: [String: SQLValue] = [:]
            for (index, name) in names.enumerated() { record[name] = statement.value(Int32(index)) }
            result.append(record)
        }
        return result
    }

    /// The first column of the first row, or nil when there is no row.
    public func scalar(_ sql: String, _ arguments: [SQLValue] = []) throws(SQLiteError) -> SQLValue? {
        try rows(sql, arguments).first?.first
    }

    /// Runs a statement with bindings that returns no rows.
    public func run(_ sql: String, _ arguments: [SQLValue] = []) throws(SQLiteError) {
        let statement = try prepare(sql)
        statement.bind(arguments)
        try statement.run()
    }

    /// The rowid of the last inserted row.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Rows changed by the last statement.
    public var changes: Int64 { Int64(sqlite3_changes64(handle)) }

    /// Whether a transaction is open.
    public var inTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// How long to wait for another connection's lock before failing with SQLITE_BUSY.
    public func setBusyTimeout(milliseconds: Int32) {
        sqlite3_busy_timeout(handle, milliseconds)
    }

    /// `PRAGMA user_version`: the schema version the migrations reached.
    public var userVersion: Int64 {
        get throws(SQLiteError) { try scalar("PRAGMA user_version")?.integer ?? 0 }
    }

    /// Runs `body` in a transaction that takes the write lock at once (BEGIN IMMEDIATE);
    /// commits when it returns and rolls back when it throws.
    public func immediateTransaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            if inTransaction { try? execute("ROLLBACK") }
            throw error
        }
    }
}
