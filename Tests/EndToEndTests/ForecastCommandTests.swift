import Foundation
import Store
import TestSupport
import Testing

/// The fixture `gpu_hours_daily.csv`, read here without phasecast: id → (days, values).
private func readFixtureSeries() throws -> [(id: String, days: [String], values: [Double])] {
    let text = try String(contentsOfFile: Fixtures.path("gpu_hours_daily.csv"), encoding: .utf8)
    var series: [(id: String, days: [String], values: [Double])] = []
    for line in text.split(separator: "\n").dropFirst() {
        let fields = line.split(separator: ",").map(String.init)
        if series.last?.id != fields[0] { series.append((fields[0], [], [])) }
        series[series.count - 1].days.append(fields[1])
        series[series.count - 1].values.append(Double(fields[2])!)
    }
    return series
}

/// A forecast file's rows as dictionaries of its header's columns.
private func readRows(_ path: String) throws -> (header: String, rows: [[String: String]]) {
    let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    let names = lines[0].split(separator: ",").map(String.init)
    let rows = lines.dropFirst().map { line in
        Dictionary(
            uniqueKeysWithValues: zip(
                names, line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)))
    }
    return (lines[0], rows)
}

/// The numbers of the stdout table's row for `model`.
private func tableRow(_ stdout: String, model: String) -> [Double] {
    guard let line = stdout.split(separator: "\n").first(where: { $0.hasPrefix("| \(model) |") }) else { return [] }
    return line.split(separator: "|").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) }.compactMap(
        Double.init)
}

