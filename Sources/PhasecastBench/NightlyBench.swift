import ChildProcess
import Foundation
import PhasecastCore
import Store

/// The nightly increment: the last night of a year-long synthetic fleet loaded into a database
/// that holds the year before it, against the first night loaded into an empty one, per request.
/// Nightly work should follow the night's data, not the history's size (target ≤ 1.2×).
enum NightlyBench {
    /// Days of the fleet: a year before the measured night, and the night.
    static let days = 366

    static func run(phasecast: String, directory: String, repeats: Int) throws -> String {
        let fleet = "\(directory)/nightly-fleet"
        let logs = "\(fleet)/logs"
        if !FileManager.default.fileExists(atPath: logs) {
            Console.error("writing \(days) days of synthetic logs to \(fleet) …")
            let synth = try ChildProcess.run([
                phasecast, "synth", "--out", fleet, "--days", String(days), "--end", "2026-06-30", "--seed", "7",
            ])
            guard synth.status == 0 else {
                throw BenchError(description: "phasecast synth failed: \(synth.errorOutput)")
            }
        }
        let nights = try FileManager.default.contentsOfDirectory(atPath: logs).sorted().map { "\(logs)/\($0)" }
        guard nights.count == days, let firstNight = nights.first, let lastNight = nights.last else {
            throw BenchError(description: "\(logs) holds \(nights.count) days, not \(days): delete it to regenerate")
        }
        // A year into an empty database: the template every night measurement copies. Its own
        // time is a figure too (files of a year, transform of a year).
        let year = "\(directory)/nightly-year.db"
        remove(year)
        let yearRun = try ChildProcess.run([phasecast, "ingest", "--quiet", "--db", year] + nights.dropLast())
        // 65: the fleet plants one truncated file, which is reported and left out.
        guard yearRun.status == 0 || yearRun.status == 65 else {
            throw BenchError(description: "loading the year failed with status \(yearRun.status)")
        }
        let yearFacts = try facts(year)

        func measure(
            into database: String, from template: String?, night: String
        ) throws -> (
            ChildProcess.Measurement, Facts
        ) {
            var best: (ChildProcess.Measurement, Facts)?
            for _ in 0..<repeats {
                remove(database)
                if let template {
                    try FileManager.default.copyItem(atPath: template, toPath: database)
                    // The copy's dirty pages would otherwise be written back inside the measured
                    // ingest, by its first commit's fsync.
                    _ = try ChildProcess.run(["sync"])
                }
                let m = try ChildProcess.run([phasecast, "ingest", "--quiet", "--db", database, night])
                guard m.status == 0 || m.status == 65 else {
                    throw BenchError(description: "ingest of \(night) failed with status \(m.status)")
                }
                if let b = best, b.0.seconds <= m.seconds { continue }
                best = (m, try facts(database))
            }
            guard let best else { throw BenchError(description: "nothing was measured") }
            return best
        }
        let (later, laterFacts) = try measure(into: "\(directory)/nightly-night.db", from: year, night: lastNight)
        let (first, firstFacts) = try measure(into: "\(directory)/nightly-first.db", from: nil, night: firstNight)
        for name in ["nightly-night.db", "nightly-first.db"] { remove("\(directory)/\(name)") }

        let perRequestLater = later.seconds / Double(max(laterFacts.lastRunRows, 1))
        let perRequestFirst = first.seconds / Double(max(firstFacts.lastRunRows, 1))
        let ratio = perRequestLater / perRequestFirst
        var lines = ["", "## Nightly increment: one night into a year-long database", ""]
        lines.append("| what | requests | seconds | µs per request | days rebuilt |")
        lines.append("|---|---:|---:|---:|---:|")
        lines.append(
            row(
                "a year (\(days - 1) days, \(nights.count - 1) folders) into an empty database", yearFacts.totalRows,
                yearRun.seconds, yearFacts.lastDaysRebuilt))
        lines.append(
            row(
                "day 1 into an empty database", firstFacts.lastRunRows, first.seconds, firstFacts.lastDaysRebuilt))
        lines.append(
            row(
                "day \(days) into the year's database", laterFacts.lastRunRows, later.seconds,
                laterFacts.lastDaysRebuilt))
        lines.append("")
        lines.append(
            "- day \(days) vs day 1, per request: " + String(format: "%.2f×", ratio) + " (target ≤ 1.2×, "
                + (ratio <= 1.2 ? "met" : "NOT MET") + ")")
        lines.append(
            "- the year: " + String(format: "%.0f", Double(yearFacts.totalRows) / yearRun.seconds)
                + " requests/s end to end; database " + mebibytes(yearFacts.fileBytes) + ", of which `requests` "
                + (yearFacts.tableBytes["requests"].map(mebibytes) ?? "–") + " and `request_minutes` "
                + (yearFacts.tableBytes["request_minutes"].map(mebibytes) ?? "–") + " (dbstat)")
        lines += try rollupFigures(phasecast: phasecast, year: year, facts: yearFacts)
        lines += try shardSpeedup(phasecast: phasecast, directory: directory, nights: Array(nights.suffix(28)))
        return lines.joined(separator: "\n") + "\n"
    }

