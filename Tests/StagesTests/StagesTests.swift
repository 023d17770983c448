import CostModel
import Foundation
import PhasecastCore
import Pipeline
import Planning
import Store
import TestSupport
import Testing

@testable import Stages

/// A small pipeline over a synthetic fleet in `dir`: 30 days of four models.
private func pipelineText(_ dir: TemporaryDirectory, profiles: String = "") -> String {
    """
    [pipeline]
    name = "stages"
    database = "\(dir.path)/fleet.db"
    reports = "\(dir.path)/reports"

    [synth]
    out = "\(dir.path)/synth"
    days = 30
    seed = 9
    end = "2026-03-31"
    scale = 0.02

    [ingest]
    paths = ["\(dir.path)/synth/logs"]
    \(profiles)
    [forecast]
    horizon = "30d"

    [plan]
    horizons = ["7d", "30d"]
    """
}

private func checked(_ text: String, catalog: Catalog? = nil) throws -> CheckedPipeline {
    let config = try PipelineConfig.parse(text, file: "p.toml")
    return try CheckedPipeline(config, catalog: try catalog ?? Catalog.bundled())
}

/// The line of `p.toml` holding `needle`.
private func line(of needle: String, in text: String) -> Int {
    (text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains(needle) } ?? -1) + 1
}

@Suite(.serialized) struct StagesTests {
    @Test(arguments: [
        ("gpu = \"H100X\"", "profiles[1].gpu", "unknown GPU 'H100X'; known: "),
        ("llm = \"Llama-9\"", "profiles[1].llm", "unknown LLM 'Llama-9'; known: "),
        ("tp_prefill = 1", "profiles[1].tp_prefill", "does not fit on 1 "),
        ("itl_ms = 1", "profiles[1].itl_ms", "no decode worker meets an ITL of 1 ms"),
        ("ttft_ms = 1", "profiles[1].ttft_ms", "no prefill worker meets a TTFT of 1 ms"),
    ])
    func aProfileTheCatalogCannotServeIsAConfigErrorAtItsLine(setting: String, key: String, reason: String) throws {
        let dir = TemporaryDirectory()
        var fields = ["name = \"big\"", "llm = \"Llama-3.1-70B\"", "gpu = \"H100\"", "precision = \"bf16\""]
        let field = setting.split(separator: " ")[0]
        fields.removeAll { $0.hasPrefix(field + " ") }
        fields.append(setting)
        let text = pipelineText(dir, profiles: "\n[[profiles]]\n" + fields.joined(separator: "\n") + "\n")
        do {
            _ = try checked(text)
            Issue.record("\(setting) was accepted")
        } catch let error as ConfigError {
            #expect(error.key == key)
            #expect(error.line == line(of: setting, in: text), "\(error)")
            #expect(error.reason.contains(reason), "\(error.reason)")
            #expect(error.exitStatus == .config)
        }
        #expect(!FileManager.default.fileExists(atPath: dir.file("fleet.db")))
    }

    @Test func aProfileNamesItsEngineLayoutSpeculationAndMeasuredProfileAndTheDatabaseKeepsThem() throws {
        let dir = TemporaryDirectory()
        let measured = dir.write(
            "measured.csv", "isl,ttft_ms,prefill_tokens_per_s_per_gpu\n1000,150,20000\n8000,900,18000\n")
        let profiles = """

            [[profiles]]
            name = "reasoning"
            llm = "DeepSeek-R1"
            gpu = "GB200"
            precision = "fp4"
            engine = "trtllm"
            tp_decode = 16
            ep = 16
            dp_attention = true
            draft_tokens = 2
            draft_acceptance = 0.6
            measured_profile = "\(measured)"
            itl_ms = 30

            """
        let pipeline = try checked(pipelineText(dir, profiles: profiles))
        let stored = try #require(pipeline.profiles?.first)
        #expect(stored.profile.engine == .trtllm)
        #expect(stored.profile.tpDecode == 16 && stored.profile.expertParallel == 16)
        #expect(stored.profile.dataParallelAttention == true)
        #expect(stored.profile.speculative == SpeculativeDecoding(draftTokens: 2, acceptance: 0.6))
        #expect(stored.measuredPath == measured)
        // Round trip through the deployment_profiles table.
        let connection = try Connection(path: dir.file("fleet.db"))
        try Migrator.migrate(connection)
        try ProfileTable.storeDeclared([stored], in: connection)
        #expect(try ProfileTable.load(connection) == [stored])
        // A measured profile that cannot be read is bad data named by its file and field.
        let broken = dir.write("broken.csv", "isl,ttft_ms,prefill_tokens_per_s_per_gpu\n1000,fast,20000\n")
        do {
            _ = try checked(pipelineText(dir, profiles: profiles.replacingOccurrences(of: measured, with: broken)))
            Issue.record("a broken measured profile was accepted")
        } catch let error as MeasuredProfile.ReadError {
            #expect(error.exitStatus == .dataError)
            #expect(error.description.contains(broken) && error.description.contains("ttft_ms"), "\(error)")
        }
    }

