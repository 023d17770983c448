/// Symmetric positive-definite systems, solved by Cholesky factorization.
enum Cholesky {
    /// Solves `a`·x = `b` for a symmetric `a` of `size` × `size` (row-major; only its lower
    /// triangle is read); nil when `a` is not positive definite, to working precision.
    static func solve(_ a: [Double], _ b: [Double], size n: Int) -> [Double]? {
        var l = [Double](repeating: 0, count: n * n)
        // A pivot this small against the largest diagonal entry means a singular system, at
        // any scale of the data.
        let largest = (0..<n).reduce(0.0) { max($0, abs(a[$1 * n + $1])) }
        let tolerance = 1e-13 * largest
        for j in 0..<n {
            var d = a[j * n + j]
            for m in 0..<j { d -= l[j * n + m] * l[j * n + m] }
            guard d > tolerance, d > 0 else { return nil }
            let root = d.squareRoot()
            l[j * n + j] = root
            for i in (j + 1)..<max(j + 1, n) {
                var s = a[i * n + j]
                for m in 0..<j { s -= l[i * n + m] * l[j * n + m] }
                l[i * n + j] = s / root
            }
        }
        // Forward substitution for L·z = b, then back substitution for Lᵀ·x = z.
        var z = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var s = b[i]
            for m in 0..<i { s -= l[i * n + m] * z[m] }
            z[i] = s / l[i * n + i]
        }
        var x = [Double](repeating: 0, count: n)
        for i in stride(from: n - 1, through: 0, by: -1) {
            var s = z[i]
            for m in (i + 1)..<max(i + 1, n) { s -= l[m * n + i] * x[m] }
            x[i] = s / l[i * n + i]
        }
        return x
    }
}
