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

    public typealias Topic = KafkaTopic<Partition>
    public typealias Partition = KafkaPartitionResult

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
        topics = try TopicArrayCodec(
            owner: "OffsetCommitResponse", naming: TopicNaming(version: version, firstByID: 10), partition: .results()
        ).read(&r)
        try r.skipTaggedFields("OffsetCommitResponse")
        try r.expectEnd("OffsetCommitResponse v\(version)")
    }
}
