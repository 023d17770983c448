import Foundation

/// The steps of `AutoForecaster.forecast(pool:h:)`: prepare (clean and backtest), choose,
/// finish (forecast and calibrate).
extension AutoForecaster {
    /// Every method's rolling-origin backtest on one series.
    struct Backtest: Sendable {
        /// Points each window forecasts (shorter than the horizon on a short history).
        var horizon: Int
        /// Periods between origins.
        var step: Int
        var windows: Int
        /// Each method's (and combination's) forecasts, per window, oldest first.
        var forecasts: [String: [[Double]]]
        var actuals: [[Double]]
        /// The MASE scale of each window's training data.
        var scales: [Double]
        /// Mean MASE over the windows of every method that ran in all of them.
        var scores: [String: Double]
        /// The methods with their form fixed on the history before the first origin; the same
        /// serve the final forecast.
        var methods: [ForecastMethod]
    }

    /// One series, cleaned and backtested, before the choice.
    struct Prepared: Sendable {
        var raw: [Double]
        /// The MASE scale of the cleaned history: the unit the interval errors are pooled in.
        var scale: Double
        var values: [Double]
        var replaced: [Int]
        var backtest: Backtest
    }

    /// The method chosen for one series, why, and its backtest errors scaled by the series' MASE
    /// scale (one row per window, oldest first) for the intervals.
    struct Choice: Sendable {
        var name: String
        var notes: [String]
        var scaledErrors: [[Double]]
    }

    /// Cleans the series (a history ending on a known event day may lose that day too) and
    /// backtests every method on it.
    func prepare(_ raw: [Double], h: Int) -> Prepared {
        let cleaned =
            cleanOutliers && raw.count >= 2
            ? OutlierCleaner.clean(raw, period: scaleSeason, lastMayChange: events.contains(raw.count - 1))
            : OutlierCleaner.Cleaned(values: raw, replaced: [])
        return Prepared(
            raw: raw, scale: Self.scale(cleaned.values, season: scaleSeason), values: cleaned.values,
            replaced: cleaned.replaced, backtest: backtest(cleaned.values, actual: raw, h: h))
    }

