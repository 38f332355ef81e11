/// Simulated time: actions run in time order, ties in the order they were scheduled, so that a
/// seed determines everything.
final class DiscreteEventQueue {
    private var heap: [(time: Int, sequence: Int, action: () -> Void)] = []
    private var sequence = 0
    private(set) var now = 0

    func schedule(at time: Int, _ action: @escaping () -> Void) {
        sequence += 1
        heap.append((max(time, now), sequence, action))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard earlier(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    func after(_ delay: Int, _ action: @escaping () -> Void) { schedule(at: now + delay, action) }

    private func earlier(_ a: (time: Int, sequence: Int, action: () -> Void), _ b: (time: Int, sequence: Int, action: () -> Void)) -> Bool {
        (a.time, a.sequence) < (b.time, b.sequence)
    }

    /// Runs until nothing is scheduled.
    func run() {
        while !heap.isEmpty {
            heap.swapAt(0, heap.count - 1)
            let next = heap.removeLast()
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < heap.count && earlier(heap[left], heap[smallest]) { smallest = left }
                if right < heap.count && earlier(heap[right], heap[smallest]) { smallest = right }
                if smallest == parent { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
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

/// SplitMix64: a seedable generator (the standard library's cannot be seeded).
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// An exponential sample with the given mean, rounded to whole nanoseconds.
    mutating func exponential(mean: Int) -> Int {
        guard mean > 0 else { return 0 }
        let uniform = (Double(next() >> 11) + 0.5) / Double(1 << 53)
        return Int(-Double(mean) * log(uniform))
    }
}

#if canImport(Glibc)
import Glibc
#endif
