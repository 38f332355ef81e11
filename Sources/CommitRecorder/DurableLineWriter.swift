import Locking
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An append-only file of whole lines, buffered in memory, made durable with `fsync` on request.
///
/// Lines enter the buffer whole and the buffer is only ever written from a line boundary, so a crash
/// can cut at most the last line written (which `commitcheck verify` reports as a warning and
/// ignores) and never corrupts an earlier one. The order of lines in the file is the order in which
/// `append` calls took the lock: that is what lets a recorder claim that a `send` recorded under a
/// connection's write lock is in the connection's order. Shared by the in-process recorder and the
/// network collector.
public final class DurableLineWriter: @unchecked Sendable {
    public let path: String
    private let lock = PthreadLock()
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private let capacity: Int

    /// Opens (creating, or truncating unless `append`) the file at `path`.
    ///
    /// - Parameter bufferCapacity: bytes kept in memory before a `write`; a crash of the process
    ///   loses at most this much, a crash of the machine whatever was not `flush`ed.
    public init(path: String, append: Bool = false, bufferCapacity: Int = 64 * 1024) throws(RecorderError) {
        self.path = path
        self.capacity = max(bufferCapacity, 1)
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC)
        descriptor = open(path, flags, 0o644)
        if descriptor < 0 { throw .open(path: path, errno: errno) }
        buffer.reserveCapacity(self.capacity + 1024)
    }

    deinit {
        if descriptor >= 0 {
            _ = try? drain()
            Glibc_close(descriptor)
        }
    }

    /// Whether the file is at its start: a `meta` line may only be the first line of a file.
    public var isEmptyFile: Bool {
        lock.withLock { descriptor >= 0 && lseek(descriptor, 0, SEEK_END) == 0 && buffer.isEmpty }
    }

    /// Appends one line built by `body` (which must not write a line end: the writer adds it).
    ///
    /// The line is built directly into the shared buffer under the lock, so no intermediate copy
    /// is made; `body` must be quick and must not call back into the writer.
    @inline(__always)
    public func appendLine(_ body: (inout [UInt8]) -> Void) throws(RecorderError) {
        let failure: RecorderError? = lock.withLock {
            if descriptor < 0 { return .closed(path: path) }
            body(&buffer)
            buffer.append(UInt8(ascii: "\n"))
            if buffer.count >= capacity {
                do throws(RecorderError) { try drain() } catch { return error }
            }
            return nil
        }
        if let failure { throw failure }
    }

    /// Appends lines that are already encoded, each without its line end, in order and together.
    public func appendLines<Lines: Sequence>(_ lines: Lines) throws(RecorderError) where Lines.Element: Collection, Lines.Element.Element == UInt8 {
        var failure: RecorderError?
        lock.withLock {
            if descriptor < 0 { failure = .closed(path: path); return }
            for line in lines {
                buffer.append(contentsOf: line)
                buffer.append(UInt8(ascii: "\n"))
                }
            if buffer.count >= capacity {
                do throws(RecorderError) { try drain() } catch { failure = error }
            }
        }
        if let failure { throw failure }
    }

    /// Writes every buffered line to the file and, when `sync`, waits until the disk has it.
    public func flush(sync: Bool = true) throws(RecorderError) {
        var failure: RecorderError?
        lock.withLock {
            guard descriptor >= 0 else { return }
            do throws(RecorderError) {
                try drain()
                if sync, fsync(descriptor) != 0 { throw RecorderError.sync(path: path, errno: errno) }
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
    }

    /// Flushes, syncs and closes; later appends throw `RecorderError.closed`.
    public func close() throws(RecorderError) {
        try flush(sync: true)
        lock.withLock {
            if descriptor >= 0 { Glibc_close(descriptor) }
            descriptor = -1
        }
    }

    /// Writes the whole buffer (the caller holds the lock); on failure the unwritten rest stays.
    private func drain() throws(RecorderError) {
        var written = 0
        defer { if written > 0 { buffer.removeFirst(written) } }
        while written < buffer.count {
            let result = buffer.withUnsafeBytes { bytes in
                write(descriptor, bytes.baseAddress! + written, bytes.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw .write(path: path, errno: errno)
            }
            written += result
        }
    }
}

@inline(__always)
private func Glibc_close(_ descriptor: Int32) {
    #if canImport(Glibc)
    _ = Glibc.close(descriptor)
    #else
    _ = Darwin.close(descriptor)
    #endif
}
