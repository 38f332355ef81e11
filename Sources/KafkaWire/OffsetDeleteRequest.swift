import NIOCore

/// An OffsetDelete (api key 47) request body, version 0 (the only one): delete a group's committed
/// offsets of some partitions (`kafka-consumer-groups --delete-offsets`, AdminClient
/// `deleteConsumerGroupOffsets`). The proxy records it as a reset to `-1` ("no committed offset").
///
/// - v0: GroupId, Topics[Name, Partitions[PartitionIndex]] (never flexible)
public struct OffsetDeleteRequest: KafkaCodableMessage {
    public static let apiKey = KafkaAPIKey.offsetDelete
    public static let supportedVersions: ClosedRange<Int16> = 0...0

    public var groupID: String
    /// The partitions whose offsets to delete (`partitionIndexes`).
    public var topics: [KafkaTopic<Int32>]

    public init(groupID: String, topics: [KafkaTopic<Int32>]) {
        self.groupID = groupID
        self.topics = topics
    }

    /// Decodes a request body (the frame after the request header). The whole body must be consumed.
    public init(version: Int16, body: ByteBuffer) throws(KafkaWireError) {
        try Self.requireSupported(version)
        var r = KafkaReader(body, flexible: false)
        groupID = try r.string("OffsetDeleteRequest.GroupId")
        topics = try Self.topicCodec.read(&r)
        try r.expectEnd("OffsetDeleteRequest v\(version)")
    }

    public func encode(version: Int16) throws(KafkaWireError) -> ByteBuffer {
        try Self.requireSupported(version)
        var w = KafkaWriter(flexible: false)
        try w.string(groupID, "OffsetDeleteRequest.GroupId")
        try Self.topicCodec.write(topics, &w)
        return w.buffer
    }

    static var topicCodec: TopicArrayCodec<Int32> {
        TopicArrayCodec(owner: "OffsetDeleteRequest", naming: .name, partition: .indexStructs)
    }
}
