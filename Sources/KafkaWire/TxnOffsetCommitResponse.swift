import NIOCore

/// A TxnOffsetCommit (api key 28) response body, versions 0 through 6.
///
/// - v0-v5: ThrottleTimeMs, Topics[Name, Partitions[PartitionIndex, ErrorCode]] (v3+ flexible)
/// - v6: topics identified by TopicId instead of Name
///
/// The error codes read as OffsetCommit's do (`KafkaErrorCode.offsetCommitOutcome`).
public struct TxnOffsetCommitResponse: KafkaCodableMessage {
    public static let apiKey = KafkaAPIKey.txnOffsetCommit
    public static let supportedVersions: ClosedRange<Int16> = 0...6

    public var throttleTimeMs: Int32
    public var topics: [KafkaTopic<KafkaPartitionResult>]

    public init(throttleTimeMs: Int32 = 0, topics: [KafkaTopic<KafkaPartitionResult>]) {
        self.throttleTimeMs = throttleTimeMs
        self.topics = topics
    }

    /// Decodes a response body; `version` is the request's. The whole body must be consumed.
    public init(version: Int16, body: ByteBuffer) throws(KafkaWireError) {
        try Self.requireSupported(version)
        var r = KafkaReader(body, flexible: version >= 3)
        throttleTimeMs = try r.int32("TxnOffsetCommitResponse.ThrottleTimeMs")
        topics = try Self.topicCodec(version).read(&r)
        try r.skipTaggedFields("TxnOffsetCommitResponse")
        try r.expectEnd("TxnOffsetCommitResponse v\(version)")
    }

    public func encode(version: Int16) throws(KafkaWireError) -> ByteBuffer {
        try Self.requireSupported(version)
        var w = KafkaWriter(flexible: version >= 3)
        w.int32(throttleTimeMs)
        try Self.topicCodec(version).write(topics, &w)
        w.emptyTaggedFields()
        return w.buffer
    }

    static func topicCodec(_ version: Int16) -> TopicArrayCodec<KafkaPartitionResult> {
        TopicArrayCodec(owner: "TxnOffsetCommitResponse", naming: TopicNaming(version: version, firstByID: 6), partition: .results())
    }
}
