import ArgumentParser
import ChildProcess
import Foundation
import PhasecastCore
import Synth

/// `phasecast-bench` (`make bench`): ingest speed on generated logs, as ratios against `gzip -dc`
/// and a C loader measured in the same run on the same files, and the time to re-cost a year.
@main
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "phasecast-bench",
        abstract: "Measure ingest speed against gzip -dc and the C baseline loader on generated logs.",
        discussion: """
            Generates N requests as an Azure-format .csv.gz and an OpenAI-format .jsonl.gz (kept in --dir and \
            reused when present), then times, on each file: gzip -dc to /dev/null; the C baseline loader \
            (compiled from --baseline-source with cc, skipped when absent); phasecast ingest keeping raw rows; \
            and phasecast ingest --no-raw. Figures are ratios to the baselines of the same run, because the \
            machine is shared and absolute times drift. Then re-costing a year of rollups, and the nightly \
            increment: the last night of a year-long synthetic fleet into a database holding the year, against \
            its first night into an empty one, per request.
            """)

    @Option(help: "Requests per generated file.")
    var rows: Int = 10_000_000

    @Option(help: "Directory for the generated logs and databases.")
    var dir: String = ".build/bench"

    @Option(help: "C source of the baseline loader (etl_load.c); the comparison is skipped when it is absent.")
    var baselineSource: String = "../shared/tools/etl-baseline/etl_load.c"

    @Option(help: "Runs of each measurement; the fastest counts.")
    var repeats: Int = 1

    @Option(help: "The phasecast binary to measure (default: the one beside this bench).")
    var phasecast: String?

    @Option(help: "Python with the duckdb package, for the end-to-end comparison (skipped when absent).")
    var duckdbPython: String = ".build/duckdb-venv/bin/python"

    @Flag(
        inversion: .prefixedNo,
        help: "Also measure the nightly increment: a year of a synthetic fleet, then one more night (about 2 minutes).")
    var nightly = true

    func validate() throws {
        guard rows > 0 else { throw ValidationError("--rows must be positive") }
        guard repeats > 0 else { throw ValidationError("--repeats must be positive") }
    }

    func run() throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let csv = "\(dir)/azure_\(rows).csv.gz"
        let jsonl = "\(dir)/openai_\(rows).jsonl.gz"
        if !FileManager.default.fileExists(atPath: csv) || !FileManager.default.fileExists(atPath: jsonl) {
            Console.error("generating \(rows) requests in \(csv) and \(jsonl) …")
            let started = Date()
            try BenchLogGenerator(rows: rows).write(csvPath: csv + ".tmp", jsonlPath: jsonl + ".tmp")
            try FileManager.default.moveItem(atPath: csv + ".tmp", toPath: csv)
            try FileManager.default.moveItem(atPath: jsonl + ".tmp", toPath: jsonl)
            Console.error(String(format: "generated in %.1f s", Date().timeIntervalSince(started)))
        }
        let baseline = try compileBaseline()
        let phasecast =
            self.phasecast
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
                "phasecast"
            ).standardizedFileURL.path
        var report = BenchReport(rows: rows)
        for (format, file) in [("csv", csv), ("jsonl", jsonl)] {
            let uncompressed = try uncompressedSize(file)
            let db = "\(dir)/bench.db"
            func fresh() {
                for suffix in ["", "-journal", "-wal", ".lock"] {
                    try? FileManager.default.removeItem(atPath: db + suffix)
                }
            }
            let gzip = try best { try ChildProcess.run(["gzip", "-dc", file], outputPath: "/dev/null") }
            report.add(format: format, what: "gzip -dc > /dev/null", gzip, bytes: uncompressed)
            if let baseline {
                let c = try best {
                    fresh()
                    return try ChildProcess.run([baseline, format, "insert", file, db])
                }
                report.add(format: format, what: "C baseline: parse + insert", c, bytes: uncompressed)
            }
            let raw = try best {
                fresh()
                return try ChildProcess.run([phasecast, "ingest", "--quiet", "--db", db, file])
            }
            report.add(format: format, what: "phasecast ingest", raw, bytes: uncompressed)
            let rollupsOnly = try best {
                fresh()
                return try ChildProcess.run([phasecast, "ingest", "--quiet", "--no-raw", "--db", db, file])
            }
            report.add(format: format, what: "phasecast ingest --no-raw", rollupsOnly, bytes: uncompressed)
            if format == "jsonl" {
                // The same records read by a dotted-path mapping instead of the native format,
                // both without raw rows and without the transform, so that parsing is compared.
                let native = try best {
                    fresh()
                    return try ChildProcess.run([
                        phasecast, "ingest", "--quiet", "--no-raw", "--no-transform", "--db", db, file,
                    ])
                }
                report.add(format: format, what: "native JSON, --no-raw --no-transform", native, bytes: uncompressed)
                let mapped = try best {
                    fresh()
                    return try ChildProcess.run([
                        phasecast, "ingest", "--quiet", "--no-raw", "--no-transform", "--db", db, "--ts-format", "s",
                        "--map",
                        "ts=created,prompt=usage.prompt_tokens,cached=usage.prompt_tokens_details.cached_tokens,output=usage.completion_tokens,model=model",
                        file,
                    ])
                }
                report.add(
                    format: format, what: "mapped JSON (--map), --no-raw --no-transform", mapped, bytes: uncompressed)
            }
            fresh()
        }
        Console.output(report.markdown(hasBaseline: baseline != nil))
        Console.output(
            try DuckDBBench.run(phasecast: phasecast, python: duckdbPython, csv: csv, directory: dir, rows: rows))
        Console.output(try RecostBench.run(directory: dir))
        if nightly { Console.output(try NightlyBench.run(phasecast: phasecast, directory: dir, repeats: repeats)) }
    }

    private func best(_ measure: () throws -> ChildProcess.Measurement) throws -> ChildProcess.Measurement {
        var fastest: ChildProcess.Measurement?
        for _ in 0..<repeats {
            let m = try measure()
            guard m.status == 0 else {
                throw BenchError(description: "a measured command failed with status \(m.status)")
            }
            if let best = fastest, best.seconds <= m.seconds { continue }
            fastest = m
        }
        guard let fastest else { throw BenchError(description: "nothing was measured") }
        return fastest
    }

    /// Compiles the C baseline; nil (with a note) when its source is absent or no compiler works.
    private func compileBaseline() throws -> String? {
        guard FileManager.default.fileExists(atPath: baselineSource) else {
            Console.error("note: \(baselineSource) is absent; the C baseline comparison is skipped")
            return nil
        }
        let binary = "\(dir)/etl_load"
        let compile = try ChildProcess.run(["cc", "-O2", "-o", binary, baselineSource, "-lsqlite3", "-lz"])
        guard compile.status == 0 else {
            Console.error("note: the C baseline did not compile; its comparison is skipped")
            return nil
        }
        return binary
    }

    private func uncompressedSize(_ file: String) throws -> Int64 {
        let count = try ChildProcess.run(["sh", "-c", "gzip -dc '\(file)' | wc -c"])
        return Int64(count.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }
}

