import NIOCore

/// An InitProducerId (api key 22) request body, versions 0 through 6.
///
/// A transactional producer sends it once at start (and after some errors) to get its producer id
/// and a new epoch, which fences older instances of the same transactional id: the proxy reads it to
/// know that the transactional id's earlier transactions are complete. Layout (Apache Kafka's
/// InitProducerIdRequest.json):
/// - v0-v1: TransactionalId (nullable), TransactionTimeoutMs
/// - v2: first flexible version
/// - v3+: + ProducerId, ProducerEpoch (resume after INVALID_PRODUCER_EPOCH)
/// - v4-v5: same layout (new error codes)
/// - v6: + Enable2Pc, KeepPreparedTxn (KIP-939)
public struct InitProducerIdRequest: KafkaCodableMessage {
    public static let apiKey = KafkaAPIKey.initProducerID
    public static let supportedVersions: ClosedRange<Int16> = 0...6

    /// nil for an idempotent (not transactional) producer.
    public var transactionalID: String?
    public var transactionTimeoutMs: Int32
    /// v3+; -1 otherwise.
    public var producerID: Int64
    /// v3+; -1 otherwise.
    public var producerEpoch: Int16
    /// v6+; false otherwise.
    public var enable2Pc: Bool
    /// v6+; false otherwise.
    public var keepPreparedTxn: Bool

    public init(transactionalID: String?, transactionTimeoutMs: Int32, producerID: Int64 = -1, producerEpoch: Int16 = -1,
                enable2Pc: Bool = false, keepPreparedTxn: Bool = false) {
        self.transactionalID = transactionalID
        self.transactionTimeoutMs = transactionTimeoutMs
        self.producerID = producerID
        self.producerEpoch = producerEpoch
        self.enable2Pc = enable2Pc
        self.keepPreparedTxn = keepPreparedTxn
    }

    /// Decodes a request body (the frame after the request header). The whole body must be consumed.
    public init(version: Int16, body: ByteBuffer) throws(KafkaWireError) {
        try Self.requireSupported(version)
        var r = KafkaReader(body, flexible: version >= 2)
        transactionalID = try r.nullableString("InitProducerIdRequest.TransactionalId")
        transactionTimeoutMs = try r.int32("InitProducerIdRequest.TransactionTimeoutMs")
        producerID = version >= 3 ? try r.int64("InitProducerIdRequest.ProducerId") : -1
        producerEpoch = version >= 3 ? try r.int16("InitProducerIdRequest.ProducerEpoch") : -1
        enable2Pc = version >= 6 ? try r.bool("InitProducerIdRequest.Enable2Pc") : false
        keepPreparedTxn = version >= 6 ? try r.bool("InitProducerIdRequest.KeepPreparedTxn") : false
        try r.skipTaggedFields("InitProducerIdRequest")
        try r.expectEnd("InitProducerIdRequest v\(version)")
    }

    /// The body as `version` lays it out (fields the version lacks are left out).
    public func encode(version: Int16) throws(KafkaWireError) -> ByteBuffer {
        try Self.requireSupported(version)
        var w = KafkaWriter(flexible: version >= 2)
        try w.string(transactionalID, "InitProducerIdRequest.TransactionalId")
        w.int32(transactionTimeoutMs)
        if version >= 3 {
            w.int64(producerID)
            w.int16(producerEpoch)
        }
        if version >= 6 {
            w.bool(enable2Pc)
            w.bool(keepPreparedTxn)
        }
        w.emptyTaggedFields()
        return w.buffer
    }
}
