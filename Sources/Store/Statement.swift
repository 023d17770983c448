import CSQLite

/// A prepared SQLite statement. Finalized when released.
public final class Statement {
    let handle: OpaquePointer
    public let sql: String
    private unowned let connection: Connection

    init(connection: Connection, sql: String) throws(SQLiteError) {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v2(connection.handle, sql, -1, &statement, nil)
        guard code == SQLITE_OK, let statement else {
            throw connection.error(code, sql: sql)
        }
        self.handle = statement
        self.sql = sql
        self.connection = connection
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Binds an integer to the 1-based parameter `index`.
    @inline(__always)
    public func bind(_ value: Int64, at index: Int32) {
        sqlite3_bind_int64(handle, index, value)
    }

    /// Binds text (copied by SQLite) to the 1-based parameter `index`.
    public func bind(_ value: String, at index: Int32) {
        sqlite3_bind_text(handle, index, value, -1, phasecast_sqlite_transient())
    }

    /// Binds bytes (copied by SQLite) as a BLOB to the 1-based parameter `index`.
    public func bind(_ bytes: [UInt8], at index: Int32) {
        _ = bytes.withUnsafeBytes {
            sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), phasecast_sqlite_transient())
        }
    }

    /// Binds a double to the 1-based parameter `index`.
    public func bind(_ value: Double, at index: Int32) {
        sqlite3_bind_double(handle, index, value)
    }

    /// Binds NULL to the 1-based parameter `index`.
    public func bindNull(at index: Int32) {
        sqlite3_bind_null(handle, index)
    }

    /// Binds any value to the 1-based parameter `index`.
    public func bind(_ value: SQLValue, at index: Int32) {
        switch value {
        case .null: bindNull(at: index)
        case .integer(let v): bind(v, at: index)
        case .real(let v): bind(v, at: index)
        case .text(let v): bind(v, at: index)
        case .blob(let bytes): bind(bytes, at: index)
        }
    }

    /// Binds values to parameters 1, 2, …
    public func bind(_ values: [SQLValue]) {
        for (offset, value) in values.enumerated() { bind(value, at: Int32(offset + 1)) }
    }

    /// Runs one step: true when a row is ready, false when done.
    @inline(__always)
    public func step() throws(SQLiteError) -> Bool {
        let code = sqlite3_step(handle)
        if code == SQLITE_ROW { return true }
        if code == SQLITE_DONE { return false }
        throw connection.error(code, sql: sql)
    }

    /// Runs the statement to completion and resets it for reuse, keeping its bindings.
    @inline(__always)
    public func run() throws(SQLiteError) {
        let code = sqlite3_step(handle)
        sqlite3_reset(handle)
        guard code == SQLITE_DONE || code == SQLITE_ROW else { throw connection.error(code, sql: sql) }
    }

    /// Resets the statement so that it can run again.
    public func reset() {
        sqlite3_reset(handle)
    }

    /// Clears all bindings to NULL.
    public func clearBindings() {
        sqlite3_clear_bindings(handle)
    }

    public var columnCount: Int32 { sqlite3_column_count(handle) }

    /// How many parameters (`?`, `:name`) the statement takes.
    public var parameterCount: Int32 { sqlite3_bind_parameter_count(handle) }

    public func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    public func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }

    public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    public func text(_ column: Int32) -> String? {
        guard let pointer = sqlite3_column_text(handle, column) else { return nil }
        return String(cString: pointer)
    }

    /// The column as a value of its stored type.
    public func value(_ column: Int32) -> SQLValue {
        switch sqlite3_column_type(handle, column) {
        case SQLITE_INTEGER: return .integer(int64(column))
        case SQLITE_FLOAT: return .real(double(column))
        case SQLITE_TEXT: return .text(text(column) ?? "")
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(handle, column))
            guard let pointer = sqlite3_column_blob(handle, column), count > 0 else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: pointer, count: count)))
        default: return .null
        }
    }

    /// The name of a result column.
    public func columnName(_ column: Int32) -> String {
        String(cString: sqlite3_column_name(handle, column))
    }
}

extension Statement {
    /// Binds an integer to the parameter `name` (`:name`), when the statement has it.
    public func bind(_ value: Int64, named name: String) {
        let index = sqlite3_bind_parameter_index(handle, name)
        if index > 0 { sqlite3_bind_int64(handle, index, value) }
    }
}
