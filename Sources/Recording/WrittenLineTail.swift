#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOConcurrencyHelpers

/// Hands each line a recorder has written to its trace file to an observer, once, in file order.
///
/// The recorders buffer lines and write them on their periodic flush; this reads what the flush
/// put in the file since the last call, so an observer (online checking) sees exactly the trace
/// `verify` will read, line by line, a flush interval after each line was recorded.
public final class WrittenLineTail: @unchecked Sendable {
    private let path: String
    private let observer: @Sendable (String) -> Void
    private let state = NIOLockedValueBox<(offset: Int, partial: [UInt8])>((0, []))

    public init(path: String, observer: @escaping @Sendable (String) -> Void) {
        self.path = path
        self.observer = observer
    }

    /// Delivers every complete line written since the last call (a cut-off last line waits).
    public func deliverWrittenLines() {
        state.withLockedValue { state in
            let descriptor = open(path, O_RDONLY)
            guard descriptor >= 0 else { return }
            defer { close(descriptor) }
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(state.offset)) }
                guard count > 0 else { break }
                state.offset += count
                var start = 0
                for index in 0..<count where buffer[index] == 0x0A {
                    state.partial.append(contentsOf: buffer[start..<index])
                    observer(String(decoding: state.partial, as: UTF8.self))
                    state.partial.removeAll(keepingCapacity: true)
                    start = index + 1
                }
                state.partial.append(contentsOf: buffer[start..<count])
            }
        }
    }
}
