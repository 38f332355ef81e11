import NIOCore

/// An AddPartitionsToTxn (api key 24) request body, versions 0 through 5, normalised to a list of
/// transactions.
///
/// - v0-v3 (what clients send): V3AndBelowTransactionalId, V3AndBelowProducerId,
///   V3AndBelowProducerEpoch, V3AndBelowTopics[Name, Partitions[]] (v3 flexible)
/// - v4-v5 (what brokers send, batched, KIP-890): Transactions[TransactionalId, ProducerId,
///   ProducerEpoch, VerifyOnly, Topics[Name, Partitions[]]]
///
/// v0-v3 decode to exactly one transaction with `verifyOnly` false.
public struct AddPartitionsToTxnRequest: KafkaCodableMessage {
    public static let apiKey = KafkaAPIKey.addPartitionsToTxn
    public static let supportedVersions: ClosedRange<Int16> = 0...5

    public var transactions: [Transaction]

    public struct Transaction: Sendable, Equatable {
        public var transactionalID: String
        public var producerID: Int64
        public var producerEpoch: Int16
        /// v4+: only check that the partitions are in the transaction; false before.
        public var verifyOnly: Bool
        public var topics: [KafkaTopic<Int32>]

        public init(transactionalID: String, producerID: Int64, producerEpoch: Int16, verifyOnly: Bool = false,
                    topics: [KafkaTopic<Int32>]) {
            self.transactionalID = transactionalID
            self.producerID = producerID
            self.producerEpoch = producerEpoch
            self.verifyOnly = verifyOnly
            self.topics = topics
        }
    }

    public init(transactions: [Transaction]) {
        self.transactions = transactions
    }

    /// Decodes a request body (the frame after the request header). The whole body must be consumed.
    public init(version: Int16, body: ByteBuffer) throws(KafkaWireError) {
        try Self.requireSupported(version)
        var r = KafkaReader(body, flexible: version >= 3)
        if version <= 3 {
            let id = try r.string("AddPartitionsToTxnRequest.V3AndBelowTransactionalId")
            let producerID = try r.int64("AddPartitionsToTxnRequest.V3AndBelowProducerId")
            let epoch = try r.int16("AddPartitionsToTxnRequest.V3AndBelowProducerEpoch")
            let topics = try Self.topicCodec("AddPartitionsToTxnRequest", "V3AndBelowTopics").read(&r)
            transactions = [Transaction(transactionalID: id, producerID: producerID, producerEpoch: epoch, topics: topics)]
        } else {
            transactions = try r.array("AddPartitionsToTxnRequest.Transactions", minElementSize: 13) {
                (r: inout KafkaReader) throws(KafkaWireError) -> Transaction in
                let id = try r.string("AddPartitionsToTxnRequest.Transactions.TransactionalId")
                let producerID = try r.int64("AddPartitionsToTxnRequest.Transactions.ProducerId")
                let epoch = try r.int16("AddPartitionsToTxnRequest.Transactions.ProducerEpoch")
                let verifyOnly = try r.bool("AddPartitionsToTxnRequest.Transactions.VerifyOnly")
                let topics = try Self.topicCodec("AddPartitionsToTxnRequest.Transactions", "Topics").read(&r)
                try r.skipTaggedFields("AddPartitionsToTxnRequest.Transactions")
                return Transaction(transactionalID: id, producerID: producerID, producerEpoch: epoch,
                                   verifyOnly: verifyOnly, topics: topics)
            }
        }
        try r.skipTaggedFields("AddPartitionsToTxnRequest")
        try r.expectEnd("AddPartitionsToTxnRequest v\(version)")
    }

    /// The body as `version` lays it out; v0-v3 need exactly one transaction.
    public func encode(version: Int16) throws(KafkaWireError) -> ByteBuffer {
        try Self.requireSupported(version)
        var w = KafkaWriter(flexible: version >= 3)
        if version <= 3 {
            guard transactions.count == 1, let only = transactions.first else {
                throw .lengthTooLarge(field: "AddPartitionsToTxnRequest.Transactions (v0-v3 carry one)",
                                      length: Int64(transactions.count), remaining: 1)
            }
            try w.string(only.transactionalID, "AddPartitionsToTxnRequest.V3AndBelowTransactionalId")
            w.int64(only.producerID)
            w.int16(only.producerEpoch)
            try Self.topicCodec("AddPartitionsToTxnRequest", "V3AndBelowTopics").write(only.topics, &w)
        } else {
            try w.array(transactions, "AddPartitionsToTxnRequest.Transactions") {
                (transaction: Transaction, w: inout KafkaWriter) throws(KafkaWireError) in
                try w.string(transaction.transactionalID, "AddPartitionsToTxnRequest.Transactions.TransactionalId")
                w.int64(transaction.producerID)
                w.int16(transaction.producerEpoch)
                w.bool(transaction.verifyOnly)
                try Self.topicCodec("AddPartitionsToTxnRequest.Transactions", "Topics").write(transaction.topics, &w)
                w.emptyTaggedFields()
            }
        }
        w.emptyTaggedFields()
        return w.buffer
    }

    private static func topicCodec(_ owner: String, _ field: String) -> TopicArrayCodec<Int32> {
        TopicArrayCodec(owner: owner, topicsField: field, naming: .name, partition: .indexes)
    }
}
