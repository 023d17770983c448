import Foundation

/// One SQL model of `Pipelines/models`: a SELECT that fills a table (or defines a view), and the
/// header comment that says what it is.
///
/// ```sql
/// -- int_model_days: daily sums per model.        (name, as the file's, and a summary)
/// -- grain: one row per (day, model_id)
/// -- materialized: incremental                    (view | table | incremental)
/// -- depends_on: int_model_hours                  (models read, comma-separated)
/// -- test days equal their hours: SELECT …        (SQL that must return no rows)
/// SELECT …
/// ```
///
/// Incremental models are rebuilt for a range of days at a time; their SELECT reads the range
/// from the parameters `:from_day`, `:to_day` (inclusive), `:from_hour`, `:to_hour` and
/// `:from_minute`, `:to_minute` (exclusive), and their table has a `day` column. `{{utc_offset_minutes}}`
/// stands for the day boundary's offset from UTC. A test may read the same parameters: it then
/// checks each range of days rebuilt (all days in a full run) instead of the whole table.
public struct ModelFile: Sendable, Equatable {
    public enum Materialization: String, Sendable {
        case view, table, incremental
    }

    public struct Test: Sendable, Equatable {
        public var name: String
        public var sql: String
    }

    public var name: String
    /// The folder it came from: staging, intermediate or marts.
    public var layer: String
    public var summary: String
    public var grain: String
    public var materialization: Materialization
    public var dependencies: [String]
    public var tests: [Test]
    public var body: String
    /// Where it was read from, for messages.
    public var path: String

    /// Reads a model file; `path` names it in errors and gives its name and layer.
    public init(path: String, text: String) throws(TransformError) {
        self.path = path
        let components = path.split(separator: "/")
        let file = components.last.map(String.init) ?? path
        name = file.hasSuffix(".sql") ? String(file.dropLast(4)) : file
        layer = components.count >= 2 ? String(components[components.count - 2]) : ""
        summary = ""
        grain = ""
        var materialization: Materialization?
        var dependencies: [String]?
        tests = []
        var bodyLines: [Substring] = []
        var inHeader = true
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            guard inHeader, line.hasPrefix("--") else {
                if !line.trimmingCharacters(in: .whitespaces).isEmpty || !bodyLines.isEmpty { inHeader = false }
                if !inHeader { bodyLines.append(line) }
                continue
            }
            let content = line.dropFirst(2).trimmingCharacters(in: .whitespaces)
            if index == 0 {
                guard content.hasPrefix(name + ":") else {
                    throw .malformedModel(
                        path: path, line: number, reason: "the first line must be '-- \(name): <what it is>'")
                }
                summary = String(content.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces)
            } else if content.hasPrefix("grain:") {
                grain = String(content.dropFirst(6)).trimmingCharacters(in: .whitespaces)
            } else if content.hasPrefix("materialized:") {
                let value = String(content.dropFirst(13)).trimmingCharacters(in: .whitespaces)
                guard let parsed = Materialization(rawValue: value) else {
                    throw .malformedModel(
                        path: path, line: number,
                        reason: "materialized must be view, table or incremental, not '\(value)'")
                }
                materialization = parsed
            } else if content.hasPrefix("depends_on:") {
                dependencies = content.dropFirst(11).split(separator: ",").map {
                    $0.trimmingCharacters(in: .whitespaces)
                }
                .filter { !$0.isEmpty }
            } else if content.hasPrefix("test ") {
                guard let colon = content.firstIndex(of: ":") else {
                    throw .malformedModel(path: path, line: number, reason: "a test line is '-- test <name>: <SQL>'")
                }
                let testName = content[content.index(content.startIndex, offsetBy: 5)..<colon].trimmingCharacters(
                    in: .whitespaces)
                let sql = content[content.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                guard !testName.isEmpty, !sql.isEmpty else {
                    throw .malformedModel(path: path, line: number, reason: "a test needs a name and SQL")
                }
                tests.append(Test(name: testName, sql: sql))
            } else if !content.isEmpty, summary.isEmpty == false, grain.isEmpty, materialization == nil {
                // The summary continues on the next lines.
                summary += " " + content
            }
        }
        guard let materialization else {
            throw .malformedModel(path: path, line: 1, reason: "no '-- materialized:' line")
        }
        guard let dependencies else {
            throw .malformedModel(path: path, line: 1, reason: "no '-- depends_on:' line (leave it empty for none)")
        }
        guard !grain.isEmpty else { throw .malformedModel(path: path, line: 1, reason: "no '-- grain:' line") }
        self.materialization = materialization
        self.dependencies = dependencies
        body = bodyLines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !body.isEmpty else { throw .malformedModel(path: path, line: 1, reason: "no SQL after the header") }
    }

    /// The SQL with `{{utc_offset_minutes}}` filled in.
    func render(_ sql: String, utcOffsetMinutes: Int) -> String {
        sql.replacingOccurrences(of: "{{utc_offset_minutes}}", with: String(utcOffsetMinutes))
    }
}
