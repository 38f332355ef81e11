/// A topic of an offset message and its partitions: the `Topics[Name | TopicId, Partitions[...]]`
/// shape that OffsetCommit, OffsetFetch, TxnOffsetCommit, OffsetDelete and AddPartitionsToTxn share.
///
/// One generic type (read and written by ``TopicArrayCodec``) instead of one struct per message, so
/// that a fix to how topics are named or framed reaches every message at once.
public struct KafkaTopic<Partition: Sendable & Equatable>: Sendable, Equatable {
    /// The topic name, in versions that name topics; nil where the version names them by id.
    public var name: String?
    /// The topic id, in versions that name topics by id (OffsetCommit v10, TxnOffsetCommit v6, ...); nil before.
    public var topicID: KafkaUUID?
    public var partitions: [Partition]

    public init(name: String?, topicID: KafkaUUID?, partitions: [Partition]) {
        self.name = name
        self.topicID = topicID
        self.partitions = partitions
    }
}

extension KafkaTopic where Partition == Int32 {
    /// The partition indexes (OffsetFetch and AddPartitionsToTxn list bare indexes).
    public var partitionIndexes: [Int32] {
        get { partitions }
        set { partitions = newValue }
    }

    public init(name: String?, topicID: KafkaUUID?, partitionIndexes: [Int32]) {
        self.init(name: name, topicID: topicID, partitions: partitionIndexes)
    }
}

/// One partition's error code in an answer (OffsetCommit, TxnOffsetCommit, OffsetDelete,
/// AddPartitionsToTxn responses).
public struct KafkaPartitionResult: Sendable, Equatable {
    public var partitionIndex: Int32
    public var errorCode: Int16

    public init(partitionIndex: Int32, errorCode: Int16) {
        self.partitionIndex = partitionIndex
        self.errorCode = errorCode
    }
}
