import Foundation

/// Least squares by Levenberg–Marquardt (Marquardt, 1963) with a forward-difference Jacobian:
/// Gauss–Newton steps, damped toward gradient descent while they fail. A handful of iterations
/// where a simplex search takes hundreds, each costing one residual pass per parameter.
enum LevenbergMarquardt {
    /// Minimizes the sum of squares of `residuals(parameters, into:)`, which fills its buffer
    /// (resized to `count`) and returns false when the parameters are unusable. Returns the
    /// best parameters and their sum of squares (infinity when even the start is unusable).
    static func minimize(
        count: Int, start: [Double], iterations: Int = 50,
        residuals: ([Double], inout [Double]) -> Bool
    ) -> (point: [Double], value: Double) {
        let k = start.count
        var r = [Double](repeating: 0, count: count)
        func sumOfSquares(_ p: [Double], _ buffer: inout [Double]) -> Double {
            guard residuals(p, &buffer) else { return .infinity }
            var sum = 0.0
            for value in buffer { sum += value * value }
            return sum.isFinite ? sum : .infinity
        }
        var point = start
        var value = sumOfSquares(point, &r)
        guard value.isFinite, k > 0 else { return (point, value) }
        var lambda = 1e-3
        var jacobian = [Double](repeating: 0, count: count * k)
        var shifted = [Double](repeating: 0, count: count)
        var trial = [Double](repeating: 0, count: count)
        for _ in 0..<iterations {
            // Forward differences, column by column.
            var usable = true
            for j in 0..<k {
                var p = point
                let h = 1e-6 * max(abs(p[j]), 1e-2)
                p[j] += h
                guard residuals(p, &shifted) else {
                    usable = false
                    break
                }
                for i in 0..<count { jacobian[i * k + j] = (shifted[i] - r[i]) / h }
            }
            guard usable else { break }
            // Normal equations JᵀJ δ = −Jᵀr.
            var jtj = [Double](repeating: 0, count: k * k)
            var jtr = [Double](repeating: 0, count: k)
            for i in 0..<count {
                let row = i * k
                for a in 0..<k {
                    let ja = jacobian[row + a]
                    if ja == 0 { continue }
                    jtr[a] += ja * r[i]
                    for b in 0...a { jtj[a * k + b] += ja * jacobian[row + b] }
                }
            }
            for a in 0..<k { for b in (a + 1)..<max(a + 1, k) { jtj[a * k + b] = jtj[b * k + a] } }
            var improved = false
            for _ in 0..<8 {
                var damped = jtj
                for a in 0..<k { damped[a * k + a] += lambda * max(jtj[a * k + a], 1e-12) }
                guard let step = Cholesky.solve(damped, jtr.map { -$0 }, size: k) else {
                    lambda *= 10
                    continue
                }
                let candidate = zip(point, step).map { $0 + $1 }
                let candidateValue = sumOfSquares(candidate, &trial)
                if candidateValue < value {
                    let gain = value - candidateValue
                    point = candidate
                    swap(&r, &trial)
                    value = candidateValue
                    lambda = max(lambda / 10, 1e-10)
                    improved = true
                    if gain <= 1e-7 * (value + 1e-12) { return (point, value) }
                    break
                }
                lambda *= 10
            }
            if !improved { break }
        }
        return (point, value)
    }
}
