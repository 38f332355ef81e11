import Foundation
import Z3

/// Stops a run early: keys not yet decided become `unknown`, and running Z3 checks are interrupted.
///
/// Set when SIGINT arrives, read by the workers between keys. Z3
/// contexts register while they run, so that `cancel()` can interrupt a long check in place.
public final class Cancellation: @unchecked Sendable {
    private let lock = NSLockLite()
    private var cancelled = false
    private var running: [ObjectIdentifier: Z3Context] = [:]

    public init() {}

    public var isCancelled: Bool { lock.withLock { cancelled } }

    public func cancel() {
        let contexts = lock.withLock { () -> [Z3Context] in
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

    /// Runs `body` with `context` registered for interruption.
    func whileRunning<T>(_ context: Z3Context, _ body: () throws -> T) rethrows -> T {
        let alreadyCancelled = lock.withLock { () -> Bool in
            running[ObjectIdentifier(context)] = context
            return cancelled
        }
        if alreadyCancelled { context.interrupt() }
        defer { _ = lock.withLock { running.removeValue(forKey: ObjectIdentifier(context)) } }
        return try body()
    }
}
