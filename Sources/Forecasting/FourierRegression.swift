import Foundation

/// A trend-plus-seasonality regression in the spirit of Prophet, fitted deterministically: a
/// piecewise-linear trend with candidate changepoints over the first 80 % of the history whose
/// slope changes are shrunk by a ridge penalty, Fourier terms for each seasonal period, and
/// optional event days; robust to outliers by iteratively reweighted least squares (Huber).
/// With `logScale`, it is fitted to log(y) (multiplicative seasonality).
public struct FourierRegressionFit: Sendable {
    var coefficients: [Double]
    var changepoints: [Double]
    var periods: [(period: Double, order: Int)]
    var count: Int
    var logScale: Bool
    var eventDays: Set<Int>
    var eventPeriod: Int
    public var residuals: [Double]

    func row(_ t: Double) -> [Double] {
        var x = [1.0, t / Double(max(count, 1))]
        for c in changepoints { x.append(max(0, t - c) / Double(max(count, 1))) }
        for (period, order) in periods {
            for k in 1...order {
                let angle = 2 * Double.pi * Double(k) * t / period
                x.append(sin(angle))
                x.append(cos(angle))
            }
        }
        if eventPeriod > 0 { x.append(eventDays.contains(Int(t)) ? 1 : 0) }
        return x
    }

    public func forecast(_ h: Int) -> [Double] {
        (0..<h).map { k in
            let t = Double(count + k)
            let x = row(t)
            let value = zip(x, coefficients).reduce(0) { $0 + $1.0 * $1.1 }
            return logScale ? exp(value) : value
        }
    }
}

public enum FourierRegression {
    /// Fits the regression. `orders` gives the Fourier order per period; `events` are the indices
    /// (in the series and its future) of special days.
    public static func fit(
        _ y: [Double], periods: [(period: Double, order: Int)], changepoints count: Int = 25, penalty: Double = 10,
        logScale: Bool = false, events: Set<Int> = []
    ) -> FourierRegressionFit? {
        let n = y.count
        guard n >= 8 else { return nil }
        if logScale { guard y.allSatisfy({ $0 > 0 }) else { return nil } }
        let target = logScale ? y.map { log($0) } : y
        let usable = periods.filter { $0.period * 2 <= Double(n) }
        let k = min(count, max(0, n / 20))
        let changepoints = k > 0 ? (1...k).map { Double($0) * 0.8 * Double(n) / Double(k + 1) } : []
        var model = FourierRegressionFit(
            coefficients: [], changepoints: changepoints, periods: usable, count: n, logScale: logScale,
            eventDays: events,
            eventPeriod: events.isEmpty ? 0 : 1, residuals: [])
        let design = DesignMatrix((0..<n).map { model.row(Double($0)) })
        let p = design.columns
        // Penalty on changepoint slopes only; a tiny one elsewhere for numerical safety.
        var penalties = [Double](repeating: 1e-8, count: p)
        for j in 0..<changepoints.count { penalties[2 + j] = penalty }
        var weights = [Double](repeating: 1, count: n)
        var beta = [Double](repeating: 0, count: p)
        // XᵀX and Xᵀy once; each reweighting then corrects only the rows it downweights (a
        // Huber weight is 1 for most of them): XᵀWX = XᵀX + Σ (wᵢ − 1)·xᵢxᵢᵀ.
        let unweighted = NormalEquations(design, target, weights: nil)
        for iteration in 0..<4 {
            var equations = unweighted
            for i in 0..<n where weights[i] != 1 {
                equations.add(row: i, of: design, target[i], weight: weights[i] - 1)
            }
            guard let solution = equations.solve(ridge: penalties) else { return nil }
            beta = solution
            guard iteration < 3 else { break }
            // Huber weights from the residuals' robust scale.
            let residuals = (0..<n).map { target[$0] - design.dot(row: $0, beta) }
            let scale = 1.4826 * median(residuals.map(abs)) + 1e-12
            weights = residuals.map { r in
                let u = abs(r) / (1.345 * scale)
                return u <= 1 ? 1 : 1 / u
            }
        }
        model.coefficients = beta
        model.residuals = (0..<n).map { t in
            let fitted = design.dot(row: t, beta)
            return y[t] - (logScale ? exp(fitted) : fitted)
        }
        return model
    }

    /// Solves (XᵀWX + diag(λ))β = XᵀWy by Cholesky.
    static func weightedRidge(_ rows: [[Double]], _ y: [Double], _ w: [Double], _ lambda: [Double]) -> [Double]? {
        NormalEquations(DesignMatrix(rows), y, weights: w).solve(ridge: lambda)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let n = sorted.count
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }
}

/// A regression's design matrix, row after row in one buffer.
struct DesignMatrix: Sendable {
    var values: [Double]
    var rows: Int
    var columns: Int

    init(_ rows: [[Double]]) {
        self.rows = rows.count
        columns = rows.first?.count ?? 0
        values = rows.flatMap { $0 }
    }

    /// Row `i` times `beta`.
    func dot(row i: Int, _ beta: [Double]) -> Double {
        var sum = 0.0
        for j in 0..<columns { sum += values[i * columns + j] * beta[j] }
        return sum
    }
}

/// The normal equations XᵀWX·β = XᵀWy of a weighted least-squares fit, the lower triangle of
/// XᵀWX accumulated.
struct NormalEquations: Sendable {
    var a: [Double]
    var b: [Double]
    var size: Int
    var rows: Int

    /// Accumulates every row of `design` with its weight (1 without weights).
    init(_ design: DesignMatrix, _ y: [Double], weights: [Double]?) {
        size = design.columns
        rows = design.rows
        a = [Double](repeating: 0, count: size * size)
        b = [Double](repeating: 0, count: size)
        for i in 0..<design.rows { add(row: i, of: design, y[i], weight: weights?[i] ?? 1) }
    }

    /// Adds `weight` × row i's outer product (and its target) to the sums.
    mutating func add(row i: Int, of design: DesignMatrix, _ y: Double, weight: Double) {
        let p = size
        let wy = weight * y
        design.values.withUnsafeBufferPointer { x in
            a.withUnsafeMutableBufferPointer { a in
                let row = i * p
                for r in 0..<p {
                    let xr = x[row + r]
                    if xr == 0 { continue }
                    b[r] += xr * wy
                    let xrw = xr * weight
                    let base = r * p
                    for c in 0...r { a[base + c] += xrw * x[row + c] }
                }
            }
        }
    }

    /// β with a ridge penalty λⱼ·n/100 on each coefficient; nil when the system is singular.
    func solve(ridge lambda: [Double]) -> [Double]? {
        let p = size
        var full = a
        for r in 0..<p { full[r * p + r] += lambda[r] * Double(rows) / 100 }
        // Only the lower triangle was accumulated.
        for r in 0..<p { for c in (r + 1)..<max(r + 1, p) { full[r * p + c] = full[c * p + r] } }
        return Cholesky.solve(full, b, size: p)
    }
}
