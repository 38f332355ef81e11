#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A mutex on the heap, so that its address never moves (a `pthread_mutex_t` stored inline in a
/// class or struct may be moved by Swift), the one lock of every target here, as `NIOLock` is
/// swift-nio's: the recorder takes it per event (the cheapest lock the platform has, with no newer
/// runtime needed: `Synchronization.Mutex` wants macOS 15), the checker for its slots and
/// cancellation, the Z3 layer for interruption flags.
package final class PthreadLock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    package init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` holding the lock.
    package func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}
