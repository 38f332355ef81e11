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
    /// Share of events that are OffsetFetch lines (a `fetch` and its `fetched`): a thread reads
    /// back some partitions it owns, as consumers do when they start and after errors.
    public var fetchShare: Double
    /// Every this many commits (0: never) the group rebalances and every thread fetches all the
    /// partitions it owns in one request, as a consumer does when partitions are assigned.
    public var rebalanceEvery: Int
    public var seed: UInt64

    public init(events: Int, partitions: Int = 1_000, threads: Int = 16, connectionFIFO: Bool = false,
                overlap: Int = 0, timestamps: Bool = true, fetchShare: Double = 0, rebalanceEvery: Int = 0, seed: UInt64 = 1) {
        self.events = events
        self.partitions = partitions
        self.threads = threads
        self.connectionFIFO = connectionFIFO
        self.overlap = overlap
        self.timestamps = timestamps
        self.fetchShare = fetchShare
        self.rebalanceEvery = rebalanceEvery
        self.seed = seed
    }

    public var description: String {
        "\(events) events, \(partitions) partitions, \(threads) threads, \(connectionFIFO ? "FIFO" : "no FIFO"), "
            + (overlap == 0 ? "ordered" : "overlap \(overlap)") + (timestamps ? "" : ", no ts")
            + (fetchShare > 0 ? ", \(Int(fetchShare * 100))% fetches" : "") + (rebalanceEvery > 0 ? ", rebalance every \(rebalanceEvery) commits" : "")
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
        // What the broker holds per partition: reads return it (acked commits only, so fetches are
        // only generated in the ordered shape, where every commit is acked before the next event).
        var committed = [Int](repeating: -1, count: partitions)
        var fetchNumber = 0
        func ack(_ thread: Int, _ id: Int) {
            chunk += "{\"ev\":\"ack\",\"proc\":\"app\",\"thread\":\"T\(thread)\"\(stamp()),\"commit\":\"c\(id)\",\"status\":\"ok\"}\n"
            written += 1
        }
        func fetch(_ thread: Int, _ read: [Int]) {
            let head = "\"proc\":\"app\",\"thread\":\"T\(thread)\""
            let names = read.map { "\"orders/\($0)\"" }.joined(separator: ",")
            let values = read.map { "\"orders/\($0)\":\(committed[$0])" }.joined(separator: ",")
            chunk += "{\"ev\":\"fetch\",\(head)\(stamp()),\"fetch\":\"f\(fetchNumber)\",\"group\":\"g\",\"partitions\":[\(names)]}\n"
            chunk += "{\"ev\":\"fetched\",\(head)\(stamp()),\"fetch\":\"f\(fetchNumber)\",\"offsets\":{\(values)}}\n"
            fetchNumber += 1
            written += 2
        }
        func ownedPartitions(_ thread: Int) -> StrideTo<Int> { stride(from: thread, to: partitions, by: threads) }
        let reads = overlap == 0
        // Per commit (three lines), the chance of a fetch (two lines) that makes `fetchShare` of all lines.
        let fetchChance = reads && fetchShare > 0 ? min(1, 3 * fetchShare / (2 * (1 - fetchShare))) : 0
        while written < events {
            let thread = Int(random.next() % UInt64(threads))
            // Threads own partitions (as consumer-group members do): partition p belongs to thread p % threads.
            let owned = max(1, (partitions + threads - 1 - thread) / threads)
            let partition = min(partitions - 1, thread + threads * Int(random.next() % UInt64(owned)))
            if reads, rebalanceEvery > 0, commit > 0, commit % rebalanceEvery == 0 {
                for member in 0..<threads where member < partitions { fetch(member, Array(ownedPartitions(member))) }
            }
            if fetchChance > 0, Double(random.next() >> 11) / Double(1 << 53) < fetchChance {
                // One to four partitions the thread owns, read back at one read point.
                var read: [Int] = []
                for _ in 0..<(1 + Int(random.next() % 4)) {
                    let candidate = min(partitions - 1, thread + threads * Int(random.next() % UInt64(owned)))
                    if !read.contains(candidate) { read.append(candidate) }
                }
                fetch(thread, read)
            }
            offsets[partition] += 1 + Int(random.next() % 5)
            let head = "\"proc\":\"app\",\"thread\":\"T\(thread)\""
            chunk += "{\"ev\":\"build\",\(head)\(stamp()),\"commit\":\"c\(commit)\",\"group\":\"g\",\"offsets\":{\"orders/\(partition)\":\(offsets[partition])}}\n"
            let conn = connectionFIFO ? ",\"conn\":\"broker-\(thread)\"" : ""
            chunk += "{\"ev\":\"send\",\(head)\(stamp()),\"commit\":\"c\(commit)\"\(conn)}\n"
            written += 2
            if overlap == 0 {
                ack(thread, commit)
                committed[partition] = offsets[partition]
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

/// The shape `commitcheck proxy` records for Sarama (IBM/sarama #2940): one connection, every event on
/// one thread with timestamps (a total order), commits that carry every dirty partition, a fetch of
/// each partition when the consumer starts and one of all partitions at the end. Now and then a
/// request built from a stale snapshot overtakes a newer one, so some keys regress.
public struct ProxyCommitTrace: Sendable, CustomStringConvertible {
    public var partitions: Int
    /// Messages per partition; a commit per message.
    public var messages: Int
    /// Commits in flight on the connection before the oldest is answered (librdkafka's async
    /// commits keep many; Sarama v1.43.2 one).
    public var inFlight: Int
    /// Fetches of all partitions from another connection, spread evenly over the run (besides the
    /// start and the end), as consumers do after a rebalance.
    public var rebalances: Int
    public var seed: UInt64

    public init(partitions: Int = 8, messages: Int = 50, inFlight: Int = 1, rebalances: Int = 0, seed: UInt64 = 1) {
        self.partitions = partitions
        self.messages = messages
        self.inFlight = inFlight
        self.rebalances = rebalances
        self.seed = seed
    }

    public var description: String {
        "proxy trace: \(partitions) partitions × \(messages) messages, \(inFlight) in flight, \(rebalances) rebalances"
    }

    public func generate(_ write: (String) -> Void) {
        var random = SplitMix64(seed: seed)
        var text = "{\"ev\":\"meta\",\"format\":\"commitcheck/1\",\"clock\":\"monotonic\"}\n"
        var clock = 1_000
        var fetchNumber = 0
        func stamp() -> Int { clock += 1 + Int(random.next() % 50); return clock }
        var committed = [Int](repeating: -1, count: partitions)
        func fetch(_ thread: String, _ read: [Int]) {
            let names = read.map { "\"p/\($0)\"" }.joined(separator: ",")
            let values = read.map { "\"p/\($0)\":\(committed[$0])" }.joined(separator: ",")
            text += "{\"ev\":\"fetch\",\"proc\":\"proxy\",\"thread\":\"\(thread)\",\"ts\":\(stamp()),\"fetch\":\"f\(fetchNumber)\",\"group\":\"g\",\"partitions\":[\(names)]}\n"
            text += "{\"ev\":\"fetched\",\"proc\":\"proxy\",\"thread\":\"\(thread)\",\"ts\":\(stamp()),\"fetch\":\"f\(fetchNumber)\",\"offsets\":{\(values)}}\n"
            fetchNumber += 1
        }
        for partition in 0..<partitions { fetch("conn-1", [partition]) }
        var consumed = [Int](repeating: 0, count: partitions)
        var pending: [(id: Int, offsets: [Int: Int])] = []
        let total = partitions * messages
        let rebalanceEvery = rebalances > 0 ? max(1, total / (rebalances + 1)) : 0
        func answer() {
            let (id, offsets) = pending.removeFirst()
            text += "{\"ev\":\"ack\",\"proc\":\"proxy\",\"thread\":\"conn-1\",\"ts\":\(stamp()),\"commit\":\"c\(id)\",\"status\":\"ok\"}\n"
            for (partition, offset) in offsets { committed[partition] = offset }
        }
        for id in 0..<total {
            let partition = Int(random.next() % UInt64(partitions))
            consumed[partition] = min(consumed[partition] + 1, messages)
            // The request carries every partition consumed so far; one in 25 from a snapshot a few messages old.
            var offsets: [Int: Int] = [:]
            let stale = random.next() % 25 == 0
            let lag = 2 + Int(random.next() % 3)
            for p in 0..<partitions where consumed[p] > 0 { offsets[p] = stale && p == partition ? max(consumed[p] - lag, 0) : consumed[p] }
            let body = offsets.keys.sorted().map { "\"p/\($0)\":\(offsets[$0]!)" }.joined(separator: ",")
            text += "{\"ev\":\"send\",\"proc\":\"proxy\",\"thread\":\"conn-1\",\"ts\":\(stamp()),\"commit\":\"c\(id)\",\"conn\":\"conn-1\",\"group\":\"g\",\"offsets\":{\(body)}}\n"
            pending.append((id, offsets))
            if pending.count >= inFlight { answer() }
            if rebalanceEvery > 0, id > 0, id % rebalanceEvery == 0 {
                while !pending.isEmpty { answer() }
                fetch("conn-2", Array(0..<partitions))
            }
            if text.utf8.count > 1 << 20 { write(text); text = "" }
        }
        while !pending.isEmpty { answer() }
        fetch("conn-2", Array(0..<partitions))
        write(text)
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
