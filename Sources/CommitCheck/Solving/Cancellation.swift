import Locking
import Foundation
import Z3

/// Stops a run early: keys not yet decided become `unknown`, and running Z3 checks are interrupted.
///
/// Set when SIGINT arrives or a run's `--timeout` runs out, read by the workers between steps. Z3
/// contexts register while they run, so that `cancel()` can interrupt a long check in place. A child
/// (a run inside a run, such as a counterexample re-check with its own deadline) stops when its
/// parent does, while cancelling the child leaves the parent running.
public final class Cancellation: @unchecked Sendable {
    private let lock = PthreadLock()
    private var cancelled = false
    private var why: String? = nil
    private var running: [ObjectIdentifier: Z3Context] = [:]
    private let parent: Cancellation?

    public init() { parent = nil }

    /// A cancellation that is also cancelled whenever `parent` is.
    package init(parent: Cancellation?) { self.parent = parent }

    public var isCancelled: Bool { lock.withLock { cancelled } || parent?.isCancelled == true }

    /// Why the run stopped, for the `unknown` keys it leaves (`nil` while it runs).
    public var reason: String? {
        if let own = lock.withLock({ cancelled ? (why ?? "interrupted") : nil }) { return own }
        return parent?.reason
    }

    public func cancel(reason: String? = nil) {
        let contexts = lock.withLock { () -> [Z3Context] in
            if !cancelled { why = reason }
            cancelled = true
            return Array(running.values)
        }
        for context in contexts { context.interrupt() }
        // A context caught between its last check of the flag and Z3 starting to run would miss
        // that interrupt (Z3 only stops what is running): repeat it until every context is done.
        Thread.detachNewThread { [self] in
            while true {
                usleep(50_000)
                let contexts = lock.withLock { Array(running.values) }
                if contexts.isEmpty { return }
                for context in contexts { context.interrupt() }
            }
        }
    }

    /// Runs `body` with `context` registered for interruption, here and with every ancestor.
    func whileRunning<T>(_ context: Z3Context, _ body: () throws -> T) rethrows -> T {
        let alreadyCancelled = lock.withLock { () -> Bool in
            running[ObjectIdentifier(context)] = context
            return cancelled
        }
        if alreadyCancelled { context.interrupt() }
        defer { _ = lock.withLock { running.removeValue(forKey: ObjectIdentifier(context)) } }
        if let parent { return try parent.whileRunning(context, body) }
        return try body()
    }

    /// Cancels this run with `reason` once `seconds` have passed, unless ``disarm`` was called first.
    func arm(seconds: Double, reason: String) -> Deadline {
        let deadline = Deadline(cancellation: self)
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [deadline] in deadline.fire(reason: reason) }
        return deadline
    }

    /// A pending timeout of a run; disarmed when the run ends first.
    final class Deadline: @unchecked Sendable {
        private let lock = PthreadLock()
        private weak var cancellation: Cancellation?
        private var armed = true

        init(cancellation: Cancellation) { self.cancellation = cancellation }

        func fire(reason: String) {
            let target = lock.withLock { () -> Cancellation? in armed ? cancellation : nil }
            target?.cancel(reason: reason)
        }

        func disarm() { lock.withLock { armed = false } }
    }
}
