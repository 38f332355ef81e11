extension CommitRecorder {
    /// One partition of a topic: the unit a committed offset belongs to (with the group).
    public struct Partition: Hashable, Sendable, CustomStringConvertible {
        public var topic: String
        public var partition: Int32

        public init(_ topic: String, _ partition: Int32) {
            self.topic = topic
            self.partition = partition
        }

        /// The trace format's spelling, `topic/partition`.
        public var description: String { "\(topic)/\(partition)" }
    }

    /// The outcome of a commit request as its response reported it.
    public enum Outcome: String, Sendable {
        /// Applied to every partition not listed in the ack's errors.
        case ok
        /// Applied to none.
        case fail
        /// No usable response (timeout, disconnect): may or may not have applied.
        case unknown
    }
}
