import Foundation

/// Regression with seasonal ARIMA errors, its orders found by Hyndman & Khandakar's stepwise
/// search (2008): differences from the seasonal-strength and KPSS tests, then from a few
/// starting models, neighbours one order away, while the AICc improves. Regressors (Fourier
/// terms of a yearly season, event days) enter by least squares on the differenced series; the
/// ARIMA model describes what they leave.
public struct AutoARIMA: Sendable {
    public var period: Int
    public var maxP = 5
    public var maxQ = 5
    public var maxSeasonalP = 2
    public var maxSeasonalQ = 2
    /// Largest p + q + P + Q.
    public var maxOrder = 5
    /// Most models fitted in one search.
    public var maxModels = 40

    public init(period: Int) { self.period = period }

    /// A fitted regression with ARIMA errors.
    public struct Fit: Sendable {
        public var arima: ARIMAFit
        /// Regression coefficients, one per regressor column.
        public var beta: [Double]
        /// Regressor values of the forecast periods: future[k][j] is column j, k + 1 periods ahead.
        var future: [[Double]]
        /// Models the search fitted.
        public var modelsFitted: Int

        public func forecast(_ h: Int) -> [Double] {
            let errors = arima.forecast(h)
            return (0..<h).map { k in
                errors[k] + (k < future.count ? zip(future[k], beta).reduce(0) { $0 + $1.0 * $1.1 } : 0)
            }
        }
    }

    /// Regressors: `columns[j]` holds column j for the history and at least the forecast horizon.
    public struct Regressors: Sendable {
        public var columns: [[Double]]
        public init(columns: [[Double]]) { self.columns = columns }
    }

    /// Searches and fits; nil when the series is too short for any model. With `order`, fits
    /// that order alone (its differencing as given) instead of searching.
    public func fit(_ y: [Double], order fixed: ARIMAOrder? = nil, regressors: Regressors? = nil) -> Fit? {
        let n = y.count
        guard n >= 10 else { return nil }
        let m = fixed?.period ?? (period > 1 && n >= 3 * period ? period : 1)
        let seasonalD = fixed?.seasonalD ?? (m > 1 ? DifferencingTests.seasonalDifferences(y, period: m) : 0)
        let d =
            fixed?.d
            ?? DifferencingTests.differences(ARIMA.difference(y, d: 0, seasonalD: seasonalD, period: m), maximum: 2)
        // Regression on the differenced series; the errors keep the differencing.
        let columns = (regressors?.columns ?? []).filter { $0.count >= n }
        var beta: [Double] = []
        var errors = y
        if !columns.isEmpty {
            let target = ARIMA.difference(y, d: d, seasonalD: seasonalD, period: m)
            let design = columns.map { ARIMA.difference(Array($0.prefix(n)), d: d, seasonalD: seasonalD, period: m) }
            let withIntercept = d + seasonalD == 0
            let rows = (0..<target.count).map { t in (withIntercept ? [1.0] : []) + design.map { $0[t] } }
            let penalties = [Double](repeating: 1e-6, count: rows.first?.count ?? 0)
            if let solution = FourierRegression.weightedRidge(
                rows, target, [Double](repeating: 1, count: rows.count), penalties)
            {
                beta = Array(solution.dropFirst(withIntercept ? 1 : 0))
                errors = (0..<n).map { t in y[t] - zip(columns, beta).reduce(0) { $0 + $1.0[t] * $1.1 } }
            }
        }
        let found: Fit?
        if let fixed {
            found = ARIMA.fit(errors, order: fixed).map { Fit(arima: $0, beta: [], future: [], modelsFitted: 1) }
        } else {
            found = search(errors, d: d, seasonalD: seasonalD, period: m)
        }
        guard var search = found else { return nil }
        search.beta = beta
        search.future = (n..<(columns.map(\.count).min() ?? n)).map { t in columns.map { $0[t] } }
        return search
    }

    /// The stepwise search for one differencing.
    func search(_ y: [Double], d: Int, seasonalD: Int, period m: Int) -> Fit? {
        let differenced = y.count - d - seasonalD * m
        // Every model is conditioned on the same first values, so that their AICc compare.
        let seasonalLags = m > 1 ? maxSeasonalP * m : 0
        let conditioning = min(maxP + seasonalLags, differenced / 4)
        let constantAllowed = d + seasonalD <= 1
        var fitted: [ARIMAOrder: ARIMAFit?] = [:]
        var best: ARIMAFit?
        func consider(_ order: ARIMAOrder) -> Bool {
            guard fitted[order] == nil, fitted.count < maxModels else { return false }
            guard order.p >= 0, order.q >= 0, order.seasonalP >= 0, order.seasonalQ >= 0, order.p <= maxP,
                order.q <= maxQ, order.seasonalP <= (m > 1 ? maxSeasonalP : 0),
                order.seasonalQ <= (m > 1 ? maxSeasonalQ : 0),
                order.p + order.q + order.seasonalP + order.seasonalQ <= maxOrder,
                order.arLag <= conditioning,
                !order.constant || constantAllowed
            else { return false }
            let fit = ARIMA.fit(y, order: order, conditioning: conditioning)
            fitted[order] = fit
            guard let fit, fit.aicc.isFinite else { return false }
            if best == nil || fit.aicc < (best?.aicc ?? .infinity) - 1e-9 {
                best = fit
                return true
            }
            return false
        }
        let seasonal = m > 1
        let starts: [(Int, Int, Int, Int)] =
            seasonal
            ? [(2, 2, 1, 1), (0, 0, 0, 0), (1, 0, 1, 0), (0, 1, 0, 1)]
            : [(2, 2, 0, 0), (0, 0, 0, 0), (1, 0, 0, 0), (0, 1, 0, 0)]
        for (p, q, sp, sq) in starts {
            _ = consider(
                ARIMAOrder(
                    p: p, d: d, q: q, seasonalP: sp, seasonalD: seasonalD, seasonalQ: sq, period: m,
                    constant: constantAllowed))
        }
        if constantAllowed {
            _ = consider(ARIMAOrder(p: 0, d: d, q: 0, seasonalD: seasonalD, period: m, constant: false))
        }
        var improved = true
        while improved, let current = best?.order, fitted.count < maxModels {
            improved = false
            var neighbours: [ARIMAOrder] = []
            func vary(_ change: (inout ARIMAOrder) -> Void) {
                var order = current
                change(&order)
                neighbours.append(order)
            }
            // One order up or down, AR and MA alone or together, seasonal part first.
            let parts: [(ar: WritableKeyPath<ARIMAOrder, Int>, ma: WritableKeyPath<ARIMAOrder, Int>)] =
                seasonal ? [(\.seasonalP, \.seasonalQ), (\.p, \.q)] : [(\.p, \.q)]
            for (ar, ma) in parts {
                for step in [-1, 1] {
                    vary { $0[keyPath: ar] += step }
                    vary { $0[keyPath: ma] += step }
                    vary {
                        $0[keyPath: ar] += step
                        $0[keyPath: ma] += step
                    }
                }
            }
            vary { $0.constant.toggle() }
            // The first neighbour that improves becomes the model to vary next.
            for order in neighbours where consider(order) {
                improved = true
                break
            }
        }
        guard let best else { return nil }
        return Fit(arima: best, beta: [], future: [], modelsFitted: fitted.count)
    }
}
