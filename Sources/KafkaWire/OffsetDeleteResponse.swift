import NIOCore

/// An OffsetDelete (api key 47) response body, version 0.
///
/// - v0: ErrorCode (top level: the whole request), ThrottleTimeMs, Topics[Name,
///   Partitions[PartitionIndex, ErrorCode]]
public struct OffsetDeleteResponse: KafkaCodableMessage {
    public static let apiKey = KafkaAPIKey.offsetDelete
    public static let supportedVersions: ClosedRange<Int16> = 0...0

    public var errorCode: Int16
    public var throttleTimeMs: Int32
    public var topics: [KafkaTopic<KafkaPartitionResult>]

    public init(errorCode: Int16, throttleTimeMs: Int32 = 0, topics: [KafkaTopic<KafkaPartitionResult>]) {
        self.errorCode = errorCode
        self.throttleTimeMs = throttleTimeMs
        self.topics = topics
    }

    /// Decodes a response body; `version` is the request's. The whole body must be consumed.
    public init(version: Int16, body: ByteBuffer) throws(KafkaWireError) {
        try Self.requireSupported(version)
        var r = KafkaReader(body, flexible: false)
        errorCode = try r.int16("OffsetDeleteResponse.ErrorCode")
        throttleTimeMs = try r.int32("OffsetDeleteResponse.ThrottleTimeMs")
        topics = try Self.topicCodec.read(&r)
        try r.expectEnd("OffsetDeleteResponse v\(version)")
    }

    public func encode(version: Int16) throws(KafkaWireError) -> ByteBuffer {
        try Self.requireSupported(version)
        var w = KafkaWriter(flexible: false)
        w.int16(errorCode)
        w.int32(throttleTimeMs)
        try Self.topicCodec.write(topics, &w)
        return w.buffer
    }

    static var topicCodec: TopicArrayCodec<KafkaPartitionResult> {
        TopicArrayCodec(owner: "OffsetDeleteResponse", naming: .name, partition: .results())
    }
}
