import Foundation

/// Seasonal-trend decomposition by LOESS (Cleveland, Cleveland, McRae & Terpenning, 1990):
/// y = seasonal + trend + remainder. The inner loop smooths cycle-subseries, removes their
/// low-pass part and smooths the deseasonalized series for the trend; the robust outer loop
/// reweights points by bisquare of their remainder, so that outliers do not bend the fit.
public struct STL: Sendable {
    public let period: Int
    public let seasonalWindow: Int
    /// Degree of the cycle-subseries smoother: 1 (locally linear, the paper's) or 0 (locally
    /// constant, R's and statsforecast's MSTL: a steadier season to extrapolate).
    public let seasonalDegree: Int
    public let trendWindow: Int
    public let lowPassWindow: Int
    public let innerIterations: Int
    public let outerIterations: Int

    public struct Decomposition: Sendable {
        public var seasonal: [Double]
        public var trend: [Double]
        public var remainder: [Double]
        /// Robustness weights of the last outer iteration (1 without robustness).
        public var weights: [Double]
    }

    /// Defaults of the original paper and of statsmodels: seasonal window 7 (odd), trend window
    /// the smallest odd integer ≥ 1.5·period / (1 − 1.5/seasonal), low-pass the smallest odd
    /// integer > period; robust: 1 inner and 15 outer iterations, else 2 inner and none outer.
    public init(
        period: Int, seasonalWindow: Int = 7, seasonalDegree: Int = 1, trendWindow: Int? = nil, robust: Bool = false,
        outerIterations: Int = 15
    ) {
        self.period = max(2, period)
        self.seasonalDegree = seasonalDegree == 0 ? 0 : 1
        let ns = Self.odd(max(3, seasonalWindow))
        self.seasonalWindow = ns
        let nt = trendWindow ?? Int((1.5 * Double(self.period) / (1 - 1.5 / Double(ns))).rounded(.up))
        self.trendWindow = Self.odd(max(3, nt))
        lowPassWindow = Self.odd(self.period + 1)
        innerIterations = robust ? 1 : 2
        self.outerIterations = robust ? outerIterations : 0
    }

    static func odd(_ value: Int) -> Int { value % 2 == 0 ? value + 1 : value }

    /// Decomposes `y` (at least two periods long).
    public func decompose(_ y: [Double]) -> Decomposition {
        let n = y.count
        var trend = [Double](repeating: 0, count: n)
        var season = [Double](repeating: 0, count: n)
        var weights = [Double](repeating: 1, count: n)
        var useWeights = false
        var outer = 0
        while true {
            innerLoop(y, &trend, &season, weights, useWeights)
            outer += 1
            if outer > outerIterations { break }
            weights = Self.robustnessWeights(y, trend, season)
            useWeights = true
        }
        if outerIterations <= 0 { weights = [Double](repeating: 1, count: n) }
        let remainder = (0..<n).map { y[$0] - trend[$0] - season[$0] }
        return Decomposition(seasonal: season, trend: trend, remainder: remainder, weights: weights)
    }

    private func innerLoop(
        _ y: [Double], _ trend: inout [Double], _ season: inout [Double], _ rw: [Double], _ useWeights: Bool
    ) {
        let n = y.count
        let np = period
        let jumpS = max(1, (seasonalWindow + 9) / 10)
        let jumpT = max(1, (trendWindow + 9) / 10)
        let jumpL = max(1, (lowPassWindow + 9) / 10)
        for _ in 0..<innerIterations {
            let detrended = (0..<n).map { y[$0] - trend[$0] }
            let cycle = cycleSubseries(detrended, rw, useWeights, jump: jumpS)  // n + 2·np
            let filtered = Self.movingAverage(Self.movingAverage(Self.movingAverage(cycle, np), np), 3)  // n
            let lowPass = Loess.smooth(filtered, span: lowPassWindow, degree: 1, jump: jumpL, weights: nil)
            for i in 0..<n { season[i] = cycle[np + i] - lowPass[i] }
            let deseasonalized = (0..<n).map { y[$0] - season[$0] }
            trend = Loess.smooth(
                deseasonalized, span: trendWindow, degree: 1, jump: jumpT, weights: useWeights ? rw : nil)
        }
    }

