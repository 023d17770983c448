import Foundation
import Store
import TestSupport
import Testing

/// What a user meets at the command line: help with examples, defaults as documented, errors
/// that say what to do, outputs that do not change with the range asked for.
@Suite(.serialized) struct CommandLineTests {
    /// The folder of the suite's database, kept for the process.
    static let directory = TemporaryDirectory()

    /// A database of 35 synthetic days, made once for the suite's tests.
    static let database: String = {
        let dir = directory
        _ = try? Phasecast.run([
            "synth", "--out", dir.path + "/synth", "--days", "35", "--end", "2026-03-31", "--seed", "4", "--scale",
            "0.03",
        ])
        _ = try? Phasecast.run(["ingest", "--db", dir.file("fleet.db"), "-q", dir.path + "/synth/logs"])
        return dir.file("fleet.db")
    }()

    @Test(arguments: [
        "run", "ingest", "transform", "ratios", "cost", "forecast", "backtest", "plan-backtest", "quarantine", "synth",
    ])
    func everyCommandsHelpHasAnExample(command: String) throws {
        let help = try Phasecast.run([command, "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("Example"), "phasecast \(command) --help has no example")
    }

    @Test func aShiftFlagDependsOnlyOnTheDaysBeforeItNotOnTheRangeShown() throws {
        let all = try rows(try Phasecast.run(["ratios", "--db", Self.database, "--format", "json"]))
        #expect(all.allSatisfy { $0.keys.contains("shift") }, "every row carries a shift field, null when none")
        let late = try rows(
            try Phasecast.run(["ratios", "--db", Self.database, "--format", "json", "--from", "2026-03-20"]))
        #expect(late.count < all.count)
        for row in late {
            let period = try #require(row["period"] as? String)
            let same = try #require(all.first { $0["period"] as? String == period })
            #expect("\(row["shift"] ?? "")" == "\(same["shift"] ?? "")", "\(period) changed with --from")
        }
        // The trend's weekly change compounds to its total change.
        let text = try Phasecast.run(["ratios", "--db", Self.database])
        let line = try #require(text.stdout.split(separator: "\n").first { $0.hasPrefix("token ratio trend") })
        let numbers = line.matches(of: #/([+-]\d+(?:\.\d)?) %/#).compactMap { Double($0.output.1) }
        let days = try #require(line.firstMatch(of: #/last (\d+) whole days/#).flatMap { Int($0.output.1) })
        #expect(numbers.count == 2, "\(line)")
        if numbers.count == 2, abs(numbers[0]) >= 5 {
            let compounded = pow(1 + numbers[1] / 100, Double(days - 1) / 7) - 1
            #expect(abs(compounded * 100 - numbers[0]) < 3, "\(line)")
        }
    }

    @Test func forecastDbDefaultsToNinetyDaysAsDocumented() throws {
        let dir = TemporaryDirectory()
        let copy = dir.file("fleet.db")
        try FileManager.default.copyItem(atPath: Self.database, toPath: copy)
        let result = try Phasecast.run(["forecast", "--db", copy])
        #expect(result.status == 0, "\(result.stderr)")
        let connection = try Connection(path: copy)
        #expect(try connection.queryOne("SELECT MAX(horizon_days) AS h FROM forecast_runs").int("h") == 90)
    }

    @Test func aCSVWithOtherColumnsIsToldHowToMapThem() throws {
        let dir = TemporaryDirectory()
        let own = dir.write("own.csv", "TIMESTAMP,Input,Output\n2023-11-16 18:15:46.6805900,10,20\n")
        let result = try Phasecast.run(["ingest", "--db", dir.file("x.db"), "--no-transform", own])
        #expect(result.status == 65)
        #expect(
            result.stderr.contains("map them: --format csv --map ts=TIMESTAMP,prompt=Input,output=Output"),
            "\(result.stderr)")
        let mapped = try Phasecast.run([
            "ingest", "--db", dir.file("x.db"), "--no-transform", "--format", "csv", "--map",
            "ts=TIMESTAMP,prompt=Input,output=Output", own,
        ])
        #expect(mapped.status == 0, "the hint works as given: \(mapped.stderr)")
    }

    func rows(_ result: ProcessResult) throws -> [[String: Any]] {
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        return try #require(object["rows"] as? [[String: Any]])
    }
}
