import ChildProcess
import Extract
import Foundation
import PhasecastCore
import Synth

/// Peak resident memory of `phasecast ingest` on one large log file of each kind, at two sizes:
/// it must stay under the documented bound whatever the file's size (the Mooncake trace once
/// held every request: 444 MB at 2 M lines).
struct PeakMemoryTrials {
    let binary: String
    let root: String
    /// Rows of the larger file; the smaller has a quarter of them.
    let rows: Int
    static let limitBytes: Int64 = 64 << 20

    func run(_ tally: FaultTally) throws {
        tally.section("peak memory of ingest, one file", columns: ["file", "rows", "peak RSS", "limit"])
        let folder = root + "/memory"
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for size in [rows / 4, rows] {
            let csv = folder + "/azure-\(size).csv.gz"
            let jsonl = folder + "/openai-\(size).jsonl.gz"
            try BenchLogGenerator(rows: size).write(csvPath: csv, jsonlPath: jsonl)
            let mooncake = folder + "/mooncake-\(size).jsonl.gz"
            try Self.writeMooncakeTrace(rows: size, to: mooncake)
            for (file, extra) in [(csv, [String]()), (jsonl, []), (mooncake, ["--start", "2024-06-01T00:00:00Z"])] {
                let database = folder + "/memory.db"
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: database + suffix) }
                let result = try ChildProcess.run(
                    [binary, "ingest", "--quiet", "--no-transform", "--db", database, file] + extra,
                    outputPath: "/dev/null", captureErrors: true)
                let name = URL(fileURLWithPath: file).lastPathComponent
                let ok = result.status == 0 && result.peakRSS < Self.limitBytes
                tally.record(
                    "memory \(name)",
                    [
                        name, "\(size)", String(format: "%.1f MiB", Double(result.peakRSS) / 1_048_576),
                        "\(Self.limitBytes >> 20) MiB",
                    ], ok: ok,
                    note: result.status == 0 ? "" : "exit \(result.status): \(result.errorOutput.suffix(200))",
                    crashed: result.status >= 128)
            }
            for file in [csv, jsonl, mooncake] { try? FileManager.default.removeItem(atPath: file) }
        }
    }

    /// A Mooncake trace of conversations whose turns share a growing prefix, slightly out of
    /// time order (as real traces can be), so the parser must hold and sort every request.
    static func writeMooncakeTrace(rows: Int, to path: String) throws {
        let writer = try GzipWriter(path: path, level: 1)
        var random = SplitMix64(seed: 42)
        var turns = [Int](repeating: 0, count: 2_000)
        var text = ""
        for index in 0..<rows {
            let conversation = Int(random.uniform() * Double(turns.count))
            turns[conversation] = turns[conversation] % 30 + 1
            let blocks = (0..<(1 + turns[conversation] * 2)).map { String(conversation * 100 + $0) }
            let timestamp = index * 20 + Int(random.uniform() * 2_000)
            text +=
                #"{"timestamp": \#(timestamp), "input_length": \#(blocks.count * 512 - 100), "output_length": \#(1 + Int(random.uniform() * 600)), "hash_ids": [\#(blocks.joined(separator: ", "))]}"#
            text += "\n"
            if text.utf8.count > 1 << 20 {
                try writer.write(text)
                text = ""
            }
        }
        try writer.write(text)
        try writer.finish()
    }
}
