import Locking
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Names the program-order unit an event belongs to: the current Swift task, else the OS thread.
///
/// Threads are numbered in the order they first record (`thread-1`, `thread-2`, ...), per process.
///
/// A task's events are in program order even when the task hops threads, so inside a task the task
/// is the unit; outside one, the thread is. Both identities may be reused after their owner ends,
/// which only adds order that real time already had (the old owner finished first), so it is sound.
enum RecorderThread {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { pointer in
            if let pointer { Unmanaged<Label>.fromOpaque(pointer).release() }
        }
        return key
    }()

    private static let numberLock = PthreadLock()
    nonisolated(unsafe) private static var nextNumber = 0

    private final class Label {
        let text: String
        init(_ text: String) { self.text = text }
    }

    /// The label of the calling task or thread.
    static var current: String {
        if let task = withUnsafeCurrentTask(body: { $0?.hashValue }) {
            return "task-\(UInt(bitPattern: task))"
        }
        let key = Self.key
        if let stored = pthread_getspecific(key) {
            return Unmanaged<Label>.fromOpaque(stored).takeUnretainedValue().text
        }
        let number = numberLock.withLock { () -> Int in
            nextNumber += 1
            return nextNumber
        }
        let label = Label("thread-\(number)")
        pthread_setspecific(key, Unmanaged.passRetained(label).toOpaque())
        return label.text
    }
}