    @Test func thePreviousTokenRatioIsARealNumberEvenBelowOne() throws {
        let dir = TemporaryDirectory()
        let connection = try Connection(path: dir.file("fleet.db"))
        try Migrator.migrate(connection)
        // A decode-heavy week (3 prefill tokens per 7 output tokens) and a prefill-heavy one
        // (13 per 9), whole integers as the rollups hold them; a temporary view stands in for
        // the fleet's daily rollup.
        try connection.execute(
            """
            CREATE TEMP VIEW v_daily_phase AS
            WITH RECURSIVE days(day_key) AS (SELECT 1 UNION ALL SELECT day_key + 1 FROM days WHERE day_key < 14)
            SELECT 'all' AS model, 1.0 AS coverage, day_key,
                CASE WHEN day_key <= 7 THEN 3 ELSE 13 END AS prefill_tokens,
                CASE WHEN day_key <= 7 THEN 7 ELSE 9 END AS output_tokens
            FROM days
            """)
        let decodeHeavy = try #require(try PreviousPlan.tokenRatio(through: 7, in: connection))
        #expect(abs(decodeHeavy - 3.0 / 7) < 1e-12)
        let prefillHeavy = try #require(try PreviousPlan.tokenRatio(through: 14, in: connection))
        #expect(abs(prefillHeavy - 13.0 / 9) < 1e-12)
    }

    @Test func scenariosAndPricesAreCheckedAgainstTheDatabasesOwnGPUsToo() throws {
        let dir = TemporaryDirectory()
        let text = pipelineText(dir) + "\n[[scenarios]]\nname = \"next gen\"\ndecode_gpu = \"Z100\"\n"
        #expect(throws: ConfigError.self) { try checked(text) }
        // A user's own GPU in the database is a valid choice.
        let connection = try Connection(path: dir.file("fleet.db"))
        try Migrator.migrate(connection)
        try connection.run(
            """
            INSERT INTO gpus (name, aliases, form_factor, bf16_dense_tflops, fp8_dense_tflops, fp4_dense_tflops, hbm_gb,
                hbm_tb_s, scaleup_gb_s_unidir, tdp_w, gpus_per_node, price_per_gpu_hour_usd, price_source, source, origin)
            VALUES ('Z100', 'z100', 'SXM', 1000, 2000, 4000, 192, 8, 900, 1000, 8, 5, 'assumed', 'a test GPU', 'user')
            """)
        let catalog = try CatalogTables.forChecking(database: dir.file("fleet.db"))
        #expect((try? catalog.gpu(named: "Z100")) != nil && (try? catalog.gpu(named: "H100")) != nil)
        let pipeline = try checked(text, catalog: catalog)
        #expect(pipeline.scenarios.map(\.decodeGPU) == ["Z100"])
    }

