import Foundation

/// Interval offsets from backtest errors: split conformal with a horizon scale, the series' own
/// errors shrunk toward its pool's.
enum ConformalIntervals {
    /// Offsets from the point forecast per step 1…h, in units of the series' MASE scale.
    struct Bands {
        var lower80: [Double]
        var upper80: [Double]
        var lower95: [Double]
        var upper95: [Double]
        /// No backtest error was there to calibrate on: the bands are a random walk's.
        var fallback = false
    }

    /// Normalized error quantiles and the curve they scale with.
    struct Calibration {
        var lo80: Double
        var hi80: Double
        var lo95: Double
        var hi95: Double
        /// Spread at step k is `level`·k^`growth`.
        var level: Double
        var growth: Double
        var rows: Int
    }

    /// Scaled errors[window][step] of the series and of its pool → offsets per step. For each
    /// set, the spread's growth with the horizon is fitted as a·k^b to the mean absolute error
    /// per step (b between 0 and 1); errors divided by the curve give quantiles with the
    /// finite-sample correction. The series' quantiles and curve are shrunk toward the pool's by
    /// its number of windows k, k / (k + `poolWeight`). Without errors: a random walk's growth.
    static func bands(
        own: [[Double]], pooled: [[Double]], poolWeight: Double, horizon h: Int, fallbackScale: Double
    ) -> Bands {
        let mine = calibrate(own)
        let pool = pooled.count > own.count ? calibrate(pooled) : nil
        guard let calibration = combine(mine, pool, poolWeight: poolWeight) else {
            let z80 = 1.2816
            let z95 = 1.96
            let grow = (0..<h).map { fallbackScale * Double($0 + 1).squareRoot() }
            return Bands(
                lower80: grow.map { -z80 * $0 }, upper80: grow.map { z80 * $0 }, lower95: grow.map { -z95 * $0 },
                upper95: grow.map { z95 * $0 }, fallback: true)
        }
        let grow = (0..<h).map { max(calibration.level * pow(Double($0 + 1), calibration.growth), 1e-12) }
        return Bands(
            lower80: grow.map { min(0, calibration.lo80) * $0 }, upper80: grow.map { max(0, calibration.hi80) * $0 },
            lower95: grow.map { min(0, calibration.lo95) * $0 }, upper95: grow.map { max(0, calibration.hi95) * $0 })
    }

    /// The series' calibration shrunk toward the pool's (either may be missing).
    static func combine(_ own: Calibration?, _ pool: Calibration?, poolWeight: Double) -> Calibration? {
        guard let own else { return pool }
        guard let pool else { return own }
        let w = Double(own.rows) / (Double(own.rows) + poolWeight)
        func mix(_ a: Double, _ b: Double) -> Double { w * a + (1 - w) * b }
        // The level mixes geometrically: spreads differ by orders of magnitude between series.
        return Calibration(
            lo80: mix(own.lo80, pool.lo80), hi80: mix(own.hi80, pool.hi80), lo95: mix(own.lo95, pool.lo95),
            hi95: mix(own.hi95, pool.hi95), level: exp(mix(log(own.level), log(pool.level))),
            growth: mix(own.growth, pool.growth), rows: own.rows)
    }

    /// Quantiles of errors normalized by their fitted horizon curve; nil under 8 errors.
    static func calibrate(_ errors: [[Double]]) -> Calibration? {
        let steps = errors.map(\.count).min() ?? 0
        guard steps > 0, errors.count * steps >= 8 else { return nil }
        var mae = [Double](repeating: 0, count: steps)
        for k in 0..<steps { mae[k] = errors.reduce(0) { $0 + abs($1[k]) } / Double(errors.count) + 1e-12 }
        var b = 0.0
        if steps >= 2 {
            let xs = (1...steps).map { log(Double($0)) }
            let ys = mae.map { log($0) }
            let mx = xs.reduce(0, +) / Double(steps)
            let my = ys.reduce(0, +) / Double(steps)
            var sxy = 0.0
            var sxx = 0.0
            for i in 0..<steps {
                sxy += (xs[i] - mx) * (ys[i] - my)
                sxx += (xs[i] - mx) * (xs[i] - mx)
            }
            b = sxx > 0 ? min(1, max(0, sxy / sxx)) : 0
        }
        // Level a so that the curve matches the errors' overall size.
        let level = max((0..<steps).reduce(0) { $0 + mae[$1] / pow(Double($1 + 1), b) } / Double(steps), 1e-12)
        var scaled: [Double] = []
        scaled.reserveCapacity(errors.count * steps)
        for window in errors { for k in 0..<steps { scaled.append(window[k] / (level * pow(Double(k + 1), b))) } }
        scaled.sort()
        func quantile(_ p: Double) -> Double {
            // Split-conformal rank: ⌈(n + 1)p⌉ of n, clamped.
            let n = scaled.count
            let rank = min(max(Int((Double(n + 1) * p).rounded(.up)), 1), n)
            return scaled[rank - 1]
        }
        return Calibration(
            lo80: quantile(0.10), hi80: quantile(0.90), lo95: quantile(0.025), hi95: quantile(0.975), level: level,
            growth: b, rows: errors.count)
    }
}
