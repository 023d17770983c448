import Dispatch
import Foundation

/// Results of a parallel map, written once per index under a lock.
private final class ParallelResults<T>: @unchecked Sendable {
    var values: [T?]
    let lock = NSLock()

    init(count: Int) { values = [T?](repeating: nil, count: count) }

    func set(_ index: Int, _ value: T) {
        lock.lock()
        values[index] = value
        lock.unlock()
    }
}

/// Hands a closure that only reads shared state to concurrent workers.
private struct Handoff<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// Runs `body` for indices 0..<count on all cores, collecting the results in index order.
public func parallelMap<T>(_ count: Int, _ body: @escaping (Int) -> T) -> [T] {
    let results = ParallelResults<T>(count: count)
    let work = Handoff(body)
    DispatchQueue.concurrentPerform(iterations: count) { index in
        results.set(index, work.value(index))
    }
    return results.values.compactMap { $0 }
}

/// CPU seconds used by this process so far (user and system).
public func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
        + Double(usage.ru_stime.tv_usec) / 1e6
}
