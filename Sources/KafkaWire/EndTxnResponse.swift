import NIOCore

/// An EndTxn (api key 26) response body, versions 0 through 5.
///
/// - v0-v4: ThrottleTimeMs, ErrorCode (v3+ flexible)
/// - v5: + ProducerId, ProducerEpoch (KIP-890 part 2: the epoch is bumped after every transaction)
public struct EndTxnResponse: KafkaCodableMessage {
    public static let apiKey = KafkaAPIKey.endTxn
    public static let supportedVersions: ClosedRange<Int16> = 0...5

    public var throttleTimeMs: Int32
    public var errorCode: Int16
    /// v5+; -1 otherwise.
    public var producerID: Int64
    /// v5+; -1 otherwise.
    public var producerEpoch: Int16

    public init(throttleTimeMs: Int32 = 0, errorCode: Int16, producerID: Int64 = -1, producerEpoch: Int16 = -1) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.producerID = producerID
        self.producerEpoch = producerEpoch
    }

    /// Decodes a response body; `version` is the request's. The whole body must be consumed.
    public init(version: Int16, body: ByteBuffer) throws(KafkaWireError) {
        try Self.requireSupported(version)
        var r = KafkaReader(body, flexible: version >= 3)
        throttleTimeMs = try r.int32("EndTxnResponse.ThrottleTimeMs")
        errorCode = try r.int16("EndTxnResponse.ErrorCode")
        producerID = version >= 5 ? try r.int64("EndTxnResponse.ProducerId") : -1
        producerEpoch = version >= 5 ? try r.int16("EndTxnResponse.ProducerEpoch") : -1
        try r.skipTaggedFields("EndTxnResponse")
        try r.expectEnd("EndTxnResponse v\(version)")
    }

    public func encode(version: Int16) throws(KafkaWireError) -> ByteBuffer {
        try Self.requireSupported(version)
        var w = KafkaWriter(flexible: version >= 3)
        w.int32(throttleTimeMs)
        w.int16(errorCode)
        if version >= 5 {
            w.int64(producerID)
            w.int16(producerEpoch)
        }
        w.emptyTaggedFields()
        return w.buffer
    }
}