    @Test func theStagesHandOnWhatTheyMadeAndTheCostingMartMatchesTheCoefficients() throws {
        let dir = TemporaryDirectory()
        let text = pipelineText(
            dir,
            profiles: """

                [[profiles]]
                name = "all"
                llm = "Llama-3.1-70B"
                gpu = "H200"

                """)
        let pipeline = try checked(text)
        var log: [String] = []
        let outcome = try PipelineRunner(pipeline: pipeline, waitSeconds: 0, log: { log.append($0) }).run()
        #expect(outcome.stages.map(\.name) == ["synth", "ingest", "transform", "forecast", "plan", "report"])
        // The synthetic fleet plants one truncated file: 65, and every stage still ran.
        #expect(outcome.status == .dataError, "\(log)")
        #expect(outcome.stages.filter { $0.name != "ingest" }.allSatisfy { $0.status == .ok }, "\(outcome.stages)")
        #expect(outcome.stages[2].note == "30 days rebuilt, 4 models costed")
        let directory = try #require(outcome.reportDirectory)
        #expect(directory == dir.path + "/reports/stages/2026-03-31")
        for file in ["capacity.md", "plan.csv", "daily.csv", "forecast.csv"] {
            #expect(FileManager.default.fileExists(atPath: directory + "/" + file))
        }

        let connection = try Connection(path: dir.file("fleet.db"))
        // The costing mart applies model_costs' coefficients to the daily sufficient statistics.
        let days = try connection.query(
            """
            SELECT d.prefill_tokens, d.prefill_cached, d.prefill_sq, d.output_tokens, d.output_context,
                c.prefill_s_per_token, c.prefill_s_per_attention_pair, c.decode_s_per_token,
                c.decode_s_per_context_token, v.prefill_gpu_hours, v.decode_gpu_hours, v.day_key, d.day
            FROM mart_daily_phase d JOIN model_costs c ON c.model_id = d.model_id
            JOIN models m ON m.model_id = d.model_id
            JOIN v_daily_phase v ON v.model = m.name AND v.day_key = d.day
            """)
        #expect(days.count == 4 * 30)
        for r in days {
            let prefill =
                (try r.double("prefill_tokens") * r.double("prefill_s_per_token")
                    + (try r.double("prefill_cached") + r.double("prefill_sq") / 2)
                        * r.double("prefill_s_per_attention_pair"))
                / 3600
            let decode =
                (try r.double("output_tokens") * r.double("decode_s_per_token")
                    + r.double("output_context") * r.double("decode_s_per_context_token")) / 3600
            #expect(abs(try r.double("prefill_gpu_hours") - prefill) <= 1e-12 * max(prefill, 1))
            #expect(abs(try r.double("decode_gpu_hours") - decode) <= 1e-12 * max(decode, 1))
            #expect(try r.int("day_key") == r.int("day"))
        }
        // The all-models rows are the sums of the models'; hours add up to days.
        let sums = try connection.queryOne(
            """
            SELECT (SELECT SUM(prefill_gpu_hours) FROM v_daily_phase WHERE model = 'all') AS all_days,
                (SELECT SUM(prefill_gpu_hours) FROM v_daily_phase WHERE model <> 'all') AS model_days,
                (SELECT SUM(prefill_gpu_hours) FROM v_hourly_gpu_hours WHERE model_id = 0) AS all_hours
            """)
        let allDays = try sums.double("all_days")
        #expect(allDays > 0)
        #expect(abs(allDays - (try sums.double("model_days"))) <= 1e-9 * allDays)
        #expect(abs(allDays - (try sums.double("all_hours"))) <= 1e-9 * allDays)
        // The plan was stored for every horizon, quantile and phase of the baseline.
        let pools = try connection.queryOne(
            """
            SELECT COUNT(DISTINCT horizon || '/' || quantile || '/' || phase) AS n FROM capacity_plans
            WHERE pipeline = 'stages' AND scenario = 'baseline' AND phase IN ('prefill', 'decode') AND horizon <> 'today'
            """
        ).int("n")
        #expect(pools == 2 * 3 * 2)
    }

