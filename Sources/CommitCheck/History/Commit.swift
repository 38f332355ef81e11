/// Whether a commit changed one key's register.
public enum ApplyStatus: Sendable, Equatable {
    /// It certainly applied (an `ok` ack without an error for the key, or an observed `apply`).
    case applied
    /// It may or may not have applied (`unknown` ack, or no ack at all).
    case maybe
    /// It certainly did not (a `fail` ack, or an error for the key).
    case notApplied
}

/// One OffsetCommit request and everything the trace says about it.
public struct Commit: Sendable {
    public var id: String
    public var group: String
    /// The offsets the request carries, in written order.
    public var offsets: [(TopicPartition, Int)]
    /// Event indices (into ``History/events``).
    public var build: Int?
    public var send: Int?
    public var ack: Int?
    /// Broker-side `apply` observations, which pin the apply point.
    public var applies: [Int] = []

    init(id: String, group: String, offsets: [(TopicPartition, Int)]) {
        self.id = id
        self.group = group
        self.offsets = offsets
    }

    /// The offset for a partition, if the commit carries one.
    public func offset(for partition: TopicPartition) -> Int? {
        offsets.first { $0.0 == partition }?.1
    }
}

/// One OffsetFetch request and its response.
public struct Fetch: Sendable {
    public var id: String
    public var group: String
    public var partitions: [TopicPartition]
    public var fetch: Int?
    public var fetched: Int?
    /// The offsets returned (`-1` = no committed offset).
    public var results: [(TopicPartition, Int)] = []
}