    /// Backtests every method (and the median and the mean of the best three) at origins `step`
    /// apart, each forecasting up to `horizon` points; the history must keep at least half the
    /// series.
    func backtest(_ y: [Double], actual: [Double], h: Int) -> Backtest {
        let n = y.count
        let hb = min(h, max(1, n / 4))
        let step = min(backtestStep ?? hb, hb)
        let usableWindows = n < 4 ? 0 : min(windows, max(0, (n - n / 2 - hb) / step + 1))
        var backtests: [String: [[Double]]] = [:]
        var actuals: [[Double]] = []
        var scales: [Double] = []
        // Each method's form (an ETS model, ARIMA orders) is chosen once, on the history before
        // the first origin, and only its parameters are fitted again at every origin.
        let firstOrigin = usableWindows > 0 ? n - hb - (usableWindows - 1) * step : n
        let methods = self.methods.map { $0.specialized(for: Array(y[..<firstOrigin])) }
        for w in stride(from: usableWindows - 1, through: 0, by: -1) {
            let cut = n - hb - w * step
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
        let candidates = methods.filter { backtests[$0.name]?.count == usableWindows }.map(\.name)
        var scores: [String: Double] = [:]
        for name in candidates {
            scores[name] = Self.meanMASE(backtests[name] ?? [], actuals, scales)
        }
        // The mean of the best three, its members ranked on the other windows than the one it
        // forecasts, so that its score carries no optimism from choosing them.
        if combinations && usableWindows >= 2 {
            // Methods that ran in every window, with their forecasts.
            let single = methods.map(\.name).compactMap { name -> (name: String, forecasts: [[Double]])? in
                guard scores[name] != nil, let forecasts = backtests[name] else { return nil }
                return (name, forecasts)
            }
            if single.count >= 3 {
                var combined: [[Double]] = []
                for w in 0..<usableWindows {
                    let others = (0..<usableWindows).filter { $0 != w }
                    func score(_ forecasts: [[Double]]) -> Double {
                        Self.meanMASE(
                            others.map { forecasts[$0] }, others.map { actuals[$0] }, others.map { scales[$0] })
                    }
                    let scored: [(name: String, forecasts: [[Double]], score: Double)] = single.map {
                        ($0.name, $0.forecasts, score($0.forecasts))
                    }
                    let ranked = scored.sorted { a, b in a.score < b.score || (a.score == b.score && a.name < b.name) }
                    combined.append(Self.mean(ranked.prefix(3).map { $0.forecasts[w] }))
                }
                // Named by the members the whole backtest ranks best, in catalog order: the ones
                // the final forecast averages.
                let top = single.map(\.name).sorted { (scores[$0] ?? .infinity, $0) < (scores[$1] ?? .infinity, $1) }
                    .prefix(3)
                let name = "Mean(\(single.map(\.name).filter { top.contains($0) }.joined(separator: ", ")))"
                backtests[name] = combined
                scores[name] = Self.meanMASE(combined, actuals, scales)
            }
        }
        return Backtest(
            horizon: hb, step: step, windows: usableWindows, forecasts: backtests, actuals: actuals, scales: scales,
            scores: scores, methods: methods)
    }

    /// Chooses a method for a prepared series: its own backtest, weighed against the pool's
    /// skill (`PoolEvidence.skill`) by the number of its windows and by how far the pool's series
    /// agree (`poolOwnWeight`, from `PoolEvidence.ownWeight`); the incumbent stays unless a
    /// challenger clears the margin. Then the chosen method's errors for the intervals.
    func choose(
        _ prepared: Prepared, h: Int, poolSkill: [String: Double], poolSize: Int, poolOwnWeight: Double? = nil
    ) -> Choice {
        var notes: [String] = []
        let y = prepared.values
        let backtest = prepared.backtest
        let name = chooseName(
            backtest, y, h, poolSkill: poolSkill, poolSize: poolSize, poolOwnWeight: poolOwnWeight, notes: &notes)
        let errors = intervalErrors(backtest, chosen: name, y, actual: prepared.raw)
        return Choice(name: name, notes: notes, scaledErrors: errors.map { $0.map { $0 / prepared.scale } })
    }

    func chooseName(
        _ backtest: Backtest, _ y: [Double], _ h: Int, poolSkill: [String: Double], poolSize: Int,
        poolOwnWeight: Double? = nil, notes: inout [String]
    ) -> String {
        let own = backtest.scores.filter { $0.value.isFinite }
        guard let ownBest = own.min(by: { $0.value < $1.value || ($0.value == $1.value && $0.key < $1.key) }) else {
            if let runnable = backtest.methods.first(where: { $0.forecast(y, h) != nil }) {
                notes.append("no backtest was possible: \(runnable.name) is used without a check of its accuracy")
                return runnable.name
            }
            let fewest = methods.map(\.minimumLength).min() ?? 1
            notes.append(
                "\(y.count) periods are too few for \(methods.map(\.name).joined(separator: ", ")) (the least needs \(fewest)): the last value is repeated"
            )
            return ForecastMethod.naive.name
        }
        // Each score relative to the series' best, shrunk toward the pool's relative skill.
        // The own backtest counts k / (k + poolWeight) at most, and less when the pool's series
        // agree on which methods do well more than their windows disagree (`PoolEvidence.ownWeight`).
        let windowWeight = Double(backtest.windows) / (Double(backtest.windows) + poolWeight)
        let weight = poolSize > 1 ? min(windowWeight, poolOwnWeight ?? windowWeight) : 1
        let floor = max(ownBest.value, 1e-12)
        var shrunk: [String: Double] = [:]
        for (name, score) in own {
            let relative = max(score, 1e-12) / floor
            let pooled = poolSize > 1 ? poolSkill[PoolEvidence.key(name)] ?? relative : relative
            shrunk[name] = exp(weight * log(relative) + (1 - weight) * log(pooled)) * floor
        }
        guard let best = shrunk.min(by: { $0.value < $1.value || ($0.value == $1.value && $0.key < $1.key) })
        else { return ownBest.key }
        // The incumbent stays unless a challenger's error is clearly lower: a few windows rank
        // close methods by chance.
        if let incumbent, incumbent != best.key, let score = shrunk[incumbent],
            score <= best.value * (1 + challengerMargin)
        {
            let pooled = weight < 1 ? ", with the pool's evidence," : ""
            notes.append(
                "\(best.key) backtested\(pooled) \(String(format: "%.1f", 100 * (1 - best.value / score))) % better than \(incumbent), "
                    + "within the \(Int(100 * challengerMargin)) % margin a challenger must clear: \(incumbent) is kept"
            )
            return incumbent
        }
        if best.key != ownBest.key {
            notes.append(
                "\(ownBest.key) backtested best on this series over \(backtest.windows) window\(backtest.windows == 1 ? "" : "s"), "
                    + "but \(best.key) did better across the \(poolSize) series forecast with it: \(best.key) is used")
        }
        return best.key
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
        let oldest = n - hb - (backtest.windows - 1) * backtest.step
        for extra in 1...calibrationWindows {
            let cut = oldest - extra * backtest.step
            guard cut >= n / 2 else { break }
            guard let f = forecast(named: chosen, among: backtest.methods, Array(y[..<cut]), hb) else { break }
            errors.append((0..<hb).map { actual[cut + $0] - f[$0] })
        }
        return errors
    }

    /// Forecasts with the chosen method from the whole history and puts intervals around it from
    /// the series' scaled backtest errors and the pool's.
    func finish(_ prepared: Prepared, _ choice: Choice, h: Int, pooledErrors: [[Double]]) -> Result {
        let y = prepared.values
        let n = y.count
        var notes: [String] = []
        guard n >= 2 else {
            let value = y.first ?? 0
            notes.append("\(n) observation\(n == 1 ? "" : "s"): the last value is repeated, with no interval")
            let flat = [Double](repeating: value, count: h)
            return Result(
                point: flat, lower80: flat, upper80: flat, lower95: flat, upper95: flat, model: "Naive",
                backtestMASE: nil, notes: notes)
        }
        let backtest = prepared.backtest
        if backtest.horizon < h && !backtest.scores.isEmpty {
            notes.append("backtest horizon shortened to \(backtest.horizon) of \(h) periods: the history is short")
        }
        notes += choice.notes
        var model = choice.name
        var ownErrors = choice.scaledErrors
        var point = finalForecast(named: model, among: backtest.methods, y, h, notes: &notes)
        // A forecast below zero of a series that never was is a method gone wrong on the whole
        // history (an MSTL trend running away on a steep weekly season), whatever its backtest.
        // (The series as logged: cleaning may have replaced a day at zero.)
        if prepared.raw.allSatisfy({ $0 > 0 }), point.contains(where: { $0 < 0 }),
            let replacement = positiveAlternative(to: model, backtest, y, h)
        {
            notes.append(
                "\(model) forecast values below zero for a series that never was at or below zero: \(replacement.name), the next best in the backtest, is used"
            )
            model = replacement.name
            point = replacement.point
            // The intervals calibrate on the backtest errors of the method used.
            ownErrors = intervalErrors(backtest, chosen: model, y, actual: prepared.raw).map {
                $0.map { $0 / prepared.scale }
            }
        }
        let nonNegative = y.allSatisfy { $0 >= 0 }
        if nonNegative { point = point.map { max(0, $0) } }
        let scale = prepared.scale
        let bands = ConformalIntervals.bands(
            own: ownErrors, pooled: pooledErrors, poolWeight: max(poolWeight, intervalPoolWeight), horizon: h,
            fallbackScale: 1)
        var result = Result(
            point: point, lower80: [], upper80: [], lower95: [], upper95: [], model: model,
            backtestMASE: backtest.scores[model], notes: notes)
        for k in 0..<h {
            result.lower80.append(point[k] + scale * bands.lower80[k])
            result.upper80.append(point[k] + scale * bands.upper80[k])
            result.lower95.append(point[k] + scale * bands.lower95[k])
            result.upper95.append(point[k] + scale * bands.upper95[k])
        }
        if nonNegative {
            result.lower80 = result.lower80.map { max(0, $0) }
            result.lower95 = result.lower95.map { max(0, $0) }
        }
        if bands.fallback {
            result.notes.append("intervals from the series' seasonal differences: too short to backtest")
        }
        if !prepared.replaced.isEmpty {
            let shown = prepared.replaced.prefix(5).map { String($0 + 1) }.joined(separator: ", ")
            let count = prepared.replaced.count
            result.notes.append(
                "\(count) outlier\(count == 1 ? "" : "s") replaced by the fitted value before fitting (period \(shown)\(count > 5 ? ", …" : ""))"
            )
        }
        return result
    }

    /// The method with the lowest backtest error after `rejected` whose forecast from the whole
    /// history stays at or above zero, with that forecast.
    func positiveAlternative(
        to rejected: String, _ backtest: Backtest, _ y: [Double], _ h: Int
    ) -> (name: String, point: [Double])? {
        let ranked = backtest.scores.filter { $0.key != rejected && $0.value.isFinite }
            .sorted { ($0.value, $0.key) < ($1.value, $1.key) }
        for (name, _) in ranked {
            if let point = forecast(named: name, among: backtest.methods, y, h), point.allSatisfy({ $0 >= 0 }) {
                return (name, point)
            }
        }
        return nil
    }

    /// The chosen method's forecast from the whole history, or Naive's when it fails.
    func finalForecast(
        named chosen: String, among methods: [ForecastMethod], _ y: [Double], _ h: Int, notes: inout [String]
    ) -> [Double] {
        let naive = ForecastMethod.naive.forecast(y, h) ?? [Double](repeating: y.last ?? 0, count: h)
        guard let point = forecast(named: chosen, among: methods, y, h) else {
            notes.append("\(chosen) failed on the whole history; Naive is used")
            return naive
        }
        return point.isEmpty ? naive : point
    }
}

/// What the series of one pool tell each other.
enum PoolEvidence {
    /// The name a method's skill is pooled under: combinations of different members pool as one.
    static func key(_ name: String) -> String { name.hasPrefix("Mean(") ? "Mean(best 3)" : name }

