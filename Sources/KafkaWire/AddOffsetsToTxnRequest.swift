import NIOCore

/// An AddOffsetsToTxn (api key 25) request body, versions 0 through 4: the producer tells its
/// transaction coordinator that the transaction will stage offsets of `groupID`.
///
/// - v0-v4: TransactionalId, ProducerId, ProducerEpoch, GroupId (v3+ flexible; v4 only adds an error code)
public struct AddOffsetsToTxnRequest: KafkaCodableMessage {
    public static let apiKey = KafkaAPIKey.addOffsetsToTxn
    public static let supportedVersions: ClosedRange<Int16> = 0...4

    public var transactionalID: String
    public var producerID: Int64
    public var producerEpoch: Int16
    public var groupID: String

    public init(transactionalID: String, producerID: Int64, producerEpoch: Int16, groupID: String) {
        self.transactionalID = transactionalID
        self.producerID = producerID
        self.producerEpoch = producerEpoch
        self.groupID = groupID
    }

    /// Decodes a request body (the frame after the request header). The whole body must be consumed.
    public init(version: Int16, body: ByteBuffer) throws(KafkaWireError) {
        try Self.requireSupported(version)
        var r = KafkaReader(body, flexible: version >= 3)
        transactionalID = try r.string("AddOffsetsToTxnRequest.TransactionalId")
        producerID = try r.int64("AddOffsetsToTxnRequest.ProducerId")
        producerEpoch = try r.int16("AddOffsetsToTxnRequest.ProducerEpoch")
        groupID = try r.string("AddOffsetsToTxnRequest.GroupId")
        try r.skipTaggedFields("AddOffsetsToTxnRequest")
        try r.expectEnd("AddOffsetsToTxnRequest v\(version)")
    }

    public func encode(version: Int16) throws(KafkaWireError) -> ByteBuffer {
        try Self.requireSupported(version)
        var w = KafkaWriter(flexible: version >= 3)
        try w.string(transactionalID, "AddOffsetsToTxnRequest.TransactionalId")
        w.int64(producerID)
        w.int16(producerEpoch)
        try w.string(groupID, "AddOffsetsToTxnRequest.GroupId")
        w.emptyTaggedFields()
        return w.buffer
    }
}