    /// Smooths each cycle-subseries and extends it one period before and after: length n + 2·period.
    private func cycleSubseries(_ x: [Double], _ rw: [Double], _ useWeights: Bool, jump: Int) -> [Double] {
        let n = x.count
        let np = period
        var out = [Double](repeating: 0, count: n + 2 * np)
        for j in 0..<np {
            let count = (n - 1 - j) / np + 1
            guard count > 0 else { continue }
            var sub = [Double](repeating: 0, count: count)
            var subWeights = [Double](repeating: 1, count: count)
            for i in 0..<count {
                sub[i] = x[i * np + j]
                if useWeights { subWeights[i] = rw[i * np + j] }
            }
            let w: [Double]? = useWeights ? subWeights : nil
            let smoothed = Loess.smooth(sub, span: seasonalWindow, degree: seasonalDegree, jump: jump, weights: w)
            // Extrapolate one point before (x = −1) and after (x = count).
            let before =
                Loess.estimate(
                    sub, at: -1, left: 0, right: min(seasonalWindow, count) - 1, span: seasonalWindow,
                    degree: seasonalDegree, weights: w)
                ?? smoothed[0]
            let after =
                Loess.estimate(
                    sub, at: Double(count), left: max(0, count - seasonalWindow), right: count - 1,
                    span: seasonalWindow, degree: seasonalDegree, weights: w)
                ?? smoothed[count - 1]
            out[j] = before
            for i in 0..<count { out[(i + 1) * np + j] = smoothed[i] }
            let afterIndex = (count + 1) * np + j
            if afterIndex < out.count { out[afterIndex] = after }
        }
        return out
    }

    /// Moving average of length `length`: output has x.count − length + 1 points.
    static func movingAverage(_ x: [Double], _ length: Int) -> [Double] {
        let n = x.count - length + 1
        guard n > 0 else { return [] }
        var out = [Double](repeating: 0, count: n)
        var sum = x[0..<length].reduce(0, +)
        out[0] = sum / Double(length)
        for i in 1..<n {
            sum += x[i + length - 1] - x[i - 1]
            out[i] = sum / Double(length)
        }
        return out
    }

    /// Bisquare weights of the remainder, scaled by six median absolute remainders.
    static func robustnessWeights(_ y: [Double], _ trend: [Double], _ season: [Double]) -> [Double] {
        let residuals = (0..<y.count).map { abs(y[$0] - trend[$0] - season[$0]) }
        let sorted = residuals.sorted()
        let n = sorted.count
        let h = 3 * (sorted[n / 2] + sorted[(n - 1) / 2])  // 6 × median
        return residuals.map { r in
            guard h > 0 else { return 1 }
            let u = r / h
            if u <= 0.001 { return 1 }
            if u <= 0.999 { return (1 - u * u) * (1 - u * u) }
            return 0
        }
    }
}

/// Locally weighted linear (or constant) regression with tricube weights.
enum Loess {
    /// The fit at position `at` (0-based, may lie outside the data) from points `left…right`.
    static func estimate(
        _ y: [Double], at x: Double, left: Int, right: Int, span: Int, degree: Int, weights: [Double]?
    ) -> Double? {
        let n = y.count
        guard left <= right, right < n else { return nil }
        var h = max(x - Double(left), Double(right) - x)
        if span > n { h += Double((span - n) / 2) }
        let h9 = 0.999 * h
        let h1 = 0.001 * h
        var total = 0.0
        var w = [Double](repeating: 0, count: right - left + 1)
        for j in left...right {
            let r = abs(Double(j) - x)
            guard r <= h9 else { continue }
            var weight = 1.0
            if r > h1 {
                let q = r / h
                let c = 1 - q * q * q
                weight = c * c * c
            }
            if let weights { weight *= weights[j] }
            w[j - left] = weight
            total += weight
        }
        guard total > 0 else { return nil }
        for k in w.indices { w[k] /= total }
        if h > 0 && degree > 0 {
            var mean = 0.0
            for j in left...right { mean += w[j - left] * Double(j) }
            var c = 0.0
            for j in left...right {
                let d = Double(j) - mean
                c += w[j - left] * d * d
            }
            let range = Double(n - 1)
            if c.squareRoot() > 0.001 * range {
                let b = (x - mean) / c
                for j in left...right { w[j - left] *= b * (Double(j) - mean) + 1 }
            }
        }
        var fit = 0.0
        for j in left...right { fit += w[j - left] * y[j] }
        return fit
    }

