import NIOCore

/// An OffsetFetch (api key 9) request body, versions 0 through 10, normalised to a list
/// of groups.
///
/// - v0-v1: GroupId, Topics[Name, PartitionIndexes[]] (v0 read from ZooKeeper, same layout)
/// - v2-v5: Topics nullable (null = all topics of the group)
/// - v6: first flexible version
/// - v7: + RequireStable
/// - v8: Groups[GroupId, Topics (nullable)[Name, PartitionIndexes]] + RequireStable
/// - v9: per group + MemberId (nullable), MemberEpoch
/// - v10: topics identified by TopicId instead of Name
///
/// v0-v7 decode to exactly one group.
public struct OffsetFetchRequest: KafkaMessage, Equatable {
    public static let apiKey = KafkaAPIKey.offsetFetch
    public static let supportedVersions: ClosedRange<Int16> = 0...10

    public var groups: [Group]
    /// v7+; false before.
    public var requireStable: Bool

    public struct Group: Sendable, Equatable {
        public var groupID: String
        /// v9+ (nil before, and nil on the wire for the classic protocol).
        public var memberID: String?
        /// v9+; -1 otherwise.
        public var memberEpoch: Int32
        /// nil means "all topics of the group" (v2+).
        public var topics: [Topic]?

        public init(groupID: String, memberID: String? = nil, memberEpoch: Int32 = -1, topics: [Topic]?) {
            self.groupID = groupID
            self.memberID = memberID
            self.memberEpoch = memberEpoch
            self.topics = topics
        }
    }

    /// `partitionIndexes` holds the requested partitions.
    public typealias Topic = KafkaTopic<Int32>

    public init(groups: [Group], requireStable: Bool = false) {
        self.groups = groups
        self.requireStable = requireStable
    }

    /// Decodes a request body (the frame after the request header). The whole body must
    /// be consumed.
    public init(version: Int16, body: ByteBuffer) throws(KafkaWireError) {
        try Self.requireSupported(version)
        var r = KafkaReader(body, flexible: version >= 6)
        if version <= 7 {
            let groupID = try r.string("OffsetFetchRequest.GroupId")
            let topics = try TopicArrayCodec(
                owner: "OffsetFetchRequest", partitionsField: "PartitionIndexes", naming: .name, partition: .indexes
            ).readNullable(&r)
            if topics == nil && version < 2 { throw .unexpectedNull(field: "OffsetFetchRequest.Topics") }
            groups = [Group(groupID: groupID, topics: topics)]
        } else {
            groups = try r.array("OffsetFetchRequest.Groups") { (r: inout KafkaReader) throws(KafkaWireError) -> Group in
                let groupID = try r.string("OffsetFetchRequest.Groups.GroupId")
                let memberID = version >= 9 ? try r.nullableString("OffsetFetchRequest.Groups.MemberId") : nil
                let memberEpoch = version >= 9 ? try r.int32("OffsetFetchRequest.Groups.MemberEpoch") : -1
                let topics = try TopicArrayCodec(
                    owner: "OffsetFetchRequest.Groups", partitionsField: "PartitionIndexes",
                    naming: TopicNaming(version: version, firstByID: 10), partition: .indexes
                ).readNullable(&r)
                try r.skipTaggedFields("OffsetFetchRequest.Groups")
                return Group(groupID: groupID, memberID: memberID, memberEpoch: memberEpoch, topics: topics)
            }
        }
        requireStable = version >= 7 ? try r.bool("OffsetFetchRequest.RequireStable") : false
        try r.skipTaggedFields("OffsetFetchRequest")
        try r.expectEnd("OffsetFetchRequest v\(version)")
    }
}
