import Foundation

/// A first-in first-out queue between two threads that holds at most `capacity` elements:
/// `push` waits while it is full and `pop` while it is empty, which keeps memory bounded and
/// lets the faster thread wait for the slower one. `close` ends it for both sides.
final class BoundedQueue<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Element?]
    private var head = 0
    private var count = 0
    private var closed = false

    init(capacity: Int) {
        items = Array(repeating: nil, count: max(1, capacity))
    }

    /// Adds an element, waiting for room. Returns false (dropping it) once the queue is closed.
    @discardableResult
    func push(_ element: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while count == items.count && !closed { condition.wait() }
        guard !closed else { return false }
        items[(head + count) % items.count] = element
        count += 1
        condition.broadcast()
        return true
    }

    /// Takes the oldest element, waiting for one. Returns nil once closed and empty.
    func pop() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while count == 0 && !closed { condition.wait() }
        guard count > 0 else { return nil }
        let element = items[head]
        items[head] = nil
        head = (head + 1) % items.count
        count -= 1
        condition.broadcast()
        return element
    }

    /// Ends the queue: waiting pushes fail, pops drain what is left and then return nil.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// Closes the queue and drops what it holds, so that a producer blocked on it wakes up.
    func cancel() {
        condition.lock()
        closed = true
        items = Array(repeating: nil, count: items.count)
        count = 0
        condition.broadcast()
        condition.unlock()
    }
}

/// Runs a closure on a thread of its own and lets another thread wait for it to end.
final class WorkerThread: @unchecked Sendable {
    private let done = NSCondition()
    private var finished = false

    init(name: String, body: @escaping @Sendable () -> Void) {
        let thread = Thread { [self] in
            body()
            done.lock()
            finished = true
            done.broadcast()
            done.unlock()
        }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Waits until the closure has returned.
    func join() {
        done.lock()
        while !finished { done.wait() }
        done.unlock()
    }
}

/// Hands a value that is not `Sendable` to exactly one other thread, which becomes its only user.
struct Handover<Value>: @unchecked Sendable {
    let value: Value
}
