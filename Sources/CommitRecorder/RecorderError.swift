#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a recorder could not open, write or sync its trace.
///
/// Each case carries the path and `errno`, because a recorder runs inside someone else's program
/// and its messages must say which file failed and how without a debugger.
public enum RecorderError: Error, CustomStringConvertible, Sendable {
    /// The trace file could not be opened or created.
    case open(path: String, errno: Int32)
    /// Writing buffered lines failed; the lines stay buffered and a later flush retries them.
    case write(path: String, errno: Int32)
    /// `fsync` failed: what was written may not survive a crash of the machine.
    case sync(path: String, errno: Int32)
    /// The recorder was closed; events after `close()` are dropped and reported by this error.
    case closed(path: String)

    public var description: String {
        switch self {
        case let .open(path, code): "cannot open trace \(path): \(String(cString: strerror(code)))"
        case let .write(path, code): "cannot write trace \(path): \(String(cString: strerror(code)))"
        case let .sync(path, code): "cannot sync trace \(path) to disk: \(String(cString: strerror(code)))"
        case let .closed(path): "the recorder of \(path) is closed"
        }
    }
}
