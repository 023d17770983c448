import Foundation
import PhasecastCore
import PhasecastResources
import Store

/// Runs the SQL models in dependency order, incrementally by day: only the days whose minute
/// rollups changed since the last run (the `dirty_days` ingest records), plus the days the
/// observed span gained or whose coverage changed, are rebuilt. After each model its tests run;
/// a failing test undoes the whole transform.
public struct Transformer {
    public let connection: Connection
    public let models: [ModelFile]

    /// What a run did.
    public struct Summary: Sendable, Equatable {
        public var mode: String
        public var daysRebuilt: Int
        public var models: [String]
        public var seconds: Double
    }

    /// Orders `models` by their dependencies; throws on an unknown dependency or a cycle.
    public init(connection: Connection, models: [ModelFile]) throws(TransformError) {
        self.connection = connection
        self.models = try Self.ordered(models)
    }

    /// The models of `Pipelines/models` compiled into phasecast.
    public static func bundledModels() throws(TransformError) -> [ModelFile] {
        var models: [ModelFile] = []
        for path in EmbeddedFiles.paths(under: "Pipelines/models") where path.hasSuffix(".sql") {
            models.append(try ModelFile(path: path, text: EmbeddedFiles.text(at: path) ?? ""))
        }
        return models
    }

    /// The models of a directory laid out as `Pipelines/models` (staging, intermediate, marts).
    public static func models(in directory: String) throws -> [ModelFile] {
        let root = URL(fileURLWithPath: directory)
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
            throw TransformError.malformedModel(path: directory, line: 0, reason: "cannot list the directory")
        }
        var models: [ModelFile] = []
        for case let url as URL in walker where url.pathExtension == "sql" {
            let text = try String(contentsOf: url, encoding: .utf8)
            models.append(try ModelFile(path: url.path, text: text))
        }
        return models
    }

    static func ordered(_ models: [ModelFile]) throws(TransformError) -> [ModelFile] {
        var byName: [String: ModelFile] = [:]
        for model in models { byName[model.name] = model }
        for model in models {
            for dependency in model.dependencies where byName[dependency] == nil {
                throw .unknownDependency(model: model.name, dependency: dependency)
            }
        }
        var result: [ModelFile] = []
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        func visit(_ name: String, _ path: [String]) throws(TransformError) {
            if state[name] == 2 { return }
            if state[name] == 1 { throw .cycle(path + [name]) }
            guard let model = byName[name] else { throw .unknownDependency(model: path.last ?? name, dependency: name) }
            state[name] = 1
            for dependency in model.dependencies { try visit(dependency, path + [name]) }
            state[name] = 2
            result.append(model)
        }
        for model in models.sorted(by: { $0.name < $1.name }) { try visit(model.name, []) }
        return result
    }

    /// Runs every model: incrementally (the days that changed), or from scratch with `full`.
    public func run(full: Bool = false) throws -> Summary {
        let started = Date()
        let offset = try Self.utcOffsetMinutes(connection)
        // The hourly model's GROUP BY sorts every minute row of the days rebuilt: let SQLite's
        // sorter merge on the other cores.
        try connection.execute("PRAGMA threads = \(min(max(ProcessInfo.processInfo.activeProcessorCount, 1), 8))")
        let runID = try beginRun(full: full)
        do {
            let summary = try connection.immediateTransaction { () throws -> Summary in
                let ranges = try dayRanges(full: full, offset: offset)
                for model in models { try materialize(model, ranges: ranges, offset: offset) }
                for model in models { try test(model, ranges: ranges, offset: offset) }
                try connection.execute("DELETE FROM dirty_days")
                let days = ranges.reduce(0) { $0 + Int($1.upperBound - $1.lowerBound + 1) }
                return Summary(
                    mode: full ? "full" : "incremental", daysRebuilt: days, models: models.map(\.name),
                    seconds: Date().timeIntervalSince(started))
            }
            try finishRun(runID, status: "done", days: summary.daysRebuilt, error: nil)
            return summary
        } catch {
            try? finishRun(runID, status: "failed", days: 0, error: String(describing: error))
            throw error
        }
    }

    /// Creates (or replaces) the view models alone, without rebuilding any table: for a database
    /// whose tables are filled by other means (the bench) and that still wants the costed views.
    public func createViews() throws {
        let offset = try Self.utcOffsetMinutes(connection)
        for model in models where model.materialization == .view {
            try materialize(model, ranges: [], offset: offset)
        }
    }

    /// The day boundary's offset from UTC, in minutes (setting `utc_offset_minutes`, default 0).
    public static func utcOffsetMinutes(_ connection: Connection) throws -> Int {
        Int(try connection.utcOffsetMinutes())
    }

    /// The days to rebuild, as contiguous ranges: the dirty days, the days the observed span
    /// gained, and its old and new first and last days (their coverage changes). Days that left
    /// the span are deleted from the incremental models here.
    func dayRanges(full: Bool, offset: Int) throws -> [ClosedRange<Int64>] {
        let span = try connection.queryOne(
            // MIN and MAX in subqueries of their own: each is then one probe of the minute index.
            """
            SELECT ((SELECT MIN(minute) FROM request_minutes) + ?) / 1440 AS first,
                ((SELECT MAX(minute) FROM request_minutes) + ?) / 1440 AS last
            """,
            [.integer(Int64(offset)), .integer(Int64(offset))])
        let previous = try connection.queryOne(
            """
            SELECT (SELECT value FROM settings WHERE key = 'span_first_day') AS first,
                (SELECT value FROM settings WHERE key = 'span_last_day') AS last
            """)
        let oldFirst = try previous.optionalText("first").flatMap { Int64($0) }
        let oldLast = try previous.optionalText("last").flatMap { Int64($0) }
        guard let first = try span.optionalInt("first"), let last = try span.optionalInt("last") else {
            // No traffic at all: empty every incremental model.
            for model in models where model.materialization == .incremental {
                try connection.execute("DELETE FROM \(model.name)")
            }
            try setSpan(nil)
            return []
        }
        var days = Set<Int64>()
        if full {
            for model in models where model.materialization == .incremental {
                try connection.execute("DELETE FROM \(model.name)")
            }
            days = Set(first...last)
        } else {
            for row in try connection.query(
                "SELECT day FROM dirty_days WHERE day BETWEEN ? AND ?", [.integer(first), .integer(last)])
            {
                days.insert(try row.int("day"))
            }
            // An end of the span that moved changes the coverage of its old and new day; the
            // other end's days are as they were (a night that adds a day leaves the first alone).
            var movedEnds: [Int64?] = []
            if oldFirst != first { movedEnds += [oldFirst, first] }
            if oldLast != last { movedEnds += [oldLast, last] }
            for day in movedEnds.compactMap({ $0 }) where (first...last).contains(day) { days.insert(day) }
            if let oldFirst, let oldLast {
                for day in first...last where day < oldFirst || day > oldLast { days.insert(day) }
                // Days outside the new span go.
                for model in models where model.materialization == .incremental {
                    try connection.run(
                        "DELETE FROM \(model.name) WHERE day < ? OR day > ?", [.integer(first), .integer(last)])
                }
            } else {
                days = Set(first...last)
            }
        }
        try setSpan((first, last))
        // Coalesce into ranges.
        var ranges: [ClosedRange<Int64>] = []
        for day in days.sorted() {
            if let lastRange = ranges.last, lastRange.upperBound + 1 == day {
                ranges[ranges.count - 1] = lastRange.lowerBound...day
            } else {
                ranges.append(day...day)
            }
        }
        return ranges
    }

    private func setSpan(_ span: (Int64, Int64)?) throws {
        if let span {
            try connection.run(
                "INSERT INTO settings (key, value) VALUES ('span_first_day', ?), ('span_last_day', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [.text(String(span.0)), .text(String(span.1))])
        } else {
            try connection.execute("DELETE FROM settings WHERE key IN ('span_first_day', 'span_last_day')")
        }
    }

    /// Builds one model: a view once, a table from scratch, an incremental table range by range.
    func materialize(_ model: ModelFile, ranges: [ClosedRange<Int64>], offset: Int) throws {
        let body = model.render(model.body, utcOffsetMinutes: offset)
        do {
            switch model.materialization {
            case .view:
                try connection.execute("DROP VIEW IF EXISTS \(model.name)")
                try connection.execute("CREATE VIEW \(model.name) AS \(body)")
            case .table:
                let columns = try tableColumns(model.name)
                try connection.execute("DELETE FROM \(model.name)")
                try connection.execute(
                    "INSERT INTO \(model.name) (\(columns.joined(separator: ", "))) SELECT \(columns.joined(separator: ", ")) FROM (\(body))"
                )
            case .incremental:
                let columns = try tableColumns(model.name)
                let delete = try connection.prepare("DELETE FROM \(model.name) WHERE day BETWEEN :from_day AND :to_day")
                let insert = try connection.prepare(
                    "INSERT INTO \(model.name) (\(columns.joined(separator: ", "))) SELECT \(columns.joined(separator: ", ")) FROM (\(body))"
                )
                for range in ranges {
                    for statement in [delete, insert] {
                        bindRange(statement, range, offset: offset)
                        try statement.run()
                        statement.clearBindings()
                    }
                }
            }
        } catch let error as SQLiteError {
            throw TransformError.modelFailed(model: model.name, message: error.description, status: error.exitStatus)
        }
    }

    /// Binds the range parameters a statement names.
    private func bindRange(_ statement: Statement, _ range: ClosedRange<Int64>, offset: Int) {
        let first = range.lowerBound
        let last = range.upperBound
        let values: [String: Int64] = [
            ":from_day": first, ":to_day": last, ":from_hour": first * 24, ":to_hour": (last + 1) * 24,
            ":from_minute": first * 1440 - Int64(offset), ":to_minute": (last + 1) * 1440 - Int64(offset),
        ]
        for (name, value) in values { statement.bind(value, named: name) }
    }

    private func tableColumns(_ table: String) throws -> [String] {
        let columns = try connection.query("SELECT name FROM pragma_table_info(?)", [.text(table)]).map {
            try $0.text("name")
        }
        guard !columns.isEmpty else {
            throw TransformError.modelFailed(model: table, message: "no table \(table) in the schema (Schemas/)")
        }
        return columns
    }

    /// Runs a model's tests; the first that returns rows fails the transform. A test that reads
    /// the range parameters (`:from_day`, …) checks the days rebuilt, once per range (days built
    /// earlier were checked then), so a night's tests cost what its days cost; one without them
    /// checks the whole table every run.
    func test(_ model: ModelFile, ranges: [ClosedRange<Int64>], offset: Int) throws {
        for test in model.tests {
            let statement: Statement
            do {
                statement = try connection.prepare(model.render(test.sql, utcOffsetMinutes: offset))
            } catch {
                throw TransformError.modelFailed(
                    model: model.name, message: "test '\(test.name)': \(error.description)")
            }
            let ranged = statement.parameterCount > 0
            for range in ranged ? ranges.map(Optional.some) : [nil] {
                if let range { bindRange(statement, range, offset: offset) }
                var rows: [[SQLValue]] = []
                while try statement.step(), rows.count < 5 {
                    rows.append((0..<statement.columnCount).map { statement.value($0) })
                }
                statement.reset()
                if !rows.isEmpty {
                    let columns = (0..<statement.columnCount).map { statement.columnName($0) }
                    throw TransformError.testFailed(model: model.name, test: test.name, columns: columns, rows: rows)
                }
            }
        }
    }

    private func beginRun(full: Bool) throws -> Int64 {
        try connection.run(
            "INSERT INTO transform_runs (started_at, mode, status) VALUES (?, ?, 'running')",
            [
                .text(WallClock.nowISO8601()),
                .text(full ? "full" : "incremental"),
            ])
        return connection.lastInsertRowID
    }

    private func finishRun(_ runID: Int64, status: String, days: Int, error: String?) throws {
        try connection.run(
            "UPDATE transform_runs SET finished_at = ?, status = ?, days_rebuilt = ?, error = ? WHERE run_id = ?",
            [
                .text(WallClock.nowISO8601()), .text(status),
                .integer(Int64(days)), error.map { .text($0) } ?? .null, .integer(runID),
            ])
    }
}
