import NIOCore

/// An InitProducerId (api key 22) response body, versions 0 through 6.
///
/// - v0-v5: ThrottleTimeMs, ErrorCode, ProducerId, ProducerEpoch (v2+ flexible)
/// - v6: + OngoingTxnProducerId, OngoingTxnProducerEpoch (KIP-939)
public struct InitProducerIdResponse: KafkaCodableMessage {
    public static let apiKey = KafkaAPIKey.initProducerID
    public static let supportedVersions: ClosedRange<Int16> = 0...6

    public var throttleTimeMs: Int32
    public var errorCode: Int16
    public var producerID: Int64
    public var producerEpoch: Int16
    /// v6+; -1 otherwise.
    public var ongoingTxnProducerID: Int64
    /// v6+; -1 otherwise.
    public var ongoingTxnProducerEpoch: Int16

    public init(throttleTimeMs: Int32 = 0, errorCode: Int16, producerID: Int64, producerEpoch: Int16,
                ongoingTxnProducerID: Int64 = -1, ongoingTxnProducerEpoch: Int16 = -1) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.producerID = producerID
        self.producerEpoch = producerEpoch
        self.ongoingTxnProducerID = ongoingTxnProducerID
        self.ongoingTxnProducerEpoch = ongoingTxnProducerEpoch
    }

    /// Decodes a response body; `version` is the request's. The whole body must be consumed.
    public init(version: Int16, body: ByteBuffer) throws(KafkaWireError) {
        try Self.requireSupported(version)
        var r = KafkaReader(body, flexible: version >= 2)
        throttleTimeMs = try r.int32("InitProducerIdResponse.ThrottleTimeMs")
        errorCode = try r.int16("InitProducerIdResponse.ErrorCode")
        producerID = try r.int64("InitProducerIdResponse.ProducerId")
        producerEpoch = try r.int16("InitProducerIdResponse.ProducerEpoch")
        ongoingTxnProducerID = version >= 6 ? try r.int64("InitProducerIdResponse.OngoingTxnProducerId") : -1
        ongoingTxnProducerEpoch = version >= 6 ? try r.int16("InitProducerIdResponse.OngoingTxnProducerEpoch") : -1
        try r.skipTaggedFields("InitProducerIdResponse")
        try r.expectEnd("InitProducerIdResponse v\(version)")
    }

    public func encode(version: Int16) throws(KafkaWireError) -> ByteBuffer {
        try Self.requireSupported(version)
        var w = KafkaWriter(flexible: version >= 2)
        w.int32(throttleTimeMs)
        w.int16(errorCode)
        w.int64(producerID)
        w.int16(producerEpoch)
        if version >= 6 {
            w.int64(ongoingTxnProducerID)
            w.int16(ongoingTxnProducerEpoch)
        }
        w.emptyTaggedFields()
        return w.buffer
    }
}
