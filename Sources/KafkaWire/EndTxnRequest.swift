import NIOCore

/// An EndTxn (api key 26) request body, versions 0 through 5: commit or abort a transaction.
///
/// - v0-v5: TransactionalId, ProducerId, ProducerEpoch, Committed (v3+ flexible; v4 and v5 only
///   change error codes and the answer)
public struct EndTxnRequest: KafkaCodableMessage {
    public static let apiKey = KafkaAPIKey.endTxn
    public static let supportedVersions: ClosedRange<Int16> = 0...5

    public var transactionalID: String
    public var producerID: Int64
    public var producerEpoch: Int16
    /// True asks to commit, false to abort.
    public var committed: Bool

    public init(transactionalID: String, producerID: Int64, producerEpoch: Int16, committed: Bool) {
        self.transactionalID = transactionalID
        self.producerID = producerID
        self.producerEpoch = producerEpoch
        self.committed = committed
    }

    /// Decodes a request body (the frame after the request header). The whole body must be consumed.
    public init(version: Int16, body: ByteBuffer) throws(KafkaWireError) {
        try Self.requireSupported(version)
        var r = KafkaReader(body, flexible: version >= 3)
        transactionalID = try r.string("EndTxnRequest.TransactionalId")
        producerID = try r.int64("EndTxnRequest.ProducerId")
        producerEpoch = try r.int16("EndTxnRequest.ProducerEpoch")
        committed = try r.bool("EndTxnRequest.Committed")
        try r.skipTaggedFields("EndTxnRequest")
        try r.expectEnd("EndTxnRequest v\(version)")
    }

    public func encode(version: Int16) throws(KafkaWireError) -> ByteBuffer {
        try Self.requireSupported(version)
        var w = KafkaWriter(flexible: version >= 3)
        try w.string(transactionalID, "EndTxnRequest.TransactionalId")
        w.int64(producerID)
        w.int16(producerEpoch)
        w.bool(committed)
        w.emptyTaggedFields()
        return w.buffer
    }
}