    @Test func aCostedModelIsEstimatedOnceAndPlannedWithThatEstimate() throws {
        let dir = TemporaryDirectory()
        let pipeline = try checked(pipelineText(dir))
        _ = try PipelineRunner(pipeline: pipeline, waitSeconds: 0, log: { _ in }).run()
        let connection = try Connection(path: dir.file("fleet.db"))
        let catalog = try CatalogTables.load(connection)
        let costs = try CostStage(connection: connection, catalog: catalog).run()
        #expect(
            costs.map(\.model).sorted() == ["chat-70b", "code-32b", "meta.llama3-1-8b-instruct-v1:0", "reasoner-120b"])
        for cost in costs {
            let fresh = try CostEstimator(catalog: catalog).estimate(
                cost.deployment.profile, workload: cost.deployment.workload)
            #expect(fresh == cost.estimate, "\(cost.model)")
            let stored = try connection.queryOne(
                "SELECT decode_s_per_token, profile FROM model_costs WHERE model_id = ?", [.integer(cost.modelID)])
            #expect(try stored.double("decode_s_per_token") == cost.estimate.coefficients.decodePerToken)
            #expect(try stored.text("profile") == "default")
        }
    }

    @Test func aSeriesWithANonFiniteDayIsNamedAndTheRestOfTheFleetIsForecast() throws {
        let dir = TemporaryDirectory()
        _ = try PipelineRunner(pipeline: try checked(pipelineText(dir)), waitSeconds: 0, log: { _ in }).run()
        let connection = try Connection(path: dir.file("fleet.db"))
        // An overflow upstream: one model's decode costs more than a double holds.
        try connection.run(
            "UPDATE model_costs SET decode_s_per_token = 1e308 WHERE model_id = (SELECT model_id FROM models WHERE name = 'code-32b')"
        )
        let outcome = try ForecastStage(connection: connection, horizonDays: 21, eventDays: [], pipeline: "other").run()
        #expect(outcome.unusableSeries >= 1)
        #expect(outcome.summary.contains("code-32b gpu hours (decode) is not forecast"), "\(outcome.summary)")
        let forecastModels = try connection.query(
            """
            SELECT DISTINCT m.name FROM forecasts f JOIN models m ON m.model_id = f.model_id
            WHERE f.run_id = ? AND f.series = 'gpu_hours' AND f.phase = 'decode'
            """, [.integer(outcome.runID)]
        ).map { try $0.text("name") }
        #expect(forecastModels.contains("chat-70b") && !forecastModels.contains("code-32b"))
        let stored = try connection.queryOne(
            "SELECT COUNT(*) AS n FROM forecasts WHERE run_id = ? AND (yhat > 1e300 OR yhat <> yhat)",
            [.integer(outcome.runID)]
        ).int("n")
        #expect(stored == 0)
    }

    @Test func theFleetsForecastIsExactlyTheSumOfItsModelsInTheDatabaseAndTheReport() throws {
        let dir = TemporaryDirectory()
        let outcome = try PipelineRunner(pipeline: try checked(pipelineText(dir)), waitSeconds: 0, log: { _ in }).run()
        let connection = try Connection(path: dir.file("fleet.db"))
        let run = try connection.queryOne("SELECT MAX(run_id) AS id FROM forecast_runs WHERE pipeline = 'stages'").int(
            "id")
        let rows = try connection.query(
            """
            SELECT f.series, f.phase, f.day, f.yhat AS fleet, SUM(m.yhat) AS models, COUNT(m.yhat) AS parts
            FROM forecasts f JOIN forecasts m
              ON m.run_id = f.run_id AND m.series = f.series AND m.phase = f.phase AND m.day = f.day AND m.model_id <> 0
            WHERE f.run_id = ? AND f.model_id = 0
            GROUP BY f.series, f.phase, f.day
            """, [.integer(run)])
        #expect(rows.count > 0)
        for row in rows {
            let fleet = try row.double("fleet")
            let models = try row.double("models")
            let series = try row.text("series")
            #expect(try row.int("parts") == 4)
            #expect(abs(fleet - models) <= 1e-9 * max(abs(fleet), 1e-12), "\(series)")
        }
        // The report's forecast.csv carries the same fleet numbers.
        let directory = try #require(outcome.reportDirectory)
        let csv = try String(contentsOfFile: directory + "/forecast.csv", encoding: .utf8)
        let header = csv.split(separator: "\n")[0].split(separator: ",").map(String.init)
        let stored = try connection.query(
            "SELECT day, phase, yhat FROM forecasts WHERE run_id = ? AND model_id = 0 AND series = 'gpu_hours'",
            [.integer(run)])
        var byDayPhase: [String: Double] = [:]
        for row in stored {
            byDayPhase["\(CalendarDay.format(try row.int("day")))/\(try row.text("phase"))"] = try row.double("yhat")
        }
        let dayColumn = try #require(header.firstIndex(of: "ds"))
        let phaseColumn = try #require(header.firstIndex(of: "phase"))
        let pointColumn = try #require(header.firstIndex(of: "yhat"))
        var compared = 0
        for line in csv.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard let expected = byDayPhase["\(fields[dayColumn])/\(fields[phaseColumn])"],
                let value = Double(fields[pointColumn])
            else { continue }
            #expect(abs(value - expected) <= 1e-5 * max(abs(expected), 1e-9), "\(line)")
            compared += 1
        }
        #expect(compared > 0)
    }
}