@Suite struct BacktestCommandTests {
    @Test func seasonalNaiveForecastsAndScoresMatchAnIndependentComputation() throws {
        let dir = TemporaryDirectory()
        let out = dir.file("bt.csv")
        let h = 7
        let windows = 3
        let result = try Phasecast.run([
            "backtest", "--series", Fixtures.path("gpu_hours_daily.csv"), "--freq", "D", "--horizon", "\(h)",
            "--windows", "\(windows)", "--season", "7", "--models", "SeasonalNaive,auto", "--out", out,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let (header, rows) = try readRows(out)
        #expect(header == "unique_id,cutoff,ds,yhat,lo80,hi80,lo95,hi95,model")
        let fixture = try readFixtureSeries()
        #expect(rows.count == fixture.count * windows * h * 2)

        // Seasonal naive by hand: window k trains on the first n − h − k·h days.
        var maseSum = 0.0
        var smapeSum = 0.0
        for series in fixture {
            let n = series.values.count
            for k in 0..<windows {
                let cut = n - h - k * h
                let train = Array(series.values[..<cut])
                let scale = (7..<cut).reduce(0.0) { $0 + abs(train[$1] - train[$1 - 7]) } / Double(cut - 7)
                let got = rows.filter {
                    $0["unique_id"] == series.id && $0["model"] == "SeasonalNaive(7)"
                        && $0["cutoff"] == series.days[cut - 1]
                }
                #expect(got.count == h, "\(series.id) window \(k)")
                var absoluteError = 0.0
                var smape = 0.0
                for (j, row) in got.enumerated() {
                    let expected = train[cut - 7 + j % 7]
                    #expect(row["ds"] == series.days[cut + j])
                    #expect(abs(Double(row["yhat"]!)! - expected) <= 1e-6 * expected)
                    let actual = series.values[cut + j]
                    absoluteError += abs(actual - expected)
                    smape += 200 * abs(actual - expected) / (abs(actual) + abs(expected))
                }
                maseSum += absoluteError / Double(h) / scale
                smapeSum += smape / Double(h)
            }
        }
        let count = Double(fixture.count * windows)
        let scored = tableRow(result.stdout, model: "SeasonalNaive(7)")
        #expect(scored.count == 5, "\(result.stdout)")
        guard scored.count == 5 else { return }
        #expect(scored[0] == count)
        #expect(abs(scored[1] - maseSum / count) <= 0.0005 + 1e-9, "MASE \(scored[1]) vs \(maseSum / count)")
        #expect(abs(scored[2] - smapeSum / count) <= 0.005 + 1e-9, "sMAPE \(scored[2]) vs \(smapeSum / count)")

        // The table's coverage is the share of actuals inside the file's bounds.
        for model in ["SeasonalNaive(7)", "auto"] {
            var inside80 = 0
            var inside95 = 0
            let modelRows = rows.filter { $0["model"] == model }
            for row in modelRows {
                let series = fixture.first { $0.id == row["unique_id"] }!
                let actual = series.values[series.days.firstIndex(of: row["ds"]!)!]
                if actual >= Double(row["lo80"]!)! && actual <= Double(row["hi80"]!)! { inside80 += 1 }
                if actual >= Double(row["lo95"]!)! && actual <= Double(row["hi95"]!)! { inside95 += 1 }
            }
            let table = tableRow(result.stdout, model: model)
            #expect(abs(table[3] - Double(inside80) / Double(modelRows.count)) <= 0.0005 + 1e-9, "\(model) Cov80")
            #expect(abs(table[4] - Double(inside95) / Double(modelRows.count)) <= 0.0005 + 1e-9, "\(model) Cov95")
        }
        // Automatic forecasts: ordered bounds, never negative.
        for row in rows where row["model"] == "auto" {
            let values = ["lo95", "lo80", "yhat", "hi80", "hi95"].map { Double(row[$0]!)! }
            #expect(values[0] >= 0 && values == values.sorted(), "\(row)")
        }
        #expect(result.stdout.contains("auto chose: "))
    }

    @Test(arguments: [
        (["--freq", "W"], "--freq must be D or H"),
        (["--models", "Prophet"], "unknown model 'Prophet'"),
        (["--season", "0"], "--season must be periods"),
        (["--windows", "0"], "--windows must be at least 1"),
    ])
    func badOptionsAreUsageErrors(extra: [String], message: String) throws {
        let dir = TemporaryDirectory()
        let result = try Phasecast.run(
            [
                "backtest", "--series", Fixtures.path("gpu_hours_daily.csv"), "--horizon", "7", "--out",
                dir.file("x.csv"),
            ] + extra)
        #expect(result.status == 64 && result.stderr.contains(message), "\(result.stderr)")
    }

    @Test func badSeriesFilesNameTheFileAndLine() throws {
        let dir = TemporaryDirectory()
        let noColumn = dir.write("a.csv", "id,ds,y\nx,2024-01-01,3\n")
        let badValue = dir.write("b.csv", "unique_id,ds,y\nx,2024-01-01,3\nx,2024-01-02,lots\n")
        let one = try Phasecast.run(["backtest", "--series", noColumn, "--horizon", "2", "--out", dir.file("o.csv")])
        #expect(one.status == 65 && one.stderr.contains("a.csv: no column unique_id"), "\(one.stderr)")
        let two = try Phasecast.run(["backtest", "--series", badValue, "--horizon", "2", "--out", dir.file("o.csv")])
        #expect(two.status == 65 && two.stderr.contains("b.csv: line 3: y 'lots' is not a number"), "\(two.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("o.csv")))
    }
}

@Suite struct ForecastCommandTests {
    @Test func seriesAreForecastPastTheirLastDay() throws {
        let dir = TemporaryDirectory()
        let out = dir.file("f.csv")
        let result = try Phasecast.run([
            "forecast", "--series", Fixtures.path("gpu_hours_daily.csv"), "--freq", "D", "--horizon", "14", "--out",
            out,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let (header, rows) = try readRows(out)
        #expect(header == "unique_id,cutoff,ds,yhat,lo80,hi80,lo95,hi95,model")
        #expect(rows.count == 2 * 14)
        let first = rows.filter { $0["unique_id"] == "c00_prefill" }
        #expect(first.allSatisfy { $0["cutoff"] == "2024-04-07" })
        #expect(first.first?["ds"] == "2024-04-08" && first.last?["ds"] == "2024-04-21")
        // The choice and its backtest error are reported per series.
        #expect(result.stdout.contains("| c00_prefill | auto | "))
        #expect(result.stdout.contains("| c00_decode | auto | "))
    }

    /// Azure-format request logs of `days` days, two requests an hour, growing, with a weekly
    /// dip; the last day stops at noon.
    func writeLogs(_ dir: TemporaryDirectory, days: Int) -> String {
        var text = "TIMESTAMP,ContextTokens,GeneratedTokens\n"
        let start = 1_717_200_000 - 1_717_200_000 % 86_400  // a midnight UTC
        for day in 0..<days {
            let weekend = day % 7 >= 5
            for hour in 0..<(day == days - 1 ? 12 : 24) {
                for request in 0..<2 {
                    let seconds = start + day * 86_400 + hour * 3_600 + request * 1_200
                    let stamp = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(seconds)))
                    let prompt = (weekend ? 600 : 1_000) + 10 * day + 37 * request
                    let output = 200 + 2 * day + hour
                    text += "\(stamp.dropLast().replacingOccurrences(of: "T", with: " ")).0000000,\(prompt),\(output)\n"
                }
            }
        }
        return dir.write("logs.csv", text)
    }

    @Test func aDatabaseIsForecastPerPhaseAndStoredBehindTheView() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("p.db")
        let ingest = try Phasecast.run(["ingest", "--db", db, "-q", "--model", "chat", writeLogs(dir, days: 50)])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let run = try Phasecast.run(["forecast", "--db", db, "--horizon", "2w"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("partial and left out"), "\(run.stderr)")
        let connection = try Connection(path: db)
        let series = try connection.rows(
            "SELECT series, phase, model, COUNT(*), MIN(ds), MAX(ds), MIN(cutoff), MIN(lo95 <= yhat AND yhat <= hi95 AND lo95 >= 0) FROM v_forecasts GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
        )
        // Three kinds × two phases × (all, chat).
        #expect(series.count == 12)
        for row in series {
            #expect(row[3].integer == 14, "\(row)")
            // History runs through the 49th day; the 50th is partial, left out and not forecast.
            #expect(row[6].text == "2024-07-19", "\(row)")
            #expect(row[4].text == "2024-07-21" && row[5].text == "2024-08-03", "\(row)")
            #expect(row[7].integer == 1, "\(row)")
        }
        // Each model's series is forecast and backtested; the fleet's is the sum of the models'.
        let methods = try connection.rows(
            "SELECT DISTINCT model = 'all', forecasting_model, backtest_mase IS NOT NULL FROM v_forecasts")
        #expect(
            methods.allSatisfy { $0[0].integer == 1 ? $0[1].text == "sum of 1 model" : $0[2].integer == 1 },
            "\(methods)")
        // Bottom-up: the fleet's point forecast is the sum of the models', day by day.
        let mismatches = try connection.rows(
            """
            SELECT COUNT(*) FROM v_forecasts t
            JOIN (SELECT run_id, series, phase, ds, SUM(yhat) AS total FROM v_forecasts WHERE model <> 'all'
                  GROUP BY 1, 2, 3, 4) p USING (run_id, series, phase, ds)
            WHERE t.model = 'all' AND abs(t.yhat - p.total) > 1e-9 * max(1, abs(p.total))
            """)
        #expect(mismatches == [[.integer(0)]])
        // A second run is kept beside the first; the latest view shows only it.
        _ = try Phasecast.run(["forecast", "--db", db, "--horizon", "7"])
        #expect(try connection.rows("SELECT COUNT(DISTINCT run_id) FROM v_forecasts")[0][0].integer == 2)
        #expect(try connection.rows("SELECT DISTINCT run_id FROM v_forecasts_latest") == [[.integer(2)]])
        #expect(try connection.rows("SELECT COUNT(*) FROM v_forecasts_latest")[0][0].integer == 12 * 7)
    }

    @Test func anEmptyDatabaseIsADataError() throws {
        let dir = TemporaryDirectory()
        let result = try Phasecast.run(["forecast", "--db", dir.file("empty.db")])
        #expect(result.status == 65 && result.stderr.contains("no daily rollups"), "\(result.stderr)")
    }
}
