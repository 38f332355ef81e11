/// Whether a commit changed one key's register.
package enum ApplyStatus: Sendable, Equatable {
    /// It certainly applied (an `ok` ack without an error for the key, or an observed `apply`).
    case applied
    /// It may or may not have applied (`unknown` ack, or no ack at all).
    case maybe
    /// It certainly did not (a `fail` ack, or an error for the key).
    case notApplied
}

/// One OffsetCommit request and everything the trace says about it.
package struct Commit: Sendable {
    package var id: String
    package var group: String
    /// The offsets the request carries, in written order.
    package var offsets: [(TopicPartition, Int)]
    /// Event indices (into ``History/events``).
    package var build: Int?
    package var send: Int?
    package var ack: Int?
    /// Broker-side `apply` observations, which pin the apply point.
    package var applies: [Int] = []
    /// The transaction its offsets are staged in (index into ``History/transactions``), if any.
    package var transaction: Int?
    /// An intended rewind (`reset: true` on its build or send, or `--reset-clients`).
    package var reset = false
    /// The Kafka client id its `send` names.
    package var client: String?

    init(id: String, group: String, offsets: [(TopicPartition, Int)]) {
        self.id = id
        self.group = group
        self.offsets = offsets
    }

    /// The offset for a partition, if the commit carries one.
    package func offset(for partition: TopicPartition) -> Int? {
        offsets.first { $0.0 == partition }?.1
    }
}

/// One OffsetFetch request and its response.
package struct Fetch: Sendable {
    package var id: String
    package var group: String
    package var partitions: [TopicPartition]
    package var fetch: Int?
    package var fetched: Int?
    /// The Kafka client id its `fetch` names.
    package var client: String?
    /// The offsets returned (`-1` = no committed offset).
    package var results: [(TopicPartition, Int)] = []
}