    /// The fit at point `i`; when every point of its window has zero robustness weight (a run of
    /// outliers wider than the window), the window doubles until it reaches weighted points, rather
    /// than returning the outlier itself.
    static func estimateWidening(
        _ y: [Double], at i: Int, left: Int, right: Int, span: Int, degree: Int, weights: [Double]?
    ) -> Double {
        var left = left
        var right = right
        var span = span
        while true {
            if let fit = estimate(
                y, at: Double(i), left: left, right: right, span: span, degree: degree, weights: weights)
            {
                return fit
            }
            if left == 0 && right == y.count - 1 { return y[i] }
            let grow = max(1, (right - left + 1) / 2)
            left = max(0, left - grow)
            right = min(y.count - 1, right + grow)
            span = right - left + 1
        }
    }

    /// Smooths a whole series with a window of `span` points, fitting every `jump`-th point and
    /// interpolating linearly between.
    static func smooth(_ y: [Double], span: Int, degree: Int, jump: Int, weights: [Double]?) -> [Double] {
        let n = y.count
        guard n >= 2 else { return y }
        var out = [Double](repeating: 0, count: n)
        let step = max(1, min(jump, n - 1))
        let half = (span + 1) / 2
        func window(_ i: Int) -> (Int, Int) {
            if span >= n { return (0, n - 1) }
            if i < half - 1 { return (0, span - 1) }
            if i >= n - half { return (n - span, n - 1) }
            return (i - half + 1, i - half + span)
        }
        var i = 0
        while i < n {
            let (left, right) = window(i)
            out[i] = estimateWidening(y, at: i, left: left, right: right, span: span, degree: degree, weights: weights)
            i += step
        }
        if step > 1 {
            var k = 0
            while k + step < n {
                let delta = (out[k + step] - out[k]) / Double(step)
                for j in (k + 1)..<(k + step) { out[j] = out[k] + delta * Double(j - k) }
                k += step
            }
            if k != n - 1 {
                let (left, right) = window(n - 1)
                out[n - 1] = estimateWidening(
                    y, at: n - 1, left: left, right: right, span: span, degree: degree, weights: weights)
                let delta = (out[n - 1] - out[k]) / Double(n - 1 - k)
                for j in (k + 1)..<(n - 1) { out[j] = out[k] + delta * Double(j - k) }
            }
        }
        return out
    }
}

/// STL over several seasonal periods (Bandara, Hyndman & Bergmeir, 2021): each period's seasonal
/// component is re-estimated in turn from the series less the others, twice. As in R's and
/// statsforecast's implementations, the seasonal windows are 11, 15, … and locally constant.
public struct MSTL: Sendable {
    public let periods: [Int]
    public let robust: Bool

    public struct Decomposition: Sendable {
        /// One seasonal component per period used, in `periods` order.
        public var seasonals: [[Double]]
        public var periodsUsed: [Int]
        public var trend: [Double]
        public var remainder: [Double]

        /// The series without its seasonal components.
        public func seasonallyAdjusted(_ y: [Double]) -> [Double] {
            (0..<y.count).map { i in y[i] - seasonals.reduce(0) { $0 + $1[i] } }
        }
    }

    public init(periods: [Int], robust: Bool = false) {
        self.periods = periods.sorted()
        self.robust = robust
    }

    /// Decomposes `y`; periods that are not shorter than half the series are left out.
    public func decompose(_ y: [Double]) -> Decomposition {
        let used = periods.filter { $0 >= 2 && 2 * $0 < y.count }
        guard !used.isEmpty else {
            return Decomposition(
                seasonals: [], periodsUsed: [], trend: y, remainder: [Double](repeating: 0, count: y.count))
        }
        var seasonals = [[Double]](repeating: [Double](repeating: 0, count: y.count), count: used.count)
        var deseasonalized = y
        var trend = y
        // Two passes refine each season against the others; one period needs only one.
        for _ in 0..<(used.count > 1 ? 2 : 1) {
            for (index, period) in used.enumerated() {
                for i in y.indices { deseasonalized[i] += seasonals[index][i] }
                let stl = STL(period: period, seasonalWindow: 7 + 4 * (index + 1), seasonalDegree: 0, robust: robust)
                let result = stl.decompose(deseasonalized)
                seasonals[index] = result.seasonal
                trend = result.trend
                for i in y.indices { deseasonalized[i] -= seasonals[index][i] }
            }
        }
        let remainder = (0..<y.count).map { deseasonalized[$0] - trend[$0] }
        return Decomposition(seasonals: seasonals, periodsUsed: used, trend: trend, remainder: remainder)
    }
}
