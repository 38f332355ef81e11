import TraceFormat

extension CommitRecorder {
    /// One partition of a topic: the unit a committed offset belongs to (with the group). The trace
    /// format's own type, so a recorder and the checker cannot disagree on what a partition is.
    public typealias Partition = TopicPartition

    /// The outcome of a commit request as its response reported it.
    public enum Outcome: String, Sendable {
        /// Applied to every partition not listed in the ack's errors.
        case ok
        /// Applied to none.
        case fail
        /// No usable response (timeout, disconnect): may or may not have applied.
        case unknown
    }

    /// What an EndTxn asks the transaction coordinator to do with a transaction.
    public enum TransactionResult: String, Sendable {
        /// Make the transaction's staged offsets (and records) visible.
        case commit
        /// Discard them: an aborted transaction has no effect.
        case abort
    }
}

extension TopicPartition {
    /// A partition numbered as Kafka's wire protocol numbers it (`INT32`).
    public init(_ topic: String, _ partition: Int32) {
        self.init(topic: topic, partition: Int(partition))
    }
}
