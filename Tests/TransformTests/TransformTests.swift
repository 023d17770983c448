import Foundation
import Ingest
import LogFormats
import PhasecastCore
import Store
import TestSupport
import Testing

@testable import Transform

/// Loads files and runs the transform on a real database, as `phasecast ingest` does.
func load(_ database: String, _ inputs: [String], model: String = "unknown", start: Int64? = nil) throws {
    let options = IngestOptions(
        databasePath: database, inputs: inputs, parse: ParseOptions(start: start, defaultModel: model))
    _ = try Ingestor(options: options, showProgress: false, log: { _ in }).run()
}

func transform(_ database: String, full: Bool = false, models: [ModelFile]? = nil) throws -> Transformer.Summary {
    let connection = try Connection(path: database)
    try SeedLoader.loadBundled(into: connection)
    return try Transformer(connection: connection, models: models ?? Transformer.bundledModels()).run(full: full)
}

/// OpenAI lines of one model at `perMinute` requests a minute over the given minutes.
func openAIDay(start: Int64, minutes: Int, model: String = "m", seed: Int = 1) -> String {
    var lines: [String] = []
    for minute in 0..<minutes {
        let prompt = 500 + (minute * 37 + seed * 11) % 3000
        let output = 50 + (minute * 13 + seed) % 400
        let cached = minute % 3 == 0 ? prompt / 2 : 0
        lines.append(
            #"{"created":\#(start + Int64(minute * 60 + 5)),"model":"\#(model)","usage":{"prompt_tokens":\#(prompt),"completion_tokens":\#(output),"prompt_tokens_details":{"cached_tokens":\#(cached)}}}"#
        )
    }
    return lines.joined(separator: "\n") + "\n"
}

