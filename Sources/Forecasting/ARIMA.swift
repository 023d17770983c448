import Foundation

/// The orders of a seasonal ARIMA(p,d,q)(P,D,Q)m model, and whether the differenced series has
/// a mean (a level when nothing is differenced, a drift after one difference).
public struct ARIMAOrder: Hashable, Sendable, CustomStringConvertible {
    public var p: Int
    public var d: Int
    public var q: Int
    public var seasonalP: Int
    public var seasonalD: Int
    public var seasonalQ: Int
    /// The seasonal period (1: no seasonal part).
    public var period: Int
    public var constant: Bool

    public init(
        p: Int, d: Int, q: Int, seasonalP: Int = 0, seasonalD: Int = 0, seasonalQ: Int = 0, period: Int = 1,
        constant: Bool
    ) {
        self.p = p
        self.d = d
        self.q = q
        self.seasonalP = period > 1 ? seasonalP : 0
        self.seasonalD = period > 1 ? seasonalD : 0
        self.seasonalQ = period > 1 ? seasonalQ : 0
        self.period = period
        self.constant = constant
    }

    public var description: String {
        var text = "ARIMA(\(p),\(d),\(q))"
        if period > 1 { text += "(\(seasonalP),\(seasonalD),\(seasonalQ))[\(period)]" }
        if constant { text += d + seasonalD == 0 ? " with mean" : " with drift" }
        return text
    }

    /// Coefficients the fit estimates (the mean counts as one).
    var coefficientCount: Int { p + q + seasonalP + seasonalQ + (constant ? 1 : 0) }
    /// The largest autoregressive lag of the expanded polynomial.
    var arLag: Int { p + seasonalP * period }
    var maLag: Int { q + seasonalQ * period }
    /// Observations the differencing consumes.
    var differencingLag: Int { d + seasonalD * period }
}

/// A fitted ARIMA model: the expanded lag polynomials, the residual variance, its information
/// criterion, and what forecasting from the end of the series needs.
public struct ARIMAFit: Sendable {
    public var order: ARIMAOrder
    /// Autoregressive coefficients of the stationary part φ(B)Φ(Bᵐ) expanded: index i is lag i + 1.
    var ar: [Double]
    /// Moving-average coefficients of θ(B)Θ(Bᵐ) expanded: index j is lag j + 1.
    var ma: [Double]
    /// Mean of the differenced series (0 without a constant).
    var mean: Double
    /// Variance of the one-step errors.
    public var sigma2: Double
    public var aicc: Double
    /// The series the model was fitted to.
    var series: [Double]
    /// One-step errors, aligned with `series` (0 where the fit conditions on the first values).
    public var residuals: [Double]

    /// The autoregressive polynomial of the series itself, differencing included:
    /// φ(B)Φ(Bᵐ)(1 − B)ᵈ(1 − Bᵐ)ᴰ = 1 − Σ coefficients[i]·Bⁱ⁺¹.
    var integratedAR: [Double] {
        var polynomial = [1.0] + ar.map { -$0 }
        for _ in 0..<order.d { polynomial = ARIMA.multiply(polynomial, [1, -1]) }
        if order.seasonalD > 0 {
            var seasonal = [Double](repeating: 0, count: order.period + 1)
            seasonal[0] = 1
            seasonal[order.period] = -1
            for _ in 0..<order.seasonalD { polynomial = ARIMA.multiply(polynomial, seasonal) }
        }
        return polynomial.dropFirst().map { -$0 }
    }

    /// The constant term of the series' own recursion: φ(1)Φ(1)·mean.
    var intercept: Double { mean * (1 - ar.reduce(0, +)) }

    /// Point forecasts for the next `h` periods (future errors zero).
    public func forecast(_ h: Int) -> [Double] {
        let a = integratedAR
        let n = series.count
        var values = series
        var errors = residuals
        values.reserveCapacity(n + h)
        errors.reserveCapacity(n + h)
        let c = intercept
        for t in n..<(n + h) {
            var value = c
            for (i, coefficient) in a.enumerated() where coefficient != 0 && t - i - 1 >= 0 {
                value += coefficient * values[t - i - 1]
            }
            for (j, coefficient) in ma.enumerated() where coefficient != 0 && t - j - 1 >= 0 {
                value += coefficient * errors[t - j - 1]
            }
            values.append(value)
            errors.append(0)
        }
        return Array(values[n...])
    }

