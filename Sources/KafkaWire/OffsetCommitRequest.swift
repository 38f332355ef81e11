import NIOCore

/// An OffsetCommit (api key 8) request body, versions 0 through 10.
///
/// Layout by version (Apache Kafka's OffsetCommitRequest.json):
/// - v0: GroupId, Topics[Name, Partitions[PartitionIndex, CommittedOffset, CommittedMetadata]]
/// - v1: + GenerationIdOrMemberEpoch, MemberId; per partition + CommitTimestamp (v1 only)
/// - v2-v4: + RetentionTimeMs (after MemberId); CommitTimestamp removed
/// - v5: RetentionTimeMs removed
/// - v6: per partition + CommittedLeaderEpoch (after CommittedOffset)
/// - v7: + GroupInstanceId (nullable)
/// - v8: first flexible version (compact strings/arrays, tagged fields)
/// - v9: same as v8 (usable with the KIP-848 consumer protocol: member epoch)
/// - v10: topics identified by TopicId (uuid) instead of Name
///
/// Fields absent from a version hold their schema default (see each property).
public struct OffsetCommitRequest: KafkaMessage, Equatable {
    public static let apiKey = KafkaAPIKey.offsetCommit
    public static let supportedVersions: ClosedRange<Int16> = 0...10

    public var groupID: String
    /// The classic-protocol generation id or the KIP-848 member epoch; -1 in v0.
    public var generationIDOrMemberEpoch: Int32
    /// "" in v0.
    public var memberID: String
    /// v7+; nil before.
    public var groupInstanceID: String?
    /// v2-v4; -1 otherwise (meaning "broker default").
    public var retentionTimeMs: Int64
    public var topics: [Topic]

    public typealias Topic = KafkaTopic<Partition>

    /// One partition's offset; TxnOffsetCommit requests use the same struct.
    public struct Partition: Sendable, Equatable {
        public var partitionIndex: Int32
        public var committedOffset: Int64
        /// v6+; -1 otherwise.
        public var committedLeaderEpoch: Int32
        /// v1 only; -1 otherwise.
        public var commitTimestamp: Int64
        public var committedMetadata: String?

        public init(
            partitionIndex: Int32, committedOffset: Int64, committedLeaderEpoch: Int32 = -1,
            commitTimestamp: Int64 = -1, committedMetadata: String?
        ) {
            self.partitionIndex = partitionIndex
            self.committedOffset = committedOffset
            self.committedLeaderEpoch = committedLeaderEpoch
            self.commitTimestamp = commitTimestamp
            self.committedMetadata = committedMetadata
        }
    }

    public init(
        groupID: String, generationIDOrMemberEpoch: Int32 = -1, memberID: String = "",
        groupInstanceID: String? = nil, retentionTimeMs: Int64 = -1, topics: [Topic]
    ) {
        self.groupID = groupID
        self.generationIDOrMemberEpoch = generationIDOrMemberEpoch
        self.memberID = memberID
        self.groupInstanceID = groupInstanceID
        self.retentionTimeMs = retentionTimeMs
        self.topics = topics
    }

    /// Decodes a request body (the frame after the request header). The whole body must
    /// be consumed.
    public init(version: Int16, body: ByteBuffer) throws(KafkaWireError) {
        try Self.requireSupported(version)
        var r = KafkaReader(body, flexible: version >= 8)
        groupID = try r.string("OffsetCommitRequest.GroupId")
        generationIDOrMemberEpoch = version >= 1 ? try r.int32("OffsetCommitRequest.GenerationIdOrMemberEpoch") : -1
        memberID = version >= 1 ? try r.string("OffsetCommitRequest.MemberId") : ""
        groupInstanceID = version >= 7 ? try r.nullableString("OffsetCommitRequest.GroupInstanceId") : nil
        retentionTimeMs = (2...4).contains(version) ? try r.int64("OffsetCommitRequest.RetentionTimeMs") : -1
        topics = try Self.topicCodec(version).read(&r)
        try r.skipTaggedFields("OffsetCommitRequest")
        try r.expectEnd("OffsetCommitRequest v\(version)")
    }

    static func topicCodec(_ version: Int16) -> TopicArrayCodec<Partition> {
        TopicArrayCodec(
            owner: "OffsetCommitRequest", naming: TopicNaming(version: version, firstByID: 10),
            partition: .offsets(leaderEpoch: version >= 6, commitTimestamp: version == 1))
    }
}

extension PartitionCodec where Partition == OffsetCommitRequest.Partition {
    /// `[PartitionIndex, CommittedOffset, CommittedLeaderEpoch?, CommitTimestamp?, CommittedMetadata]`,
    /// the partition of OffsetCommit and TxnOffsetCommit requests.
    static func offsets(leaderEpoch: Bool, commitTimestamp: Bool) -> PartitionCodec<OffsetCommitRequest.Partition> {
        PartitionCodec(minSize: 12, isStruct: true) {
            (r: inout KafkaReader, field: String) throws(KafkaWireError) -> OffsetCommitRequest.Partition in
            let index = try r.int32(field + ".PartitionIndex")
            let offset = try r.int64(field + ".CommittedOffset")
            let epoch = leaderEpoch ? try r.int32(field + ".CommittedLeaderEpoch") : -1
            let timestamp = commitTimestamp ? try r.int64(field + ".CommitTimestamp") : -1
            let metadata = try r.nullableString(field + ".CommittedMetadata")
            return OffsetCommitRequest.Partition(
                partitionIndex: index, committedOffset: offset, committedLeaderEpoch: epoch,
                commitTimestamp: timestamp, committedMetadata: metadata)
        } write: { (partition: OffsetCommitRequest.Partition, w: inout KafkaWriter) throws(KafkaWireError) in
            w.int32(partition.partitionIndex)
            w.int64(partition.committedOffset)
            if leaderEpoch { w.int32(partition.committedLeaderEpoch) }
            if commitTimestamp { w.int64(partition.commitTimestamp) }
            try w.string(partition.committedMetadata, "CommittedMetadata")
        }
    }
}
