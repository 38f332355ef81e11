/// Shapes of generated commit traces for benchmarks.
public struct SyntheticTrace: Sendable, CustomStringConvertible {
    /// Events to generate (about three per commit).
    public var events: Int
    public var partitions: Int
    public var threads: Int
    /// Record `conn` on sends (one connection per thread, so FIFO orders each thread's commits).
    public var connectionFIFO: Bool
    /// Commits in flight per thread before the oldest is acknowledged: 0 is the ordered common case.
    public var overlap: Int
    /// Stamp every event with `ts` (one monotonic clock per process).
    public var timestamps: Bool
    public var seed: UInt64

    public init(events: Int, partitions: Int = 1_000, threads: Int = 16, connectionFIFO: Bool = false,
                overlap: Int = 0, timestamps: Bool = true, seed: UInt64 = 1) {
        self.events = events
        self.partitions = partitions
        self.threads = threads
        self.connectionFIFO = connectionFIFO
        self.overlap = overlap
        self.timestamps = timestamps
        self.seed = seed
    }

    public var description: String {
        "\(events) events, \(partitions) partitions, \(threads) threads, \(connectionFIFO ? "FIFO" : "no FIFO"), "
            + (overlap == 0 ? "ordered" : "overlap \(overlap)") + (timestamps ? "" : ", no ts")
    }

    /// Writes the trace through `write` in chunks of whole lines.
    ///
    /// Each thread commits partitions it owns, offsets rising; with `overlap > 0` a thread keeps that
    /// many commits in flight and acknowledges the oldest later, so their apply points overlap.
    public func generate(_ write: (String) -> Void) {
        var random = SplitMix64(seed: seed)
        var offsets = [Int](repeating: 0, count: partitions)
        var inFlight = [[Int]](repeating: [], count: threads)
        var clock = 0
        var written = 1
        var chunk = "{\"ev\":\"meta\",\"format\":\"commitcheck/1\"}\n"
        var commit = 0
        func stamp() -> String {
            clock += 10
            return timestamps ? ",\"ts\":\(clock)" : ""
        }
        func ack(_ thread: Int, _ id: Int) {
            chunk += "{\"ev\":\"ack\",\"proc\":\"app\",\"thread\":\"T\(thread)\"\(stamp()),\"commit\":\"c\(id)\",\"status\":\"ok\"}\n"
            written += 1
        }
        while written < events {
            let thread = Int(random.next() % UInt64(threads))
            // Threads own partitions (as consumer-group members do): partition p belongs to thread p % threads.
            let owned = max(1, (partitions + threads - 1 - thread) / threads)
            let partition = min(partitions - 1, thread + threads * Int(random.next() % UInt64(owned)))
            offsets[partition] += 1 + Int(random.next() % 5)
            let head = "\"proc\":\"app\",\"thread\":\"T\(thread)\""
            chunk += "{\"ev\":\"build\",\(head)\(stamp()),\"commit\":\"c\(commit)\",\"group\":\"g\",\"offsets\":{\"orders/\(partition)\":\(offsets[partition])}}\n"
            let conn = connectionFIFO ? ",\"conn\":\"broker-\(thread)\"" : ""
            chunk += "{\"ev\":\"send\",\(head)\(stamp()),\"commit\":\"c\(commit)\"\(conn)}\n"
            written += 2
            if overlap == 0 {
                ack(thread, commit)
            } else {
                inFlight[thread].append(commit)
                if inFlight[thread].count > overlap { ack(thread, inFlight[thread].removeFirst()) }
            }
            commit += 1
            if chunk.utf8.count > 1 << 20 {
                write(chunk)
                chunk = ""
            }
        }
        write(chunk)
    }
}

/// SplitMix64: a seedable generator, because runs must be repeatable and the standard library's
/// generator cannot be seeded. Shared by the benchmark workloads, the simulator and the tests.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// An exponential sample with the given mean, rounded to whole nanoseconds.
    public mutating func exponential(mean: Int) -> Int {
        guard mean > 0 else { return 0 }
        let uniform = (Double(next() >> 11) + 0.5) / Double(1 << 53)
        return Int(-Double(mean) * log(uniform))
    }
}

#if canImport(Glibc)
import Glibc
#endif