    /// Standard deviations of the forecast errors 1…h ahead, from the ψ-weights of the
    /// integrated model: σ²·Σ ψⱼ².
    public func standardDeviations(_ h: Int) -> [Double] {
        let a = integratedAR
        var psi = [Double](repeating: 0, count: h)
        guard h > 0 else { return [] }
        psi[0] = 1
        for j in 1..<max(h, 1) where j < h {
            var value = j - 1 < ma.count ? ma[j - 1] : 0
            for i in 1...j where i - 1 < a.count { value += a[i - 1] * psi[j - i] }
            psi[j] = value
        }
        var sum = 0.0
        return psi.map { weight in
            sum += weight * weight
            return (sigma2 * sum).squareRoot()
        }
    }
}

/// Fitting seasonal ARIMA models by conditional sum of squares.
public enum ARIMA {
    /// Fits `order` to `y`. The first `conditioning` values of the differenced series only start
    /// the recursion (a common number for every order compared, so that their criteria compare);
    /// nil when the series is too short or the fit fails.
    public static func fit(_ y: [Double], order: ARIMAOrder, conditioning: Int? = nil) -> ARIMAFit? {
        let w = difference(y, d: order.d, seasonalD: order.seasonalD, period: order.period)
        let start = max(conditioning ?? 0, order.arLag)
        let used = w.count - start
        let k = order.coefficientCount
        guard used >= max(k + 3, 8) else { return nil }
        let mean = order.constant ? w.reduce(0, +) / Double(w.count) : 0
        let centred = w.map { $0 - mean }
        let free = order.p + order.q + order.seasonalP + order.seasonalQ
        var best: [Double] = []
        var sse = sumOfSquares(centred, order: order, start: start, parameters: [])
        if free > 0 {
            var scratch = [Double](repeating: 0, count: centred.count)
            var ar = [Double](repeating: 0, count: order.arLag)
            var ma = [Double](repeating: 0, count: order.maLag)
            let result = LevenbergMarquardt.minimize(count: used, start: [Double](repeating: 0, count: free)) {
                parameters, residuals in
                expand(order: order, parameters: parameters, ar: &ar, ma: &ma)
                fillErrors(centred, ar: ar, ma: ma, start: start, into: &scratch)
                for t in start..<centred.count { residuals[t - start] = scratch[t] }
                return true
            }
            best = result.point
            sse = result.value
        }
        guard sse.isFinite, sse >= 0 else { return nil }
        let (ar, ma) = polynomials(order: order, parameters: best)
        let sigma2 = max(sse / Double(used), 1e-300)
        let parameters = Double(k + 1)
        let aic = Double(used) * log(sigma2) + 2 * parameters
        let denominator = Double(used) - parameters - 1
        let aicc = denominator > 0 ? aic + 2 * parameters * (parameters + 1) / denominator : .infinity
        // Residuals aligned with y: the first values, which differencing consumes, have none.
        let differenced = errors(centred, ar: ar, ma: ma, start: start)
        let residuals = [Double](repeating: 0, count: order.differencingLag) + differenced
        return ARIMAFit(
            order: order, ar: ar, ma: ma, mean: mean, sigma2: sigma2, aicc: aicc, series: y, residuals: residuals)
    }

    /// (1 − B)ᵈ(1 − Bᵐ)ᴰ y.
    static func difference(_ y: [Double], d: Int, seasonalD: Int, period: Int) -> [Double] {
        var w = y
        for _ in 0..<seasonalD where w.count > period { w = (period..<w.count).map { w[$0] - w[$0 - period] } }
        for _ in 0..<d where w.count > 1 { w = (1..<w.count).map { w[$0] - w[$0 - 1] } }
        return w
    }

    /// Sum of squared one-step errors from `start` on, or infinity when it is not finite.
    static func sumOfSquares(_ w: [Double], order: ARIMAOrder, start: Int, parameters: [Double]) -> Double {
        let (ar, ma) = polynomials(order: order, parameters: parameters)
        let e = errors(w, ar: ar, ma: ma, start: start)
        var sum = 0.0
        for t in start..<w.count { sum += e[t] * e[t] }
        return sum.isFinite ? sum : .infinity
    }

    /// One-step errors of the ARMA recursion on a zero-mean series; zero before `start`.
    static func errors(_ w: [Double], ar: [Double], ma: [Double], start: Int) -> [Double] {
        var e = [Double](repeating: 0, count: w.count)
        fillErrors(w, ar: ar, ma: ma, start: start, into: &e)
        return e
    }

    /// `errors` into a buffer of the series' length, the optimizer's inner loop.
    static func fillErrors(_ w: [Double], ar: [Double], ma: [Double], start: Int, into e: inout [Double]) {
        let n = w.count
        for t in 0..<min(start, n) { e[t] = 0 }
        var arLags: [(Int, Double)] = []
        var maLags: [(Int, Double)] = []
        for (i, c) in ar.enumerated() where c != 0 { arLags.append((i + 1, c)) }
        for (j, c) in ma.enumerated() where c != 0 { maLags.append((j + 1, c)) }
        w.withUnsafeBufferPointer { w in
            e.withUnsafeMutableBufferPointer { e in
                for t in start..<max(start, n) {
                    var prediction = 0.0
                    for (lag, c) in arLags where t >= lag { prediction += c * w[t - lag] }
                    for (lag, c) in maLags where t >= lag { prediction += c * e[t - lag] }
                    e[t] = w[t] - prediction
                }
            }
        }
    }

