import CommitCheck
import Workloads
/// Simulated time: actions run in time order, ties in the order they were scheduled, so that a
/// seed determines everything.
final class DiscreteEventQueue {
    private typealias Entry = (time: Int, sequence: Int, action: () -> Void)
    private var heap = MinHeap<Entry>(by: { ($0.time, $0.sequence) < ($1.time, $1.sequence) })
    private var sequence = 0
    private(set) var now = 0

    func schedule(at time: Int, _ action: @escaping () -> Void) {
        sequence += 1
        heap.push((max(time, now), sequence, action))
    }

    func after(_ delay: Int, _ action: @escaping () -> Void) { schedule(at: now + delay, action) }

    /// Runs until nothing is scheduled.
    func run() {
        while let next = heap.pop() {
            now = next.time
            next.action()
        }
    }
}

/// A mutex of simulated goroutines: waiters get it in arrival order.
final class SimulatedMutex {
    private var held = false
    private var waiting: [() -> Void] = []

    func lock(_ then: @escaping () -> Void) {
        if held { waiting.append(then) } else { held = true; then() }
    }

    func unlock() {
        if waiting.isEmpty { held = false } else { waiting.removeFirst()() }
    }
}

#if canImport(Glibc)
import Glibc
#endif
