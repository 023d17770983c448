import Foundation

/// Prefill workers of one pool as one queue: requests arrive as a Poisson stream and any of the
/// pool's `c` workers serves the next one in a fixed time D (the prefill batch), M/D/c. Its mean
/// wait is taken as half that of M/M/c with the same load (exact for c = 1, where it is the
/// M/D/1 formula the cost model uses per worker; within a few percent for larger c at the loads
/// that matter), so TTFT = D + ½ · C(c, cρ) · D ÷ (c (1 − ρ)), with C the Erlang C probability
/// of waiting. Queueing is the only place Poisson arrival noise enters prefill headroom.
public struct PrefillQueue: Sendable, Equatable, Codable {
    /// Service time of one prefill batch, seconds.
    public var serviceSeconds: Double
    /// The TTFT target, seconds.
    public var ttftSeconds: Double

    public init(serviceSeconds: Double, ttftSeconds: Double) {
        self.serviceSeconds = serviceSeconds
        self.ttftSeconds = ttftSeconds
    }

    /// Whether one batch fits the target at all.
    public var feasible: Bool { serviceSeconds > 0 && serviceSeconds < ttftSeconds }

    /// Erlang C: the probability that an arrival waits, with `servers` servers at utilization ρ.
    public static func erlangC(servers: Int, utilization rho: Double) -> Double {
        guard rho > 0 else { return 0 }
        guard rho < 1 else { return 1 }
        let load = rho * Double(servers)
        var blocking = 1.0  // Erlang B by its stable recursion
        for k in 1...max(servers, 1) { blocking = load * blocking / (Double(k) + load * blocking) }
        return blocking / (1 - rho * (1 - blocking))
    }

    /// Mean TTFT of a pool of `workers` at utilization ρ; infinite at ρ ≥ 1.
    public func ttft(workers: Int, utilization rho: Double) -> Double {
        guard rho < 1 else { return .infinity }
        let c = Double(max(workers, 1))
        let wait = 0.5 * Self.erlangC(servers: max(workers, 1), utilization: rho) * serviceSeconds / (c * (1 - rho))
        return serviceSeconds + wait
    }

    /// The highest utilization at which `workers` keep mean TTFT within the target (0 when one
    /// batch alone is over it).
    public func utilizationCap(workers: Int) -> Double {
        guard feasible else { return 0 }
        var low = 0.0
        var high = 1.0
        for _ in 0..<50 {
            let mid = (low + high) / 2
            if ttft(workers: workers, utilization: mid) <= ttftSeconds { low = mid } else { high = mid }
        }
        return low
    }
}
