/// How a consumer's goroutines commit offsets, each modelled on real Sarama code.
///
/// Every strategy runs on the connection of the Sarama release it comes from: v1.43.2's
/// `Broker.sendAndReceive` holds the connection lock from the send until the response arrives (one
/// request in flight, message fetches included), v1.43.3's commit path builds and sends under that
/// lock and waits outside it. The earlier model's "lock only for the send, build outside it,
/// answers in any order" is no real client's behaviour (a Kafka broker answers a connection's
/// requests in order, and neither release sends a commit that way), so it is gone.
public enum CommitStrategy: String, CaseIterable, Sendable, Codable {
    /// Sarama v1.43.2 (IBM/sarama #2940): every partition's goroutine calls Commit(), which builds
    /// a request from all dirty offsets, looks up the coordinator, then waits for the connection
    /// lock that a message fetch or another commit may hold for a whole round trip. Who gets the
    /// lock next has nothing to do with build order.
    case unsynchronized
    /// PR #2941 (not merged) on top of v1.43.2: a dedicated mutex around build, lookup, send and
    /// the wait for the response.
    case commitMutex = "commit-mutex"
    /// v1.43.3 (PR #2947): look up the coordinator, take the connection lock, build, send,
    /// release, then wait for the response outside the lock (requests pipeline, answers in order).
    case brokerLock = "broker-lock"
    /// Sarama's auto-commit on v1.43.2's connection: one ticker goroutine commits all dirty offsets
    /// at an interval; workers only mark.
    case autoCommit = "auto-commit"

    /// Whether this strategy's client holds the connection lock for the whole round trip (v1.43.2)
    /// rather than only to build and send (v1.43.3).
    public var holdsLockForRoundTrip: Bool { self != .brokerLock }
}

/// The knobs of a simulated consumer group. Times are nanoseconds of simulated time.
///
/// The defaults are calibrated against real Sarama v1.43.2 through `commitcheck proxy` against
/// Tansu on loopback (docs/simulation.md, "Calibration"); `CalibrationTests` keeps them there.
public struct SimulationConfig: Sendable, Hashable {
    public var strategy: CommitStrategy
    public var partitions: Int = 4
    public var consumers: Int = 1
    /// Messages each partition's goroutine processes.
    public var messages: Int = 25
    /// Manual strategies commit after every this many messages of a partition.
    public var commitEvery: Int = 1
    /// Mean time (exponential) a goroutine spends on a message before marking it: in the real runs
    /// about 30–40 µs from one commit's return to the next build.
    public var processingTime: Int = 40_000
    /// One-way network latency: a base plus an exponential tail with this mean. A commit's round
    /// trip through the proxy on loopback took 0.43–0.6 ms.
    public var latencyBase: Int = 150_000
    public var latencyJitter: Int = 50_000
    /// Coordinator lookup (cached): the real build-to-send gap was about 10 µs.
    public var lookupTime: Int = 10_000
    /// The broker's time to apply a commit request.
    public var brokerTime: Int = 50_000
    /// How long the broker holds a message fetch (the consumer's `Consumer.MaxWaitTime`, 10 ms in
    /// the real runs; Tansu answered each fetch after about that long).
    public var fetchWait: Int = 10_000_000
    /// Mean time (exponential) the fetch goroutine spends between a fetch response and asking for
    /// the connection lock again (handing messages to the partition goroutines). Fitted to the
    /// real table, not measured.
    public var fetchGap: Int = 700_000
    /// Messages per partition each fetch response carries. Fitted: the 4-partition traces in
    /// `../shared/real-traces` show about one per partition per fetch, but with one the model's
    /// drops stay at 1 where the reference runs dropped 2 to 4.
    public var messagesPerFetch: Int = 3
    /// Mean time (exponential) from a Go mutex's Unlock to the woken waiter running; a goroutine
    /// that asks for the lock in that window takes it first (see `SimulatedMutex`). Fitted; in the
    /// real v1.43.2 traces a goroutine back from its commit took the lock about 50 µs later, ahead
    /// of a waiter woken before it, so the wake-up took longer than that on the busy 2-core machine.
    public var wakeLatency: Int = 500_000
    /// Share of requests the broker rejects (acked `fail`, not applied).
    public var failureRate: Double = 0
    /// Requests whose response takes longer than this time out: the client records no ack (the
    /// broker may still apply them). Sarama's default `Net.ReadTimeout` is 30 s.
    public var requestTimeout: Int = 30_000_000_000
    public var autoCommitInterval: Int = 50_000_000
    /// Stamp events with the process's clock (`ts`); without it only program order and FIFO remain.
    public var timestamps: Bool = true
    public var seed: UInt64 = 1

