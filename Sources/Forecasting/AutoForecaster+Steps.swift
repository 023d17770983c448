/// The steps of `AutoForecaster.forecastClean`: backtest, choose, forecast, calibrate.
extension AutoForecaster {
    /// Every method's rolling-origin backtest on one series.
    struct Backtest {
        /// Points each window forecasts (shorter than the horizon on a short history).
        var horizon: Int
        var windows: Int
        /// Each method's (and combination's) forecasts, per window, oldest first.
        var forecasts: [String: [[Double]]]
        var actuals: [[Double]]
        /// The MASE scale of each window's training data.
        var scales: [Double]
        /// Mean MASE over the windows of every method that ran in all of them.
        var scores: [String: Double]
    }

    /// Backtests every method (and the median and the mean of the best three) on windows that
    /// each forecast `horizon` points; the history must keep at least half the series.
    func backtest(_ y: [Double], actual: [Double], h: Int) -> Backtest {
        let n = y.count
        let hb = min(h, max(1, n / 4))
        let usableWindows = min(windows, max(0, (n / 2) / hb))
        var backtests: [String: [[Double]]] = [:]
        var actuals: [[Double]] = []
        var scales: [Double] = []
        for w in stride(from: usableWindows, through: 1, by: -1) {
            let cut = n - w * hb
            let train = Array(y[..<cut])
            actuals.append(Array(actual[cut..<(cut + hb)]))
            scales.append(Self.scale(train, season: scaleSeason))
            for method in methods {
                if let f = method.forecast(train, hb) {
                    backtests[method.name, default: []].append(f)
                } else {
                    backtests[method.name] = nil
                }
            }
        }
        var candidates = methods.filter { backtests[$0.name]?.count == usableWindows }.map(\.name)
        if combinations && usableWindows > 0 && candidates.count >= 3 {
            let members = candidates.map { backtests[$0] ?? [] }
            backtests["Median"] = (0..<usableWindows).map { w in Self.median(members.map { $0[w] }) }
            candidates.append("Median")
        }
        var scores: [String: Double] = [:]
        for name in candidates {
            scores[name] = Self.meanMASE(backtests[name] ?? [], actuals, scales)
        }
        if combinations && usableWindows > 0 {
            let ranked = methods.map(\.name).compactMap { name in scores[name].map { (name, $0) } }
                .sorted { $0.1 < $1.1 }.map(\.0)
            if ranked.count >= 3 {
                // Members in catalog order, so that one combination has one name.
                let top = methods.map(\.name).filter { ranked.prefix(3).contains($0) }
                let name = "Mean(\(top.joined(separator: ", ")))"
                let members = top.map { backtests[$0] ?? [] }
                let combined = (0..<usableWindows).map { w in Self.mean(members.map { $0[w] }) }
                backtests[name] = combined
                scores[name] = Self.meanMASE(combined, actuals, scales)
            }
        }
        return Backtest(
            horizon: hb, windows: usableWindows, forecasts: backtests, actuals: actuals, scales: scales,
            scores: scores)
    }

    /// The method with the lowest backtest error, unless the incumbent is within the margin a
    /// challenger must clear; without a backtest, the first method that runs, or Naive.
    func choose(_ backtest: Backtest, _ y: [Double], _ h: Int, notes: inout [String]) -> String {
        let scores = backtest.scores
        if let best = scores.filter({ $0.value.isFinite }).min(by: {
            $0.value < $1.value || ($0.value == $1.value && $0.key < $1.key)
        }) {
            // The incumbent stays unless a challenger's backtest error is clearly lower: a few
            // windows rank close methods by chance.
            if let incumbent, incumbent != best.key, let score = scores[incumbent],
                score <= best.value * (1 + challengerMargin)
            {
                notes.append(
                    "\(best.key) backtested \(String(format: "%.1f", 100 * (1 - best.value / score))) % better than \(incumbent), "
                        + "within the \(Int(100 * challengerMargin)) % margin a challenger must clear: \(incumbent) is kept"
                )
                return incumbent
            }
            return best.key
        }
        if let runnable = methods.first(where: { $0.forecast(y, h) != nil }) {
            notes.append("no backtest was possible: \(runnable.name) is used without a check of its accuracy")
            return runnable.name
        }
        let fewest = methods.map(\.minimumLength).min() ?? 1
        notes.append(
            "\(y.count) periods are too few for \(methods.map(\.name).joined(separator: ", ")) (the least needs \(fewest)): the last value is repeated"
        )
        return ForecastMethod.naive.name
    }

    /// The chosen method's forecast from the whole history, or Naive's when it fails.
    func finalForecast(named chosen: String, _ y: [Double], _ h: Int, notes: inout [String]) -> [Double] {
        let naive = ForecastMethod.naive.forecast(y, h) ?? [Double](repeating: y.last ?? 0, count: h)
        guard let point = forecast(named: chosen, y, h) else {
            notes.append("\(chosen) failed on the whole history; Naive is used")
            return naive
        }
        return point.isEmpty ? naive : point
    }

    /// Errors to calibrate the intervals on: in each backtest window, the errors of the method
    /// the other windows would have chosen (so that the choice's optimism does not narrow the
    /// bands), then older windows where only the chosen method runs, while at least half the
    /// history remains.
    func intervalErrors(_ backtest: Backtest, chosen: String, _ y: [Double], actual: [Double]) -> [[Double]] {
        let actuals = backtest.actuals
        let hb = backtest.horizon
        var errors: [[Double]] = []
        for w in 0..<actuals.count {
            var pick = chosen
            if actuals.count >= 2 {
                let others = (0..<actuals.count).filter { $0 != w }
                let heldOut = backtest.scores.keys.compactMap { name -> (String, Double)? in
                    guard let forecasts = backtest.forecasts[name], forecasts.count == actuals.count else { return nil }
                    let score = Self.meanMASE(
                        others.map { forecasts[$0] }, others.map { actuals[$0] }, others.map { backtest.scales[$0] })
                    return score.isFinite ? (name, score) : nil
                }
                if let best = heldOut.min(by: { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }) { pick = best.0 }
            }
            if let forecasts = backtest.forecasts[pick], forecasts.count == actuals.count {
                errors.append((0..<hb).map { actuals[w][$0] - forecasts[w][$0] })
            }
        }
        guard !errors.isEmpty, calibrationWindows > 0 else { return errors }
        let n = y.count
        for extra in 1...calibrationWindows {
            let cut = n - (backtest.windows + extra) * hb
            guard cut >= n / 2 else { break }
            guard let f = forecast(named: chosen, Array(y[..<cut]), hb) else { break }
            errors.append((0..<hb).map { actual[cut + $0] - f[$0] })
        }
        return errors
    }
}
