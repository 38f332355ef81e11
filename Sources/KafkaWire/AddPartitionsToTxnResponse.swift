import NIOCore

/// An AddPartitionsToTxn (api key 24) response body, versions 0 through 5, normalised to a list of
/// per-transaction results.
///
/// - v0-v3: ThrottleTimeMs, ResultsByTopicV3AndBelow[Name, ResultsByPartition[PartitionIndex,
///   PartitionErrorCode]] (v3 flexible)
/// - v4-v5: ThrottleTimeMs, ErrorCode, ResultsByTransaction[TransactionalId, TopicResults[...]]
///
/// v0-v3 decode to exactly one result whose `transactionalID` is nil (the request names it).
public struct AddPartitionsToTxnResponse: KafkaCodableMessage {
    public static let apiKey = KafkaAPIKey.addPartitionsToTxn
    public static let supportedVersions: ClosedRange<Int16> = 0...5

    public var throttleTimeMs: Int32
    /// v4+ top-level error; 0 before.
    public var errorCode: Int16
    public var results: [TransactionResult]

    public struct TransactionResult: Sendable, Equatable {
        /// v4+; nil before.
        public var transactionalID: String?
        public var topics: [KafkaTopic<KafkaPartitionResult>]

        public init(transactionalID: String?, topics: [KafkaTopic<KafkaPartitionResult>]) {
            self.transactionalID = transactionalID
            self.topics = topics
        }
    }

    public init(throttleTimeMs: Int32 = 0, errorCode: Int16 = 0, results: [TransactionResult]) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.results = results
    }

    /// Decodes a response body; `version` is the request's. The whole body must be consumed.
    public init(version: Int16, body: ByteBuffer) throws(KafkaWireError) {
        try Self.requireSupported(version)
        var r = KafkaReader(body, flexible: version >= 3)
        throttleTimeMs = try r.int32("AddPartitionsToTxnResponse.ThrottleTimeMs")
        if version <= 3 {
            errorCode = 0
            let topics = try Self.topicCodec("AddPartitionsToTxnResponse", "ResultsByTopicV3AndBelow").read(&r)
            results = [TransactionResult(transactionalID: nil, topics: topics)]
        } else {
            errorCode = try r.int16("AddPartitionsToTxnResponse.ErrorCode")
            results = try r.array("AddPartitionsToTxnResponse.ResultsByTransaction", minElementSize: 2) {
                (r: inout KafkaReader) throws(KafkaWireError) -> TransactionResult in
                let id = try r.string("AddPartitionsToTxnResponse.ResultsByTransaction.TransactionalId")
                let topics = try Self.topicCodec("AddPartitionsToTxnResponse.ResultsByTransaction", "TopicResults").read(&r)
                try r.skipTaggedFields("AddPartitionsToTxnResponse.ResultsByTransaction")
                return TransactionResult(transactionalID: id, topics: topics)
            }
        }
        try r.skipTaggedFields("AddPartitionsToTxnResponse")
        try r.expectEnd("AddPartitionsToTxnResponse v\(version)")
    }

    /// The body as `version` lays it out; v0-v3 need exactly one result.
    public func encode(version: Int16) throws(KafkaWireError) -> ByteBuffer {
        try Self.requireSupported(version)
        var w = KafkaWriter(flexible: version >= 3)
        w.int32(throttleTimeMs)
        if version <= 3 {
            guard results.count == 1, let only = results.first else {
                throw .lengthTooLarge(field: "AddPartitionsToTxnResponse.ResultsByTopicV3AndBelow (v0-v3 carry one)",
                                      length: Int64(results.count), remaining: 1)
            }
            try Self.topicCodec("AddPartitionsToTxnResponse", "ResultsByTopicV3AndBelow").write(only.topics, &w)
        } else {
            w.int16(errorCode)
            try w.array(results, "AddPartitionsToTxnResponse.ResultsByTransaction") {
                (result: TransactionResult, w: inout KafkaWriter) throws(KafkaWireError) in
                guard let id = result.transactionalID else {
                    throw .unexpectedNull(field: "AddPartitionsToTxnResponse.ResultsByTransaction.TransactionalId")
                }
                try w.string(id, "AddPartitionsToTxnResponse.ResultsByTransaction.TransactionalId")
                try Self.topicCodec("AddPartitionsToTxnResponse.ResultsByTransaction", "TopicResults").write(result.topics, &w)
                w.emptyTaggedFields()
            }
        }
        w.emptyTaggedFields()
        return w.buffer
    }

    private static func topicCodec(_ owner: String, _ field: String) -> TopicArrayCodec<KafkaPartitionResult> {
        TopicArrayCodec(owner: owner, topicsField: field, partitionsField: "ResultsByPartition", naming: .name,
                        partition: .results(errorField: "PartitionErrorCode"))
    }
}
