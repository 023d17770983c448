import ChildProcess
import Foundation
import PhasecastCore

/// End to end against DuckDB on the bench's CSV file: load the requests and compute the daily
/// prefill:decode ratio. DuckDB (from PyPI, with 2 threads and with 1) creates a table from the
/// gzipped CSV and groups it by day; phasecast ingests it (rollups and marts included, raw rows
/// kept or not) and prints the daily ratios. Wall times in the same run, and the databases' sizes.
enum DuckDBBench {
    /// The DuckDB side, as a Python script run by the given interpreter.
    static let script = """
        import duckdb, sys
        path, db, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
        con = duckdb.connect(db)
        con.execute(f"SET threads = {threads}")
        con.execute(
            "CREATE TABLE requests AS SELECT * FROM read_csv(?, header = true, "
            "columns = {'TIMESTAMP': 'TIMESTAMP', 'ContextTokens': 'BIGINT', 'GeneratedTokens': 'BIGINT'})", [path])
        days = con.execute(
            "SELECT CAST(TIMESTAMP AS DATE) AS day, COUNT(*), SUM(ContextTokens), SUM(GeneratedTokens), "
            "SUM(ContextTokens) / SUM(GeneratedTokens) FROM requests GROUP BY 1 ORDER BY 1").fetchall()
        con.close()
        print(len(days), sum(d[1] for d in days))
        """

    static func run(phasecast: String, python: String, csv: String, directory: String, rows: Int) throws -> String {
        guard FileManager.default.isExecutableFile(atPath: python),
            (try? ChildProcess.run([python, "-c", "import duckdb"]))?.status == 0
        else {
            return "\n## End to end against DuckDB\n\nNot measured: no Python with duckdb at \(python) "
                + "(make test creates .build/duckdb-venv from PyPI; or pass --duckdb-python).\n"
        }
        let scriptPath = "\(directory)/duckdb_daily.py"
        try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        let duckPath = "\(directory)/bench.duckdb"
        let sqlitePath = "\(directory)/endtoend.db"
        func fresh() {
            for path in [duckPath, duckPath + ".wal"] { try? FileManager.default.removeItem(atPath: path) }
            NightlyBench.remove(sqlitePath)
        }
        defer { fresh() }
        var lines = [
            "",
            "## End to end against DuckDB: \(rows) requests of \((csv as NSString).lastPathComponent), load + daily ratio",
            "", "| what | seconds | CPU s | peak RSS MiB | database MiB |", "|---|---:|---:|---:|---:|",
        ]
        func size(_ path: String) -> Int64 {
            (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0
        }
        func line(_ what: String, _ seconds: Double, _ cpu: Double, _ rss: Int64, _ bytes: Int64) -> String {
            "| \(what) | " + String(format: "%.2f", seconds) + " | " + String(format: "%.2f", cpu) + " | "
                + String(format: "%.0f", Double(rss) / 1_048_576) + " | "
                + String(format: "%.0f", Double(bytes) / 1_048_576) + " |"
        }
        var duck: [Int: Double] = [:]
        for threads in [2, 1] {
            fresh()
            let m = try ChildProcess.run([python, scriptPath, csv, duckPath, String(threads)])
            guard m.status == 0 else { throw BenchError(description: "DuckDB failed: \(m.errorOutput)") }
            duck[threads] = m.seconds
            lines.append(
                line(
                    "DuckDB, \(threads) thread\(threads == 1 ? "" : "s"): CREATE TABLE from the CSV + GROUP BY day",
                    m.seconds,
                    m.cpuSeconds, m.peakRSS, size(duckPath)))
        }
        var phasecastSeconds: [String: Double] = [:]
        for (label, flags) in [("raw rows kept", [String]()), ("--no-raw", ["--no-raw"])] {
            fresh()
            let ingest = try ChildProcess.run([phasecast, "ingest", "--quiet", "--db", sqlitePath] + flags + [csv])
            let ratios = try ChildProcess.run([phasecast, "ratios", "--db", sqlitePath, "--format", "json"])
            guard ingest.status == 0, ratios.status == 0 else {
                throw BenchError(description: "phasecast end to end failed: \(ingest.status), \(ratios.status)")
            }
            let seconds = ingest.seconds + ratios.seconds
            phasecastSeconds[label] = seconds
            lines.append(
                line(
                    "phasecast, \(label): ingest (rollups, marts) + ratios", seconds,
                    ingest.cpuSeconds + ratios.cpuSeconds,
                    max(ingest.peakRSS, ratios.peakRSS), size(sqlitePath)))
        }
        lines.append("")
        if let two = duck[2] {
            for (label, target) in [("--no-raw", 0.8), ("raw rows kept", 1.5)] {
                guard let mine = phasecastSeconds[label] else { continue }
                let ratio = mine / two
                lines.append(
                    "- phasecast \(label) vs DuckDB with 2 threads, wall time: " + String(format: "%.2f×", ratio)
                        + " (target ≤ " + String(format: "%.1f×", target) + ", " + (ratio <= target ? "met" : "NOT MET")
                        + ")")
            }
        }
        lines.append("- DuckDB's times include starting Python (about 0.1 s); phasecast's, two processes.")
        return lines.joined(separator: "\n") + "\n"
    }
}
