import PhasecastCore
import PhasecastResources
import Store

/// Loads the reference data of `Pipelines/seeds` into their tables. A seed's columns are the
/// table's; rows are keyed by the table's primary key and marked `origin = 'seed'`. Seed rows are
/// refreshed on every load; rows a user added (any other origin) are left alone, and a seed row a
/// user took over (by changing its origin) is no longer refreshed.
public enum SeedLoader {
    /// Seed file, table and key columns.
    public static let seeds: [(file: String, table: String, key: [String])] = [
        ("Pipelines/seeds/gpus.csv", "gpus", ["name"]),
        ("Pipelines/seeds/llms.csv", "llms", ["name"]),
        ("Pipelines/seeds/calibration.csv", "calibration", ["engine", "vendor", "architecture", "precision"]),
    ]

    /// Loads every seed compiled into phasecast; returns the number of rows written.
    @discardableResult
    public static func loadBundled(into connection: Connection) throws -> Int {
        var written = 0
        for seed in seeds {
            guard let text = EmbeddedFiles.text(at: seed.file) else { continue }
            written += try load(text, file: seed.file, table: seed.table, key: seed.key, into: connection)
        }
        return written
    }

    /// Loads one seed CSV into `table`.
    public static func load(
        _ text: String, file: String, table: String, key: [String], into connection: Connection
    ) throws
        -> Int
    {
        let csv: CSVTable
        do {
            csv = try CSVTable(text: text)
        } catch {
            throw TransformError.seedFailed(file: file, line: error.line, reason: error.reason)
        }
        let info = try connection.query(
            "SELECT name, \"notnull\" AS required FROM pragma_table_info(?)", [.text(table)])
        let tableColumns = Set(try info.map { try $0.text("name") })
        // An empty cell is NULL, or empty text where the column cannot be NULL.
        let required = Set(try info.filter { try $0.bool("required") }.map { try $0.text("name") })
        for column in csv.header where !tableColumns.contains(column) {
            throw TransformError.seedFailed(file: file, line: 1, reason: "column \(column) is not in table \(table)")
        }
        let columns = csv.header + ["origin"]
        let updates = csv.header.filter { !key.contains($0) }.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        let statement = try connection.prepare(
            """
            INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))
            ON CONFLICT (\(key.joined(separator: ", "))) DO UPDATE SET \(updates) WHERE \(table).origin = 'seed'
            """)
        for row in csv.rows.indices {
            var values: [SQLValue] = csv.header.indices.map { index in
                let cell = csv.rows[row][index].trimmingSpaces()
                if cell.isEmpty { return required.contains(csv.header[index]) ? .text("") : .null }
                if let integer = Int64(cell) { return .integer(integer) }
                if let real = Double(cell) { return .real(real) }
                return .text(cell)
            }
            values.append(.text("seed"))
            statement.bind(values)
            do {
                try statement.run()
            } catch  where error.exitStatus == .ioError || error.exitStatus == .tempFail {
                // A full disk or a lock is the machine's, not the seed's: exit 74 or 75, not 78.
                throw error
            } catch {
                throw TransformError.seedFailed(file: file, line: csv.lines[row], reason: error.description)
            }
        }
        return csv.rows.count
    }
}
