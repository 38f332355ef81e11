import NIOCore

/// An OffsetCommit (api key 8) response body, versions 0 through 10.
///
/// - v0-v2: Topics[Name, Partitions[PartitionIndex, ErrorCode]]
/// - v3+: ThrottleTimeMs first
/// - v8+: flexible
/// - v10: topics identified by TopicId instead of Name
///
/// Use `KafkaErrorCode(partition.errorCode).offsetCommitOutcome` to tell applied,
/// rejected and ambiguous partition results apart.
public struct OffsetCommitResponse: KafkaMessage, Equatable {
    public static let apiKey = KafkaAPIKey.offsetCommit
    public static let supportedVersions: ClosedRange<Int16> = 0...10

    /// v3+; 0 before.
    public var throttleTimeMs: Int32
    public var topics: [Topic]

    public struct Topic: Sendable, Equatable {
        /// v0-v9; nil in v10.
        public var name: String?
        /// v10+; nil before.
        public var topicID: KafkaUUID?
        public var partitions: [Partition]

        public init(name: String?, topicID: KafkaUUID?, partitions: [Partition]) {
            self.name = name
            self.topicID = topicID
            self.partitions = partitions
        }
    }

    public struct Partition: Sendable, Equatable {
        public var partitionIndex: Int32
        public var errorCode: Int16

        public init(partitionIndex: Int32, errorCode: Int16) {
            self.partitionIndex = partitionIndex
            self.errorCode = errorCode
        }
    }

    public init(throttleTimeMs: Int32 = 0, topics: [Topic]) {
        self.throttleTimeMs = throttleTimeMs
        self.topics = topics
    }

    /// Decodes a response body (the frame after the response header); `version` is the
    /// request's version. The whole body must be consumed.
    public init(version: Int16, body: ByteBuffer) throws(KafkaWireError) {
        try Self.requireSupported(version)
        var r = KafkaReader(body, flexible: version >= 8)
        throttleTimeMs = version >= 3 ? try r.int32("OffsetCommitResponse.ThrottleTimeMs") : 0
        topics = try r.array("OffsetCommitResponse.Topics") { (r: inout KafkaReader) throws(KafkaWireError) -> Topic in
            let name = version <= 9 ? try r.string("OffsetCommitResponse.Topics.Name") : nil
            let topicID = version >= 10 ? try r.uuid("OffsetCommitResponse.Topics.TopicId") : nil
            let partitions = try r.array("OffsetCommitResponse.Topics.Partitions", minElementSize: 6) {
                (r: inout KafkaReader) throws(KafkaWireError) -> Partition in
                let index = try r.int32("OffsetCommitResponse.Topics.Partitions.PartitionIndex")
                let error = try r.int16("OffsetCommitResponse.Topics.Partitions.ErrorCode")
                try r.skipTaggedFields("OffsetCommitResponse.Topics.Partitions")
                return Partition(partitionIndex: index, errorCode: error)
            }
            try r.skipTaggedFields("OffsetCommitResponse.Topics")
            return Topic(name: name, topicID: topicID, partitions: partitions)
        }
        try r.skipTaggedFields("OffsetCommitResponse")
        try r.expectEnd("OffsetCommitResponse v\(version)")
    }
}
