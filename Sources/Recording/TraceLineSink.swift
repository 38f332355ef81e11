import CommitRecorder
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOConcurrencyHelpers

/// Hands trace lines to the operating system before anything that depends on them happens.
///
/// A recorder may let an outcome through (forward a commit's answer to its client, acknowledge a
/// client's lines) only once the lines that describe it are out of the process: then a crash of
/// the process (SIGKILL, a fault) loses nothing that anyone was told, and with ``Durability/synced``
/// neither does a crash of the machine. Each call writes its lines with `write(2)` (and `fsync`)
/// before it returns, then shows them to the line observer, all under one lock: the observer sees
/// exactly the file's lines, in the file's order, and only lines the file already holds.
public final class TraceLineSink: Sendable {
    /// How far a line has gone when a write returns.
    public enum Durability: Sendable, Equatable {
        /// Handed to the operating system (`write(2)` done): survives a crash of the process.
        case written
        /// Also on disk (`fsync` done): survives a power loss, at a cost per write.
        case synced
    }

    /// Where the lines go (shared with whoever syncs and closes the file).
    public let writer: DurableLineWriter
    public let durability: Durability
    private let lineObserver: (@Sendable (String) -> Void)?
    private let lock = NIOLock()

    /// - Parameter lineObserver: called once per line (without its line end), in file order, after
    ///   the line was written; it runs under the sink's lock, so it must be quick and must not write
    ///   to this sink.
    public init(writer: DurableLineWriter, durability: Durability = .written,
                lineObserver: (@Sendable (String) -> Void)? = nil) {
        self.writer = writer
        self.durability = durability
        self.lineObserver = lineObserver
    }

    /// Writes lines that are already encoded (each without its line end), in order and together.
    public func write<Lines: Collection>(_ lines: Lines) throws(RecorderError)
    where Lines.Element: Collection, Lines.Element.Element == UInt8 {
        guard !lines.isEmpty else { return }
        let failure: RecorderError? = lock.withLock {
            do throws(RecorderError) {
                try writer.appendLines(lines)
                try writer.flush(sync: durability == .synced)
            } catch {
                return error
            }
            if let lineObserver {
                for line in lines { lineObserver(String(decoding: line, as: UTF8.self)) }
            }
            return nil
        }
        if let failure { throw failure }
    }

    /// Writes one line that `encode` builds from a reading of the monotonic clock taken under the
    /// lock, so that line order and clock order agree.
    func record(_ encode: (_ timestamp: Int64, _ line: inout [UInt8]) -> Void) throws(RecorderError) {
        let failure: RecorderError? = lock.withLock {
            var now = timespec()
            clock_gettime(CLOCK_MONOTONIC, &now)
            var line: [UInt8] = []
            line.reserveCapacity(256)
            encode(Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec), &line)
            do throws(RecorderError) {
                try writer.appendLines(CollectionOfOne(line))
                try writer.flush(sync: durability == .synced)
            } catch {
                return error
            }
            lineObserver?(String(decoding: line, as: UTF8.self))
            return nil
        }
        if let failure { throw failure }
    }
}