@Suite struct TransformTests {
    @Test func azureTracesGiveTheirPublishedTokenRatios() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("p.db")
        try load(db, [Fixtures.path("azure2023_code.csv.gz")], model: "code")
        try load(db, [Fixtures.path("azure2023_conv.csv.gz")], model: "conv")
        _ = try transform(db)
        let connection = try Connection(path: db)
        let ratios = try connection.rows(
            "SELECT model, printf('%.3g', token_ratio) FROM v_daily_phase WHERE model <> 'all' ORDER BY model")
        #expect(ratios == [["code", "73.4"], ["conv", "5.47"]])
    }

    @Test func theMooncakeTraceReportsTheRatioWithCachedTokensRemovedBesideTheRawOne() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("p.db")
        try load(db, [Fixtures.path("mooncake_conversation.jsonl.gz")], start: 1_717_200_000_000_000)
        _ = try transform(db)
        let row = try Connection(path: db).rows(
            "SELECT printf('%.4g', raw_token_ratio), printf('%.4g', token_ratio) FROM v_daily_phase WHERE model = 'all'"
        )
        // 144,793,823 / 4,122,048 raw; (144,793,823 − 53,069,685) / 4,122,048 without cached tokens.
        #expect(row == [["35.13", "22.25"]])
    }

    @Test func daysWithoutTrafficAppearWithZerosAndPartialDaysWithTheirCoverage() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("p.db")
        let day: Int64 = 86_400
        let start: Int64 = 1_762_000_000 / day * day + 6 * 3600  // 06:00 UTC
        dir.write("a.jsonl", openAIDay(start: start, minutes: 60))
        dir.write("b.jsonl", openAIDay(start: start + 3 * day, minutes: 120))  // two empty days between
        try load(db, [dir.file("a.jsonl"), dir.file("b.jsonl")])
        _ = try transform(db)
        let rows = try Connection(path: db).rows(
            "SELECT day, coverage, requests FROM v_daily_phase WHERE model = 'all' ORDER BY day")
        #expect(rows.count == 4)
        #expect(rows.map { $0[2] } == [60, 0, 0, 120])
        #expect(rows[0][1].real.map { abs($0 - 18.0 / 24) < 1e-9 } == true)  // from 06:00 to midnight
        #expect(rows[1][1] == 1.0 && rows[2][1] == 1.0)
        #expect(rows[3][1].real.map { abs($0 - 8.0 / 24) < 1e-9 } == true)  // to the end of 07:59
        let hours = try Connection(path: db).scalar("SELECT count(*) FROM v_hourly_phase WHERE model = 'all'")?.integer
        #expect(hours == Int64(18 + 24 + 24 + 8))
    }

    /// Every row of every model table, for comparing databases.
    func contents(_ database: String) throws -> [String: [[SQLValue]]] {
        let connection = try Connection(path: database)
        var result: [String: [[SQLValue]]] = [:]
        let keys = [
            "int_model_hours": "hour, model_id", "int_model_days": "day, model_id", "int_day_spine": "day",
            "mart_hourly_phase": "hour, model_id", "mart_daily_phase": "day, model_id",
        ]
        for (table, key) in keys {
            result[table] = try connection.rows("SELECT * FROM \(table) ORDER BY \(key)")
        }
        result["v_daily_phase"] = try connection.rows("SELECT * FROM v_daily_phase ORDER BY day, model")
        return result
    }

    /// A full disk during a transform is an I/O error (74), as during ingest, not an internal
    /// one (70); the transform leaves the marts as they were. SQLite's page limit stands in for
    /// the disk.
    @Test func aFullDiskDuringATransformIsAnIOErrorAndChangesNothing() throws {
        let dir = TemporaryDirectory()
        let start: Int64 = 1_762_000_000 / 86_400 * 86_400
        dir.write("d.jsonl", openAIDay(start: start, minutes: 1440, model: "a"))
        let db = dir.file("p.db")
        try load(db, [dir.file("d.jsonl")])
        let connection = try Connection(path: db)
        let pages = try connection.scalar("PRAGMA page_count")?.integer ?? 0
        _ = try connection.scalar("PRAGMA max_page_count = \(pages + 2)")
        do {
            _ = try Transformer(connection: connection, models: Transformer.bundledModels()).run()
            Issue.record("the transform fitted in two pages")
        } catch let error as PhasecastError {
            #expect(error.exitStatus == .ioError, "\(error)")
        }
        #expect(try connection.scalar("SELECT COUNT(*) FROM mart_daily_phase")?.integer == 0)
    }

    @Test func anIncrementalTransformAfterAddingADayEqualsAFullRebuild() throws {
        let dir = TemporaryDirectory()
        let day: Int64 = 86_400
        let start: Int64 = 1_762_000_000 / day * day
        dir.write("d1.jsonl", openAIDay(start: start + 3600, minutes: 600, model: "a", seed: 1))
        dir.write("d2.jsonl", openAIDay(start: start + day, minutes: 1440, model: "b", seed: 2))
        dir.write("d4.jsonl", openAIDay(start: start + 3 * day + 7200, minutes: 300, model: "a", seed: 3))
        let incremental = dir.file("incremental.db")
        try load(incremental, [dir.file("d1.jsonl")])
        _ = try transform(incremental)
        try load(incremental, [dir.file("d2.jsonl")])
        let second = try transform(incremental)
        #expect(second.daysRebuilt == 2)  // the new day, and the old last day whose coverage grew
        try load(incremental, [dir.file("d4.jsonl")])
        // Days 1 (no longer the last), 2 (gained, empty) and 3 (new): not day 0, whose end did not move.
        #expect(try transform(incremental).daysRebuilt == 3)
        // Replacing a file rebuilds its days too.
        dir.write("d1.jsonl", openAIDay(start: start + 3600, minutes: 500, model: "a", seed: 9))
        try load(incremental, [dir.file("d1.jsonl")])
        _ = try transform(incremental)

        let full = dir.file("full.db")
        try load(full, [dir.file("d1.jsonl"), dir.file("d2.jsonl"), dir.file("d4.jsonl")])
        _ = try transform(full, full: true)
        let a = try contents(incremental)
        let b = try contents(full)
        for table in a.keys.sorted() {
            #expect(a[table] == b[table], "\(table) differs")
        }
        #expect(a["mart_daily_phase"]?.isEmpty == false)
    }

    @Test func aBrokenModelFailsItsTestWithTheModelsNameAndRows() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("p.db")
        dir.write("a.jsonl", openAIDay(start: 1_762_000_000, minutes: 90))
        try load(db, [dir.file("a.jsonl")])
        var models = try Transformer.bundledModels()
        let index = models.firstIndex { $0.name == "int_model_days" }!
        let broken = models[index].body.replacingOccurrences(
            of: "SUM(requests) AS requests", with: "SUM(requests) + 1 AS requests")
        #expect(broken != models[index].body)
        models[index].body = broken
        let error = #expect(throws: TransformError.self) { try transform(db, models: models) }
        guard case .testFailed(let model, let test, let columns, let rows) = error else {
            Issue.record("expected a failed test, got \(String(describing: error))")
            return
        }
        #expect(model == "int_model_days")
        #expect(test == "days equal the sum of their hours")
        #expect(columns.contains("requests") && !rows.isEmpty)
        #expect(
            error?.description.contains("model int_model_days: test 'days equal the sum of their hours' failed") == true
        )
        // Nothing of the failed transform stays.
        #expect(try Connection(path: db).scalar("SELECT count(*) FROM int_model_days")?.integer == 0)
        #expect(try Connection(path: db).scalar("SELECT count(*) FROM dirty_days")?.integer ?? 0 > 0)
    }

    @Test func modelsAreOrderedByTheirDependencies() throws {
        let names = try Transformer(connection: Connection(path: ":memory:"), models: Transformer.bundledModels())
            .models.map(\.name)
        for (model, dependency) in [
            ("int_model_hours", "stg_request_minutes"), ("int_model_days", "int_model_hours"),
            ("mart_daily_phase", "int_model_days"), ("mart_hourly_phase", "mart_daily_phase"),
        ] {
            #expect(names.firstIndex(of: dependency)! < names.firstIndex(of: model)!)
        }
        let a = try ModelFile(
            path: "m/a.sql", text: "-- a: x\n-- grain: g\n-- materialized: view\n-- depends_on: b\nSELECT 1")
        let b = try ModelFile(
            path: "m/b.sql", text: "-- b: x\n-- grain: g\n-- materialized: view\n-- depends_on: a\nSELECT 1")
        #expect(throws: TransformError.self) {
            _ = try Transformer(connection: Connection(path: ":memory:"), models: [a, b])
        }
        #expect(throws: TransformError.malformedModel(path: "m/c.sql", line: 1, reason: "no '-- materialized:' line")) {
            _ = try ModelFile(path: "m/c.sql", text: "-- c: x\n-- grain: g\n-- depends_on:\nSELECT 1")
        }
    }

    @Test func seedsLoadAndUserRowsSurviveAReload() throws {
        let dir = TemporaryDirectory()
        let connection = try Connection(path: dir.file("p.db"))
        try Migrator.migrate(connection)
        try SeedLoader.loadBundled(into: connection)
        #expect(try connection.scalar("SELECT count(*) FROM gpus")?.integer == 14)
        #expect(try connection.scalar("SELECT count(*) FROM llms")?.integer == 10)
        try connection.execute(
            "UPDATE gpus SET price_per_gpu_hour_usd = 1.99, origin = 'contract' WHERE name = 'H100 SXM'")
        try SeedLoader.loadBundled(into: connection)
        #expect(try connection.scalar("SELECT price_per_gpu_hour_usd FROM gpus WHERE name = 'H100 SXM'")?.real == 1.99)
        #expect(
            try connection.scalar("SELECT source FROM llms WHERE name = 'Llama-3.1-70B'")?.text?.contains(
                "aiconfigurator") == true)
    }

    /// A seed row that cannot be written for the machine's reasons (a full disk, here a
    /// read-only database) exited 78 as if the seed file were wrong; it is the SQLite error,
    /// with its own exit status.
    @Test func aSeedTheDatabaseCannotTakeIsTheDatabasesErrorNotTheSeeds() throws {
        let dir = TemporaryDirectory()
        try Migrator.migrate(try Connection(path: dir.file("p.db")))
        let readOnly = try Connection(path: dir.file("p.db"), readOnly: true)
        do {
            try SeedLoader.loadBundled(into: readOnly)
            Issue.record("seeds were written into a read-only database")
        } catch let error as SQLiteError {
            #expect(error.exitStatus == .ioError)
        } catch {
            Issue.record("not the database's error: \(error)")
        }
    }
}