    /// The year's rollups: their size against the raw rows they summarize, per request, and the
    /// time of `transform --full` over the whole year (targets: at most a quarter; under 5 s).
    static func rollupFigures(phasecast: String, year: String, facts: Facts) throws -> [String] {
        let full = try ChildProcess.run([phasecast, "transform", "--full", "--db", year], captureErrors: true)
        guard full.status == 0 else {
            throw BenchError(
                description: "transform --full of the year failed with status \(full.status): \(full.errorOutput)")
        }
        var lines = ["", "## Rollups of the year: size and a full transform", ""]
        let raw = facts.tableBytes["requests"] ?? 0
        let requests = Double(max(facts.totalRows, 1))
        let minuteTables = ["request_minutes"]
        let allRollups = facts.tableBytes.keys.filter {
            $0 == "request_minutes" || $0.hasPrefix("int_model_") || $0.hasPrefix("mart_")
        }.sorted()
        func bytes(_ names: [String]) -> Int64 { names.reduce(0) { $0 + (facts.tableBytes[$1] ?? 0) } }
        guard raw > 0 else { return lines + ["- table sizes unavailable (this SQLite has no dbstat)"] }
        lines.append("| what | MiB | bytes per request | vs raw rows |")
        lines.append("|---|---:|---:|---:|")
        for (what, size) in [
            ("raw rows (`requests`)", raw), ("minute rollups (`request_minutes`)", bytes(minuteTables)),
            ("all rollups (" + allRollups.map { "`\($0)`" }.joined(separator: ", ") + ")", bytes(allRollups)),
        ] {
            lines.append(
                "| \(what) | " + String(format: "%.0f", Double(size) / 1_048_576) + " | "
                    + String(format: "%.1f", Double(size) / requests) + " | "
                    + String(format: "%.2f×", Double(size) / Double(raw)) + " |")
        }
        let share = Double(bytes(allRollups)) / Double(raw)
        lines.append("")
        lines.append(
            "- all rollups vs raw rows: " + String(format: "%.2f×", share) + " (target ≤ 0.25×, "
                + (share <= 0.25 ? "met" : "NOT MET") + ")")
        lines.append(
            "- `transform --full` of the year: " + String(format: "%.2f s", full.seconds) + " (target < 5 s, "
                + (full.seconds < 5 ? "met" : "NOT MET") + ")")
        return lines
    }