    /// How much a series' own backtest should count against the pool's skill, estimated from the
    /// pool itself (an empirical-Bayes shrinkage weight): of the spread between series of each
    /// method's log error relative to the best of its window, the share that is not the noise
    /// with which windows rank methods. Near 1 when series differ in which methods suit them
    /// (M4 Hourly: about 0.9), low when they agree and only their windows disagree (Twitter
    /// volumes: 0.01–0.5). Nil under three series with two or more backtest windows.
    static func ownWeight(_ backtests: [AutoForecaster.Backtest]) -> Double? {
        // Per method: each series' mean log score relative to its window's best, and that mean's
        // sampling variance from the spread over windows.
        var means: [String: [Double]] = [:]
        var noises: [String: [Double]] = [:]
        var series = 0
        for backtest in backtests where backtest.windows >= 2 {
            let names = backtest.scores.keys.filter { backtest.forecasts[$0]?.count == backtest.windows }
            guard names.count >= 2 else { continue }
            series += 1
            var perWindow: [String: [Double]] = [:]
            for w in 0..<backtest.windows {
                let errors = names.map { name -> Double in
                    let forecast = backtest.forecasts[name]?[w] ?? []
                    return AutoForecaster.meanMASE([forecast], [backtest.actuals[w]], [backtest.scales[w]])
                }
                let best = max(errors.min() ?? 0, 1e-12)
                for (name, error) in zip(names, errors) {
                    perWindow[key(name), default: []].append(log(max(error, 1e-12) / best))
                }
            }
            for (name, values) in perWindow {
                let k = Double(values.count)
                let mean = values.reduce(0, +) / k
                let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (k - 1)
                means[name, default: []].append(mean)
                noises[name, default: []].append(variance / k)
            }
        }
        guard series >= 3 else { return nil }
        var between = 0.0
        var noise = 0.0
        var counted = 0.0
        for (name, values) in means where values.count >= 3 {
            let mean = values.reduce(0, +) / Double(values.count)
            let spread = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
            let sampling = (noises[name] ?? []).reduce(0, +) / Double(values.count)
            between += max(0, spread - sampling)
            noise += sampling
            counted += 1
        }
        guard counted > 0 else { return nil }
        between /= counted
        noise /= counted
        return between + noise > 0 ? between / (between + noise) : 1
    }

    /// Each method's skill across the pool: the geometric mean, over the series that backtested
    /// it, of its backtest MASE relative to that series' best method.
    static func skill(_ backtests: [AutoForecaster.Backtest]) -> [String: Double] {
        var logSums: [String: Double] = [:]
        var counts: [String: Int] = [:]
        for backtest in backtests {
            let finite = backtest.scores.filter { $0.value.isFinite }
            guard let best = finite.values.min() else { continue }
            for (name, score) in finite {
                let key = key(name)
                logSums[key, default: 0] += log(max(score, 1e-12) / max(best, 1e-12))
                counts[key, default: 0] += 1
            }
        }
        return logSums.mapValues { $0 }.reduce(into: [:]) { result, entry in
            result[entry.key] = exp(entry.value / Double(counts[entry.key] ?? 1))
        }
    }
}
