/// One committed-offset register: (group, topic, partition). Keys are checked independently.
public struct PartitionKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var group: String
    public var partition: TopicPartition

    public init(group: String, partition: TopicPartition) {
        self.group = group
        self.partition = partition
    }

    public var description: String { "\(group) \(partition)" }

    public static func < (a: PartitionKey, b: PartitionKey) -> Bool {
        (a.group, a.partition) < (b.group, b.partition)
    }
}