    public init(strategy: CommitStrategy) { self.strategy = strategy }

    /// Every knob but the seed, by its command-line name, in a fixed order: what `analyze` prints
    /// per cell, so that no cell hides a setting.
    public var knobs: [(name: String, value: String)] {
        [("strategy", strategy.rawValue), ("partitions", "\(partitions)"), ("consumers", "\(consumers)"),
         ("messages", "\(messages)"), ("commit-every", "\(commitEvery)"), ("processing-ns", "\(processingTime)"),
         ("latency-ns", "\(latencyBase)"), ("jitter-ns", "\(latencyJitter)"), ("lookup-ns", "\(lookupTime)"),
         ("broker-ns", "\(brokerTime)"), ("fetch-wait-ns", "\(fetchWait)"), ("fetch-gap-ns", "\(fetchGap)"),
         ("messages-per-fetch", "\(messagesPerFetch)"), ("wake-ns", "\(wakeLatency)"), ("interval-ns", "\(autoCommitInterval)"),
         ("failure-rate", "\(failureRate)"), ("timeout-ns", "\(requestTimeout)"), ("timestamps", "\(timestamps)")]
    }
}

/// Bounds on the knobs, so that a typo cannot allocate hundreds of gigabytes, overflow simulated
/// time or run for days; `problem` names the first knob out of bounds.
public enum SimulationLimits {
    /// Partitions per consumer, and consumers.
    public static let maxPartitions = 4_096
    public static let maxConsumers = 256
    /// Messages per partition.
    public static let maxMessages = 1_000_000
    /// Messages of one run over all partitions and consumers.
    public static let maxMessagesPerRun = 2_000_000
    /// Offsets the build events of one run may carry: a commit carries every dirty partition of its
    /// consumer, so the trace grows with commits × partitions (about 18 bytes each: 1 GB at the
    /// bound; 200 partitions × 1,000 messages wrote 717 MB in 110 s).
    public static let maxOffsetsPerRun = 50_000_000
    /// Any time knob: one minute of simulated time keeps every sum far from Int overflow.
    public static let maxNanoseconds = 60_000_000_000

    /// A message naming the first out-of-bounds knob by its command-line name, or nil.
    public static func problem(_ config: SimulationConfig) -> String? {
        func range(_ name: String, _ value: Int, _ bounds: ClosedRange<Int>) -> String? {
            bounds.contains(value) ? nil : "--\(name) must be between \(bounds.lowerBound) and \(bounds.upperBound), not \(value)"
        }
        let checks: [String?] = [
            range("partitions", config.partitions, 1...maxPartitions),
            range("consumers", config.consumers, 1...maxConsumers),
            range("messages", config.messages, 1...maxMessages),
            range("commit-every", config.commitEvery, 1...maxMessages),
            range("messages-per-fetch", config.messagesPerFetch, 1...maxMessages),
            range("processing-ns", config.processingTime, 0...maxNanoseconds),
            range("latency-ns", config.latencyBase, 0...maxNanoseconds),
            range("jitter-ns", config.latencyJitter, 0...maxNanoseconds),
            range("lookup-ns", config.lookupTime, 0...maxNanoseconds),
            range("broker-ns", config.brokerTime, 0...maxNanoseconds),
            range("fetch-wait-ns", config.fetchWait, 0...maxNanoseconds),
            range("fetch-gap-ns", config.fetchGap, 0...maxNanoseconds),
            range("wake-ns", config.wakeLatency, 0...maxNanoseconds),
            range("interval-ns", config.autoCommitInterval, 1...maxNanoseconds),
            range("timeout-ns", config.requestTimeout, 1...maxNanoseconds),
            (0...1).contains(config.failureRate) ? nil : "--failure-rate is a share between 0 and 1, not \(config.failureRate)",
        ]
        if let first = checks.compactMap({ $0 }).first { return first }
        let total = config.partitions * config.consumers * config.messages
        if total > maxMessagesPerRun {
            return "--partitions × --consumers × --messages is \(total) messages; at most \(maxMessagesPerRun) per run"
        }
        let offsets = total / config.commitEvery * config.partitions
        if offsets > maxOffsetsPerRun {
            return "a run would write about \(offsets) offsets (commits × --partitions, each commit carrying every dirty partition); "
                + "at most \(maxOffsetsPerRun): fewer --partitions or --messages, or a larger --commit-every"
        }
        return nil
    }
}
