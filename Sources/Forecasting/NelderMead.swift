/// Minimizes a function of a few variables without derivatives (Nelder & Mead's simplex, with
/// the usual reflection 1, expansion 2, contraction ½ and shrink ½).
enum NelderMead {
    static func minimize(
        _ f: ([Double]) -> Double, start: [Double], step: [Double], iterations: Int = 400, tolerance: Double = 1e-7
    ) -> (point: [Double], value: Double) {
        let n = start.count
        var simplex: [[Double]] = [start]
        for i in 0..<n {
            var vertex = start
            vertex[i] += step[i]
            simplex.append(vertex)
        }
        var values = simplex.map(f)
        for _ in 0..<iterations {
            let order = values.indices.sorted { values[$0] < values[$1] }
            simplex = order.map { simplex[$0] }
            values = order.map { values[$0] }
            if abs(values[n] - values[0]) <= tolerance * (abs(values[0]) + tolerance) { break }
            var centroid = [Double](repeating: 0, count: n)
            for vertex in simplex[0..<n] { for j in 0..<n { centroid[j] += vertex[j] / Double(n) } }
            func along(_ t: Double) -> [Double] { (0..<n).map { centroid[$0] + t * (simplex[n][$0] - centroid[$0]) } }
            let reflected = along(-1)
            let fr = f(reflected)
            if fr < values[0] {
                let expanded = along(-2)
                let fe = f(expanded)
                if fe < fr { simplex[n] = expanded; values[n] = fe } else { simplex[n] = reflected; values[n] = fr }
            } else if fr < values[n - 1] {
                simplex[n] = reflected
                values[n] = fr
            } else {
                let contracted = fr < values[n] ? along(-0.5) : along(0.5)
                let fc = f(contracted)
                if fc < min(fr, values[n]) {
                    simplex[n] = contracted
                    values[n] = fc
                } else {
                    for i in 1...n {
                        simplex[i] = (0..<n).map { simplex[0][$0] + 0.5 * (simplex[i][$0] - simplex[0][$0]) }
                        values[i] = f(simplex[i])
                    }
                }
            }
        }
        let best = values.indices.min { values[$0] < values[$1] } ?? 0
        return (simplex[best], values[best])
    }
}