/// The bench's measurements and the ratios asked of them.
struct BenchReport {
    struct Row {
        var format: String
        var what: String
        var measurement: ChildProcess.Measurement
        var bytes: Int64
    }

    let rows: Int
    var entries: [Row] = []

    mutating func add(format: String, what: String, _ measurement: ChildProcess.Measurement, bytes: Int64) {
        entries.append(Row(format: format, what: what, measurement: measurement, bytes: bytes))
    }

    func rate(_ row: Row) -> Double { Double(rows) / row.measurement.seconds }

    func markdown(hasBaseline: Bool) -> String {
        var text = "\n## Ingest bench: \(rows) requests per file\n\n"
        text +=
            "| file | what | seconds | rows/s | MB/s (uncompressed) | CPU s | peak RSS MiB | vs gzip -dc | vs C baseline |\n"
        text += "|---|---|---|---|---|---|---|---|---|\n"
        for row in entries {
            let gzip = entries.first { $0.format == row.format && $0.what.hasPrefix("gzip") }
            let c = entries.first { $0.format == row.format && $0.what.hasPrefix("C baseline") }
            let m = row.measurement
            text += "| \(row.format) | \(row.what) | " + String(format: "%.2f", m.seconds) + " | "
            text += String(format: "%.2f M", rate(row) / 1e6) + " | "
            text += String(format: "%.0f", Double(row.bytes) / m.seconds / 1e6) + " | "
            text +=
                String(format: "%.2f", m.cpuSeconds) + " | " + String(format: "%.1f", Double(m.peakRSS) / 1_048_576)
                + " | "
            text += gzip.map { String(format: "%.2f×", rate(row) / rate($0)) } ?? "–"
            text += " | " + (c.map { String(format: "%.2f×", rate(row) / rate($0)) } ?? "–") + " |\n"
        }
        text +=
            "\nTargets: raw rows kept ≥ 1.0× the C baseline's rows/s; --no-raw ≥ 0.8× gzip -dc; mapped JSON ≥ 0.8× the native JSON format; peak RSS < 64 MiB.\n"
        for format in ["csv", "jsonl"] {
            let gzip = entries.first { $0.format == format && $0.what.hasPrefix("gzip") }
            let c = entries.first { $0.format == format && $0.what.hasPrefix("C baseline") }
            let raw = entries.first { $0.format == format && $0.what == "phasecast ingest" }
            let noRaw = entries.first { $0.format == format && $0.what == "phasecast ingest --no-raw" }
            if let c, let raw {
                text += verdict("\(format): raw rows vs C baseline", rate(raw) / rate(c), 1.0)
            } else if !hasBaseline {
                text += "- \(format): raw rows vs C baseline: not measured (baseline absent)\n"
            }
            if let gzip, let noRaw { text += verdict("\(format): --no-raw vs gzip -dc", rate(noRaw) / rate(gzip), 0.8) }
            if let native = entries.first(where: { $0.format == format && $0.what.hasPrefix("native JSON") }),
                let mapped = entries.first(where: { $0.format == format && $0.what.hasPrefix("mapped JSON") })
            {
                text += verdict("\(format): mapped JSON vs the native format", rate(mapped) / rate(native), 0.8)
            }
            for row in [raw, noRaw].compactMap({ $0 }) {
                let mib = Double(row.measurement.peakRSS) / 1_048_576
                text +=
                    "- \(format): \(row.what) peak RSS " + String(format: "%.1f MiB", mib)
                    + (mib < 64 ? " (ok)\n" : " (OVER 64 MiB)\n")
            }
        }
        return text
    }

    private func verdict(_ label: String, _ ratio: Double, _ target: Double) -> String {
        "- \(label): " + String(format: "%.2f×", ratio) + " (target ≥ " + String(format: "%.1f×", target) + ", "
            + (ratio >= target ? "met" : "NOT MET") + ")\n"
    }
}

/// Why the bench could not measure a step.
struct BenchError: Error, CustomStringConvertible {
    let description: String
}
