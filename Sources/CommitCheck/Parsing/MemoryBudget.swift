#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How much memory reading a trace may use before it stops with a clear message.
///
/// A history is held whole while it is checked (about five times the size of its file), so a trace
/// far larger than the machine would otherwise end in the kernel's out-of-memory killer: a crash
/// with no message. The reader checks the process's resident memory after every batch of lines and
/// stops in time instead.
public struct MemoryBudget: Sendable, Equatable {
    /// The limit in bytes.
    public var bytes: Int

    public init(bytes: Int) { self.bytes = bytes }

    public init(megabytes: Int) { self.bytes = megabytes << 20 }

    /// Nine tenths of the machine's physical memory: what a run may use when nothing else is said.
    public static var machineDefault: MemoryBudget {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, pageSize > 0 else { return MemoryBudget(bytes: Int.max) }
        return MemoryBudget(bytes: Int(pages) / 10 * 9 * Int(pageSize))
    }

    /// The resident memory of this process in bytes (0 where it cannot be read).
    package static func residentBytes() -> Int {
        #if os(Linux)
        let descriptor = open("/proc/self/statm", O_RDONLY)
        guard descriptor >= 0 else { return 0 }
        defer { close(descriptor) }
        var text = [UInt8](repeating: 0, count: 128)
        let count = read(descriptor, &text, text.count)
        guard count > 0 else { return 0 }
        let fields = text[0..<count].split(separator: UInt8(ascii: " "))
        guard fields.count > 1, let pages = Int(String(decoding: fields[1], as: UTF8.self)) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
        #else
        var usage = rusage()
        getrusage(RUSAGE_SELF, &usage)
        return Int(usage.ru_maxrss)
        #endif
    }
}
