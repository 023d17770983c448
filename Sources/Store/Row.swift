import CSQLite

/// One row of a query's result, read by column name through typed accessors that throw a
/// `SQLiteError` naming the column and the statement when the column is missing, NULL where a
/// value is required, or of the wrong type. Schema drift fails loudly instead of reading as 0.
public struct Row: Sendable {
    /// Column names and their positions, shared by the rows of one result.
    public let columns: ColumnIndex
    public let values: [SQLValue]

    /// The statement's column names, looked up once per result.
    public final class ColumnIndex: Sendable {
        public let names: [String]
        let positions: [String: Int]
        let sql: String

        init(names: [String], sql: String) {
            self.names = names
            var positions: [String: Int] = [:]
            for (index, name) in names.enumerated() where positions[name] == nil { positions[name] = index }
            self.positions = positions
            self.sql = sql
        }
    }

    /// The value of `column` as stored, NULL included.
    public func value(_ column: String) throws(SQLiteError) -> SQLValue {
        guard let index = columns.positions[column] else {
            throw failure("no column '\(column)' in the result (columns: \(columns.names.joined(separator: ", ")))")
        }
        return values[index]
    }

    /// An integer column (a real with no fraction counts); NULL throws.
    public func int(_ column: String) throws(SQLiteError) -> Int64 {
        guard let value = try optionalInt(column) else { throw failure("column '\(column)' is NULL") }
        return value
    }

    /// An integer column, nil for NULL.
    public func optionalInt(_ column: String) throws(SQLiteError) -> Int64? {
        let value = try value(column)
        if case .null = value { return nil }
        guard let integer = value.integer else { throw mismatch(column, value, expected: "an integer") }
        return integer
    }

    /// A numeric column (integer or real); NULL throws.
    public func double(_ column: String) throws(SQLiteError) -> Double {
        guard let value = try optionalDouble(column) else { throw failure("column '\(column)' is NULL") }
        return value
    }

    /// A numeric column, nil for NULL.
    public func optionalDouble(_ column: String) throws(SQLiteError) -> Double? {
        let value = try value(column)
        if case .null = value { return nil }
        guard let real = value.real else { throw mismatch(column, value, expected: "a number") }
        return real
    }

    /// A text column; NULL throws.
    public func text(_ column: String) throws(SQLiteError) -> String {
        guard let value = try optionalText(column) else { throw failure("column '\(column)' is NULL") }
        return value
    }

    /// A text column, nil for NULL.
    public func optionalText(_ column: String) throws(SQLiteError) -> String? {
        let value = try value(column)
        if case .null = value { return nil }
        guard let text = value.text else { throw mismatch(column, value, expected: "text") }
        return text
    }

    /// A text column holding one of an enumeration's raw values; NULL or another value throws.
    public func value<T: RawRepresentable>(_ type: T.Type, _ column: String) throws(SQLiteError) -> T
    where T.RawValue == String {
        let text = try text(column)
        guard let value = T(rawValue: text) else {
            throw failure("column '\(column)' holds '\(text)', which is not a known \(T.self)")
        }
        return value
    }

    /// A 0/1 column as a Bool; NULL throws.
    public func bool(_ column: String) throws(SQLiteError) -> Bool { try int(column) != 0 }

    private func mismatch(_ column: String, _ value: SQLValue, expected: String) -> SQLiteError {
        let kind: String
        switch value {
        case .null: kind = "NULL"
        case .integer: kind = "an integer"
        case .real: kind = "a real"
        case .text: kind = "text"
        case .blob: kind = "a blob"
        }
        return failure("column '\(column)' holds \(kind), expected \(expected)")
    }

    private func failure(_ message: String) -> SQLiteError {
        SQLiteError(code: SQLITE_MISMATCH, message: message, sql: columns.sql)
    }
}

extension Connection {
    /// Runs a statement with bindings and returns its rows, read by column name.
    public func query(_ sql: String, _ arguments: [SQLValue] = []) throws(SQLiteError) -> [Row] {
        let statement = try prepare(sql)
        statement.bind(arguments)
        let columns = Row.ColumnIndex(
            names: (0..<statement.columnCount).map { statement.columnName($0) }, sql: sql)
        var result: [Row] = []
        while try statement.step() {
            result.append(Row(columns: columns, values: (0..<statement.columnCount).map { statement.value($0) }))
        }
        return result
    }

    /// The first row of a query, or nil when it has none.
    public func queryFirst(_ sql: String, _ arguments: [SQLValue] = []) throws(SQLiteError) -> Row? {
        try query(sql, arguments).first
    }

    /// The one row of a query that always returns one (an aggregate); throws when it returns none.
    public func queryOne(_ sql: String, _ arguments: [SQLValue] = []) throws(SQLiteError) -> Row {
        guard let row = try queryFirst(sql, arguments) else {
            throw SQLiteError(code: SQLITE_MISMATCH, message: "the query returned no row", sql: sql)
        }
        return row
    }
}
