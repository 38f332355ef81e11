import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Everything read from one pipe by a thread of its own, from the start of a child to its end.
///
/// Reading only after the child exits deadlocks as soon as the child fills the pipe (64 KiB on
/// Linux) and waits for it to drain; reading one pipe to its end before the other deadlocks the
/// same way on the other one. One thread per pipe never blocks the child.
final class PipeCollector: @unchecked Sendable {
    private let handle: FileHandle
    private let lock = NSLock()
    private var data = Data()
    private let ended = DispatchSemaphore(value: 0)
    private var hasEnded = false

    init(_ handle: FileHandle) {
        self.handle = handle
        let descriptor = handle.fileDescriptor
        Thread.detachNewThread { [self] in
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count > 0 {
                    lock.withLock { data.append(contentsOf: buffer[0..<count]) }
                } else if count < 0 && errno == EINTR {
                    continue
                } else {
                    break
                }
            }
            lock.withLock { hasEnded = true }
            ended.signal()
        }
    }

    /// The bytes read so far, as UTF-8 (invalid bytes replaced).
    var text: String {
        lock.withLock { String(decoding: data, as: UTF8.self) }
    }

    /// Waits until the pipe's writers have all closed it, at most `timeout` seconds.
    func waitForEnd(timeout: TimeInterval) {
        if lock.withLock({ hasEnded }) { return }
        if ended.wait(timeout: .now() + timeout) == .success { ended.signal() }
    }
}
