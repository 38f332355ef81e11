import NIOCore

/// An OffsetFetch (api key 9) response body, versions 0 through 10, normalised to a list
/// of groups.
///
/// - v0-v1: Topics[Name, Partitions[PartitionIndex, CommittedOffset, Metadata, ErrorCode]]
/// - v2: + top-level ErrorCode (after Topics)
/// - v3+: ThrottleTimeMs first
/// - v5: per partition + CommittedLeaderEpoch (after CommittedOffset)
/// - v6: first flexible version
/// - v8: ThrottleTimeMs, Groups[GroupId, Topics[...], ErrorCode]
/// - v10: topics identified by TopicId instead of Name
///
/// v0-v7 decode to exactly one group whose `groupID` is nil (the response does not name
/// it: match it with the request by correlation id) and whose `errorCode` is the
/// top-level error code (0 in v0-v1, where group errors appear on every partition).
/// A committed offset of -1 means "no offset committed".
public struct OffsetFetchResponse: KafkaMessage, Equatable {
    public static let apiKey = KafkaAPIKey.offsetFetch
    public static let supportedVersions: ClosedRange<Int16> = 0...10

    /// v3+; 0 before.
    public var throttleTimeMs: Int32
    public var groups: [Group]

    public struct Group: Sendable, Equatable {
        /// v8+; nil in v0-v7.
        public var groupID: String?
        /// The group-level (v8+) or top-level (v2-v7) error code; 0 in v0-v1.
        public var errorCode: Int16
        public var topics: [Topic]

        public init(groupID: String?, errorCode: Int16, topics: [Topic]) {
            self.groupID = groupID
            self.errorCode = errorCode
            self.topics = topics
        }
    }

    public typealias Topic = KafkaTopic<Partition>

    public struct Partition: Sendable, Equatable {
        public var partitionIndex: Int32
        /// -1 when the group has no committed offset for the partition.
        public var committedOffset: Int64
        /// v5+; -1 otherwise.
        public var committedLeaderEpoch: Int32
        public var metadata: String?
        public var errorCode: Int16

        public init(
            partitionIndex: Int32, committedOffset: Int64, committedLeaderEpoch: Int32 = -1,
            metadata: String?, errorCode: Int16
        ) {
            self.partitionIndex = partitionIndex
            self.committedOffset = committedOffset
            self.committedLeaderEpoch = committedLeaderEpoch
            self.metadata = metadata
            self.errorCode = errorCode
        }
    }

    public init(throttleTimeMs: Int32 = 0, groups: [Group]) {
        self.throttleTimeMs = throttleTimeMs
        self.groups = groups
    }

    /// Decodes a response body (the frame after the response header); `version` is the
    /// request's version. The whole body must be consumed.
    public init(version: Int16, body: ByteBuffer) throws(KafkaWireError) {
        try Self.requireSupported(version)
        var r = KafkaReader(body, flexible: version >= 6)
        throttleTimeMs = version >= 3 ? try r.int32("OffsetFetchResponse.ThrottleTimeMs") : 0
        if version <= 7 {
            let topics = try Self.topicCodec("OffsetFetchResponse", version).read(&r)
            let errorCode = version >= 2 ? try r.int16("OffsetFetchResponse.ErrorCode") : 0
            groups = [Group(groupID: nil, errorCode: errorCode, topics: topics)]
        } else {
            groups = try r.array("OffsetFetchResponse.Groups") { (r: inout KafkaReader) throws(KafkaWireError) -> Group in
                let groupID = try r.string("OffsetFetchResponse.Groups.GroupId")
                let topics = try Self.topicCodec("OffsetFetchResponse.Groups", version).read(&r)
                let errorCode = try r.int16("OffsetFetchResponse.Groups.ErrorCode")
                try r.skipTaggedFields("OffsetFetchResponse.Groups")
                return Group(groupID: groupID, errorCode: errorCode, topics: topics)
            }
        }
        try r.skipTaggedFields("OffsetFetchResponse")
        try r.expectEnd("OffsetFetchResponse v\(version)")
    }

    private static func topicCodec(_ owner: String, _ version: Int16) -> TopicArrayCodec<Partition> {
        TopicArrayCodec(owner: owner, naming: TopicNaming(version: version, firstByID: 10), partition: PartitionCodec(minSize: 15, isStruct: true) {
            (r: inout KafkaReader, field: String) throws(KafkaWireError) -> Partition in
            let index = try r.int32(field + ".PartitionIndex")
            let offset = try r.int64(field + ".CommittedOffset")
            let epoch = version >= 5 ? try r.int32(field + ".CommittedLeaderEpoch") : -1
            let metadata = try r.nullableString(field + ".Metadata")
            let errorCode = try r.int16(field + ".ErrorCode")
            return Partition(
                partitionIndex: index, committedOffset: offset, committedLeaderEpoch: epoch,
                metadata: metadata, errorCode: errorCode)
        } write: { (partition: Partition, w: inout KafkaWriter) throws(KafkaWireError) in
            w.int32(partition.partitionIndex)
            w.int64(partition.committedOffset)
            if version >= 5 { w.int32(partition.committedLeaderEpoch) }
            try w.string(partition.metadata, "Metadata")
            w.int16(partition.errorCode)
        })
    }
}
