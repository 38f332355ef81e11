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

/// The simulation's one source of randomness, shared by reference so that mutexes draw from it too.
final class RandomSource {
    var generator: SplitMix64
    init(seed: UInt64) { generator = SplitMix64(seed: seed) }
    func exponential(mean: Int) -> Int { generator.exponential(mean: mean) }
    /// A uniform index below `count`.
    func index(below count: Int) -> Int { Int(generator.next() % UInt64(count)) }
    /// True with probability `share`.
    func chance(_ share: Double) -> Bool { share > 0 && Double(generator.next() % 1_000_000) / 1_000_000 < share }
}

/// A Go `sync.Mutex` between simulated goroutines, as Go's runtime hands it over.
///
/// A free lock goes to whoever asks. In normal mode, Unlock wakes the longest waiter, which needs
/// a wake-up latency to run; a goroutine that asks in that window takes the lock first (it is
/// already running), and the woken waiter goes back to the front of the queue. A waiter that loses
/// this way after waiting more than 1 ms switches the mutex to starvation mode, where Unlock hands
/// the lock straight to the front waiter and newcomers queue at the back, until a waiter gets it
/// after less than 1 ms or is the last one. So who gets the lock next has nothing to do with the
/// order requests were built in, and only partly with the order goroutines asked.
final class SimulatedMutex {
    private struct Waiter {
        var since: Int
        var action: () -> Void
    }

    /// Go's `starvationThresholdNs`.
    static let starvationThreshold = 1_000_000
    private var held = false
    private var starving = false
    private var waking = false
    private var waiters: [Waiter] = []
    private let queue: DiscreteEventQueue
    private let random: RandomSource
    private let wakeLatency: Int

    /// `wakeLatency` is the mean (exponential) time from Unlock to the woken goroutine running.
    init(queue: DiscreteEventQueue, random: RandomSource, wakeLatency: Int) {
        self.queue = queue
        self.random = random
        self.wakeLatency = wakeLatency
    }

    func lock(_ then: @escaping () -> Void) {
        if held { waiters.append(Waiter(since: queue.now, action: then)) } else { held = true; then() }
    }

    func unlock() {
        guard !waiters.isEmpty else { held = false; return }
        if starving {
            // Handoff: the lock stays held and passes to the front waiter.
            let waiter = waiters.removeFirst()
            if queue.now - waiter.since < Self.starvationThreshold || waiters.isEmpty { starving = false }
            waiter.action()
            return
        }
        held = false
        guard !waking else { return }
        waking = true
        let waiter = waiters.removeFirst()
        queue.after(random.exponential(mean: wakeLatency)) {
            self.waking = false
            if !self.held {
                self.held = true
                waiter.action()
            } else {
                // Someone running took it first: back to the front of the queue.
                self.waiters.insert(waiter, at: 0)
                if self.queue.now - waiter.since > Self.starvationThreshold { self.starving = true }
            }
        }
    }
}