    /// The expanded AR and MA coefficients from unconstrained parameters, in the order p, q, P,
    /// Q. Each factor is mapped through partial autocorrelations (tanh, then Durbin–Levinson),
    /// so every AR factor is stationary and every MA factor invertible.
    static func polynomials(order: ARIMAOrder, parameters: [Double]) -> (ar: [Double], ma: [Double]) {
        var index = 0
        func take(_ count: Int) -> [Double] {
            defer { index += count }
            return Array(parameters[index..<(index + count)])
        }
        guard parameters.count == order.p + order.q + order.seasonalP + order.seasonalQ else { return ([], []) }
        let phi = stationary(take(order.p))
        let theta = stationary(take(order.q)).map { -$0 }
        let seasonalPhi = stationary(take(order.seasonalP))
        let seasonalTheta = stationary(take(order.seasonalQ)).map { -$0 }
        let m = order.period
        // As lag polynomials with a leading 1: AR 1 − Σφ Bⁱ, MA 1 + Σθ Bʲ.
        func spread(_ coefficients: [Double], every step: Int, sign: Double) -> [Double] {
            var polynomial = [Double](repeating: 0, count: coefficients.count * step + 1)
            polynomial[0] = 1
            for (i, c) in coefficients.enumerated() { polynomial[(i + 1) * step] = sign * c }
            return polynomial
        }
        let arPolynomial = multiply(spread(phi, every: 1, sign: -1), spread(seasonalPhi, every: m, sign: -1))
        let maPolynomial = multiply(spread(theta, every: 1, sign: 1), spread(seasonalTheta, every: m, sign: 1))
        return (arPolynomial.dropFirst().map { -$0 }, Array(maPolynomial.dropFirst()))
    }

    /// `polynomials` into buffers of the orders' lag lengths, without building intermediate
    /// polynomials: the optimizer's inner loop.
    static func expand(order: ARIMAOrder, parameters: [Double], ar: inout [Double], ma: inout [Double]) {
        let p = order.p
        let q = order.q
        let sp = order.seasonalP
        let sq = order.seasonalQ
        let m = order.period
        let phi = stationary(Array(parameters[0..<p]))
        let theta = stationary(Array(parameters[p..<(p + q)]))
        let seasonalPhi = stationary(Array(parameters[(p + q)..<(p + q + sp)]))
        let seasonalTheta = stationary(Array(parameters[(p + q + sp)..<(p + q + sp + sq)]))
        // (1 − Σφᵢ Bⁱ)(1 − ΣΦⱼ Bʲᵐ) = 1 − Σ ar[lag − 1] B^lag.
        for i in ar.indices { ar[i] = 0 }
        for (i, c) in phi.enumerated() { ar[i] += c }
        for (j, c) in seasonalPhi.enumerated() {
            ar[(j + 1) * m - 1] += c
            for (i, d) in phi.enumerated() { ar[(j + 1) * m + i] -= c * d }
        }
        // (1 + Σθᵢ Bⁱ)(1 + ΣΘⱼ Bʲᵐ), with θ = −(stationary map) for invertibility.
        for i in ma.indices { ma[i] = 0 }
        for (i, c) in theta.enumerated() { ma[i] -= c }
        for (j, c) in seasonalTheta.enumerated() {
            ma[(j + 1) * m - 1] -= c
            for (i, d) in theta.enumerated() { ma[(j + 1) * m + i] += c * d }
        }
    }

    /// Coefficients of a stationary AR polynomial from unconstrained values (Jones, 1980).
    static func stationary(_ raw: [Double]) -> [Double] {
        var phi: [Double] = []
        for value in raw {
            let r = tanh(value)
            let previous = phi
            phi = (0..<previous.count).map { previous[$0] - r * previous[previous.count - 1 - $0] }
            phi.append(r)
        }
        return phi
    }

    /// The product of two polynomials given by their coefficients, lowest power first.
    static func multiply(_ a: [Double], _ b: [Double]) -> [Double] {
        guard !a.isEmpty, !b.isEmpty else { return a.isEmpty ? b : a }
        var product = [Double](repeating: 0, count: a.count + b.count - 1)
        for (i, x) in a.enumerated() where x != 0 { for (j, y) in b.enumerated() { product[i + j] += x * y } }
        return product
    }
}
