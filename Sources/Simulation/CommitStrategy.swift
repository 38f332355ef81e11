/// How a consumer's goroutines commit offsets, each modelled on real Sarama code.
public enum CommitStrategy: String, CaseIterable, Sendable {
    /// Sarama before v1.43.3 (IBM/sarama #2940): every partition's goroutine calls Commit(), which
    /// builds a request from all dirty offsets, looks up the coordinator and sends, with nothing
    /// spanning the three steps.
    case unsynchronized
    /// A dedicated mutex around build, lookup, send and the wait for the response (PR #2941).
    case commitMutex = "commit-mutex"
    /// v1.43.3 (PR #2947): look up the coordinator, take the connection lock, build, send, release,
    /// then wait for the response.
    case brokerLock = "broker-lock"
    /// One ticker goroutine commits all dirty offsets at an interval.
    case autoCommit = "auto-commit"
}

/// The knobs of a simulated consumer group. Times are nanoseconds of simulated time.
public struct SimulationConfig: Sendable {
    public var strategy: CommitStrategy
    public var partitions: Int = 4
    public var consumers: Int = 1
    /// Messages each partition's goroutine processes.
    public var messages: Int = 20
    /// Manual strategies commit after every this many messages of a partition.
    public var commitEvery: Int = 1
    public var processingTime: Int = 300
    /// Network latency: a base plus an exponential tail with this mean.
    public var latencyBase: Int = 200
    public var latencyJitter: Int = 400
    public var lookupTime: Int = 300
    /// The broker's time to apply a commit request.
    public var brokerTime: Int = 50
    /// Share of requests the broker rejects (acked `fail`, not applied).
    public var failureRate: Double = 0
    /// Requests whose response takes longer than this time out: the client records no ack (the
    /// broker may still apply them; DESIGN §4 bounds an acked commit's apply point by its ack).
    public var requestTimeout: Int = 1_000_000
    public var autoCommitInterval: Int = 5_000
    /// Stamp events with the process's clock (`ts`); without it only program order and FIFO remain.
    public var timestamps: Bool = true
    public var seed: UInt64 = 1

    public init(strategy: CommitStrategy) { self.strategy = strategy }
}