    /// The last 28 nights' files without raw rows: one process loading them and transforming,
    /// against two shard processes at once followed by the merge and its transform (the
    /// Kubernetes Indexed Job's shape, on this machine's two cores).
    static func shardSpeedup(phasecast: String, directory: String, nights: [String]) throws -> [String] {
        let single = "\(directory)/shards-single.db"
        let shards = (0..<2).map { "\(directory)/shard-\($0).db" }
        let merged = "\(directory)/shards-merged.db"
        for database in [single, merged] + shards { remove(database) }
        defer { for database in [single, merged] + shards { remove(database) } }
        let oneIngest = try ChildProcess.run(
            [phasecast, "ingest", "--quiet", "--no-raw", "--no-transform", "--db", single] + nights)
        remove(single)
        let one = try ChildProcess.run([phasecast, "ingest", "--quiet", "--no-raw", "--db", single] + nights)
        let started = Date()
        let group = DispatchGroup()
        let statuses = StatusBox()
        for (index, shard) in shards.enumerated() {
            DispatchQueue.global().async(group: group) {
                let m = try? ChildProcess.run(
                    [
                        phasecast, "ingest", "--quiet", "--shard-count", "2", "--shard-index", String(index), "--db",
                        shard,
                    ]
                        + nights)
                statuses.add(m?.status ?? -1)
            }
        }
        group.wait()
        let loaded = Date().timeIntervalSince(started)
        let merge = try ChildProcess.run([phasecast, "merge", "--quiet", "--into", merged] + shards)
        let total = Date().timeIntervalSince(started)
        guard [oneIngest.status, one.status, merge.status].allSatisfy({ $0 == 0 || $0 == 65 }),
            statuses.all.allSatisfy({ $0 == 0 || $0 == 65 })
        else {
            throw BenchError(description: "a shard measurement failed: \(one.status), \(statuses.all), \(merge.status)")
        }
        let requests = try facts(single).lastRunRows
        return [
            "",
            "## Sharded ingest: the last \(nights.count) nights (\(requests) requests, --no-raw), 2 shards on 2 cores",
            "",
            "| what | seconds |", "|---|---:|",
            "| one process: ingest only (--no-transform) | " + String(format: "%.2f", oneIngest.seconds) + " |",
            "| one process: ingest + transform | " + String(format: "%.2f", one.seconds) + " |",
            "| 2 shard processes at once (ingest only) | " + String(format: "%.2f", loaded) + " |",
            "| merge + transform | " + String(format: "%.2f", merge.seconds) + " |",
            "| shards + merge, end to end | " + String(format: "%.2f", total) + " |", "",
            "- speed-up of 2 shards on 2 cores: loading " + String(format: "%.2f×", oneIngest.seconds / loaded)
                + ", end to end " + String(format: "%.2f×", one.seconds / total)
                + " (the transform after the merge runs on one core, as it does after one process's ingest)",
        ]
    }

    /// What a measured database says about its newest ingest and transform.
    struct Facts {
        var lastRunRows: Int64
        var totalRows: Int64
        var lastDaysRebuilt: Int64
        var fileBytes: Int64
        var tableBytes: [String: Int64]
    }

    static func facts(_ path: String) throws -> Facts {
        let connection = try Connection(path: path, readOnly: true)
        let run = try connection.queryOne(
            "SELECT rows AS last_rows, (SELECT SUM(rows) FROM ingest_runs) AS total FROM ingest_runs ORDER BY run_id DESC LIMIT 1"
        )
        let transform = try connection.queryOne(
            "SELECT days_rebuilt FROM transform_runs ORDER BY run_id DESC LIMIT 1")
        var tables: [String: Int64] = [:]
        // dbstat is compiled into Debian's SQLite; where it is not, the sizes are left out.
        if let rows = try? connection.query("SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name") {
            for row in rows { tables[try row.text("name")] = try row.int("bytes") }
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0
        return Facts(
            lastRunRows: try run.int("last_rows"), totalRows: try run.optionalInt("total") ?? 0,
            lastDaysRebuilt: try transform.int("days_rebuilt"), fileBytes: size,
            tableBytes: tables)
    }

    static func row(_ what: String, _ requests: Int64, _ seconds: Double, _ days: Int64) -> String {
        "| \(what) | \(requests) | " + String(format: "%.2f", seconds) + " | "
            + String(format: "%.1f", seconds / Double(max(requests, 1)) * 1e6) + " | \(days) |"
    }

    static func mebibytes(_ bytes: Int64) -> String { String(format: "%.0f MiB", Double(bytes) / 1_048_576) }

    static func remove(_ database: String) {
        for suffix in ["", "-journal", "-wal", "-shm", ".lock"] {
            try? FileManager.default.removeItem(atPath: database + suffix)
        }
    }
}

/// Exit statuses of processes run at once.
final class StatusBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var all: [Int32] = []

    func add(_ status: Int32) {
        lock.lock()
        all.append(status)
        lock.unlock()
    }
}
