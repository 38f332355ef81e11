/// One committed-offset register: (group, topic, partition). Keys are checked independently.
public struct PartitionKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var group: String
    public var partition: TopicPartition

    public init(group: String, partition: TopicPartition) {
        self.group = group
        self.partition = partition
    }

    public var description: String { "\(group) \(partition)" }

    /// The shard of `count` this key belongs to: FNV-1a over its text, the same on every machine
    /// and every run (Swift's `Hasher` is seeded per process, so it cannot be used here).
    public func shard(of count: Int) -> Int {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in "\(group)\u{0}\(partition.topic)\u{0}\(partition.partition)".utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return Int(hash % UInt64(count))
    }

    public static func < (a: PartitionKey, b: PartitionKey) -> Bool {
        (a.group, a.partition) < (b.group, b.partition)
    }
}
