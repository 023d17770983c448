import Foundation
import Store
import TestSupport
import Testing

@Suite struct TransformCommandTests {
    @Test func ingestTransformsAndRatiosReportsTheRatios() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("p.db")
        let ingest = try Phasecast.run([
            "ingest", "--db", db, "--model", "code", Fixtures.path("azure2023_code.csv.gz"),
        ])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        #expect(ingest.stderr.contains("transform: incremental"))
        let ratios = try Phasecast.run(["ratios", "--db", db, "--format", "json"])
        #expect(ratios.status == 0, "\(ratios.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(ratios.stdout.utf8)) as? [String: Any]
        let rows = object?["rows"] as? [[String: Any]]
        #expect(rows?.count == 1)
        let ratio = rows?.first?["tokenRatio"] as? Double ?? 0
        #expect(abs(ratio - 18_059_974.0 / 245_896) < 1e-9)
        let table = try Phasecast.run(["ratios", "--db", db, "--by", "hour"])
        #expect(table.stdout.contains("| 2023-11-16T18:00Z |"))
        let unknown = try Phasecast.run(["ratios", "--db", db, "--model", "nope"])
        #expect(unknown.status == 64 && unknown.stderr.contains("known: all, code"))
    }

    @Test func anotherProfileRecostsWithoutReloading() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("p.db")
        _ = try Phasecast.run(["ingest", "--db", db, "-q", Fixtures.path("azure2023_conv.csv.gz")])
        let connection = try Connection(path: db)
        let before = try connection.rows(
            "SELECT prefill_gpu_hours, decode_gpu_hours FROM v_daily_phase WHERE model = 'all'")[0]
        let recost = try Phasecast.run(["transform", "--db", db, "--gpu", "B200", "--precision", "fp4"])
        #expect(recost.status == 0, "\(recost.stderr)")
        #expect(recost.stderr.contains("0 days rebuilt"))
        #expect(recost.stderr.contains("on B200"))
        let after = try connection.rows(
            "SELECT prefill_gpu_hours, decode_gpu_hours FROM v_daily_phase WHERE model = 'all'")[0]
        #expect(after[0].real! < before[0].real! / 2)
        let profile = try connection.rows("SELECT llm, gpu, precision FROM deployment_profiles WHERE name = 'default'")
        #expect(profile == [["Llama-3.1-70B", "B200", "fp4"]])
    }

    @Test func costPrintsPerPhaseThroughputAndTheRatio() throws {
        let result = try Phasecast.run([
            "cost", "--llm", "Llama-3.1-70B", "--gpu", "H200", "--isl", "4000", "--osl", "500", "--ttft", "1000",
            "--itl", "50",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("| prefill |") && result.stdout.contains("| decode |"))
        #expect(result.stdout.contains("P:D GPU ratio"))
        let json = try Phasecast.run([
            "cost", "--llm", "Llama-3.1-70B", "--gpu", "H200", "--isl", "4000", "--osl", "500", "--json",
        ])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect((object?["decode"] as? [String: Any])?["tokensPerSecondPerGPU"] as? Double ?? 0 > 0)
        let badGPU = try Phasecast.run(["cost", "--llm", "Llama-3.1-70B", "--gpu", "Z9", "--isl", "10", "--osl", "10"])
        #expect(badGPU.status == 64 && badGPU.stderr.contains("unknown GPU 'Z9'; known: A100 80GB SXM"))
        let badEngine = try Phasecast.run([
            "cost", "--llm", "Llama-3.1-8B", "--gpu", "H100", "--engine", "tgi", "--isl", "10", "--osl", "10",
        ])
        #expect(badEngine.status == 64 && badEngine.stderr.contains("--engine must be vllm, sglang, trtllm"))
        // A target no worker meets is an answer, not a failure: exit 0, feasible false, and why.
        let infeasible = try Phasecast.run([
            "cost", "--llm", "Llama-3.1-405B", "--gpu", "H100", "--isl", "1000", "--osl", "200", "--itl", "2", "--json",
        ])
        #expect(infeasible.status == 0)
        let answer = try JSONSerialization.jsonObject(with: Data(infeasible.stdout.utf8)) as? [String: Any]
        #expect(answer?["feasible"] as? Bool == false)
        #expect(((answer?["decode"] as? [String: Any])?["note"] as? String)?.contains("> ITL 2 ms at batch 1") == true)
        let table = try Phasecast.run([
            "cost", "--llm", "Llama-3.1-405B", "--gpu", "H100", "--isl", "1000", "--osl", "200", "--itl", "2",
        ])
        #expect(table.status == 0 && table.stdout.contains("not feasible: decode: decode step"))
    }

    @Test func costValidatePrintsHeldOutErrorsAndWritesTheCalibration() throws {
        let dir = TemporaryDirectory()
        let result = try Phasecast.run(["cost", "--validate", "--write-calibration", dir.file("calibration.csv")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Leave-one-source-out"))
        #expect(result.stdout.contains("| dense | all | 20 |") && result.stdout.contains("| moe | decode |"))
        let written = try String(contentsOfFile: dir.file("calibration.csv"), encoding: .utf8)
        #expect(written.hasPrefix("engine,vendor,architecture,precision,"))
        #expect(written.split(separator: "\n").count == 37)
        let misuse = try Phasecast.run(["cost", "--validate", "--llm", "Llama-3.1-8B"])
        #expect(misuse.status == 64 && misuse.stderr.contains("--validate takes no profile or workload options"))
    }
}
