import NIOCore

/// A TxnOffsetCommit (api key 28) request body, versions 0 through 6: offsets staged in a
/// transaction, sent to the group coordinator; they apply only if the transaction commits.
///
/// Layout by version (Apache Kafka's TxnOffsetCommitRequest.json):
/// - v0-v1: TransactionalId, GroupId, ProducerId, ProducerEpoch,
///   Topics[Name, Partitions[PartitionIndex, CommittedOffset, CommittedMetadata]]
/// - v2: per partition + CommittedLeaderEpoch (after CommittedOffset)
/// - v3: + GenerationId, MemberId, GroupInstanceId (nullable); first flexible version
/// - v4-v5: same layout (new error codes; v5 with transactions v2 also adds the group to the transaction)
/// - v6: topics identified by TopicId instead of Name
///
/// Partitions are ``OffsetCommitRequest/Partition`` (`commitTimestamp` is always -1 here).
public struct TxnOffsetCommitRequest: KafkaCodableMessage {
    public static let apiKey = KafkaAPIKey.txnOffsetCommit
    public static let supportedVersions: ClosedRange<Int16> = 0...6

    public var transactionalID: String
    public var groupID: String
    public var producerID: Int64
    public var producerEpoch: Int16
    /// v3+; -1 before.
    public var generationID: Int32
    /// v3+; "" before.
    public var memberID: String
    /// v3+; nil before.
    public var groupInstanceID: String?
    public var topics: [OffsetCommitRequest.Topic]

    public init(transactionalID: String, groupID: String, producerID: Int64, producerEpoch: Int16,
                generationID: Int32 = -1, memberID: String = "", groupInstanceID: String? = nil,
                topics: [OffsetCommitRequest.Topic]) {
        self.transactionalID = transactionalID
        self.groupID = groupID
        self.producerID = producerID
        self.producerEpoch = producerEpoch
        self.generationID = generationID
        self.memberID = memberID
        self.groupInstanceID = groupInstanceID
        self.topics = topics
    }

    /// Decodes a request body (the frame after the request header). The whole body must be consumed.
    public init(version: Int16, body: ByteBuffer) throws(KafkaWireError) {
        try Self.requireSupported(version)
        var r = KafkaReader(body, flexible: version >= 3)
        transactionalID = try r.string("TxnOffsetCommitRequest.TransactionalId")
        groupID = try r.string("TxnOffsetCommitRequest.GroupId")
        producerID = try r.int64("TxnOffsetCommitRequest.ProducerId")
        producerEpoch = try r.int16("TxnOffsetCommitRequest.ProducerEpoch")
        generationID = version >= 3 ? try r.int32("TxnOffsetCommitRequest.GenerationId") : -1
        memberID = version >= 3 ? try r.string("TxnOffsetCommitRequest.MemberId") : ""
        groupInstanceID = version >= 3 ? try r.nullableString("TxnOffsetCommitRequest.GroupInstanceId") : nil
        topics = try Self.topicCodec(version).read(&r)
        try r.skipTaggedFields("TxnOffsetCommitRequest")
        try r.expectEnd("TxnOffsetCommitRequest v\(version)")
    }

    public func encode(version: Int16) throws(KafkaWireError) -> ByteBuffer {
        try Self.requireSupported(version)
        var w = KafkaWriter(flexible: version >= 3)
        try w.string(transactionalID, "TxnOffsetCommitRequest.TransactionalId")
        try w.string(groupID, "TxnOffsetCommitRequest.GroupId")
        w.int64(producerID)
        w.int16(producerEpoch)
        if version >= 3 {
            w.int32(generationID)
            try w.string(memberID, "TxnOffsetCommitRequest.MemberId")
            try w.string(groupInstanceID, "TxnOffsetCommitRequest.GroupInstanceId")
        }
        try Self.topicCodec(version).write(topics, &w)
        w.emptyTaggedFields()
        return w.buffer
    }

    static func topicCodec(_ version: Int16) -> TopicArrayCodec<OffsetCommitRequest.Partition> {
        TopicArrayCodec(
            owner: "TxnOffsetCommitRequest", naming: TopicNaming(version: version, firstByID: 6),
            partition: .offsets(leaderEpoch: version >= 2, commitTimestamp: false))
    }
}
