/// How a message version names its topics: by name, or (newer versions) by topic id.
enum TopicNaming: Sendable {
    case name
    case topicID

    /// `.topicID` from `firstByID` on (e.g. 10 for OffsetCommit), `.name` before.
    init(version: Int16, firstByID: Int16?) {
        self = firstByID.map { version >= $0 } == true ? .topicID : .name
    }
}

/// Reads and writes one partition of a topic array: its fields, and whether it is a struct (with a
/// tagged-field section of its own in flexible versions) or a bare `int32` index.
struct PartitionCodec<Partition> {
    /// The fewest bytes one partition takes, to reject hostile counts before allocating.
    var minSize: Int
    /// False for `[]int32` partition lists, whose elements have no tagged fields.
    var isStruct: Bool
    /// Reads one partition; the argument is the partition array's field name (for errors).
    var read: (inout KafkaReader, String) throws(KafkaWireError) -> Partition
    var write: (Partition, inout KafkaWriter) throws(KafkaWireError) -> Void
}

extension PartitionCodec where Partition == Int32 {
    /// `PartitionIndexes: []int32` (OffsetFetch requests, AddPartitionsToTxn).
    static var indexes: PartitionCodec<Int32> {
        PartitionCodec(minSize: 4, isStruct: false) { (r: inout KafkaReader, field: String) throws(KafkaWireError) -> Int32 in
            try r.int32(field)
        } write: { (index: Int32, w: inout KafkaWriter) throws(KafkaWireError) in
            w.int32(index)
        }
    }

    /// `Partitions[PartitionIndex]`: structs holding only an index (OffsetDelete requests).
    static var indexStructs: PartitionCodec<Int32> {
        PartitionCodec(minSize: 4, isStruct: true) { (r: inout KafkaReader, field: String) throws(KafkaWireError) -> Int32 in
            try r.int32(field + ".PartitionIndex")
        } write: { (index: Int32, w: inout KafkaWriter) throws(KafkaWireError) in
            w.int32(index)
        }
    }
}

extension PartitionCodec where Partition == KafkaPartitionResult {
    /// `[PartitionIndex, ErrorCode]`, with the error code's field name as the schema spells it.
    static func results(errorField: String = "ErrorCode") -> PartitionCodec<KafkaPartitionResult> {
        PartitionCodec(minSize: 6, isStruct: true) { (r: inout KafkaReader, field: String) throws(KafkaWireError) -> KafkaPartitionResult in
            let index = try r.int32(field + ".PartitionIndex")
            let code = try r.int16(field + "." + errorField)
            return KafkaPartitionResult(partitionIndex: index, errorCode: code)
        } write: { (result: KafkaPartitionResult, w: inout KafkaWriter) throws(KafkaWireError) in
            w.int32(result.partitionIndex)
            w.int16(result.errorCode)
        }
    }
}

/// The one codec of "an array of topics, each with an array of partitions", compact (flexible
/// versions) and classic, shared by every message that has that shape.
///
/// Field names in errors follow the schemas: `OWNER.Topics`, `OWNER.Topics.Name`,
/// `OWNER.Topics.TopicId`, `OWNER.Topics.Partitions`, so a message still says which message and
/// field the bytes stopped making sense in.
struct TopicArrayCodec<Partition: Sendable & Equatable> {
    /// The enclosing structure, e.g. `"OffsetCommitRequest"` or `"OffsetFetchResponse.Groups"`.
    var owner: String
    var topicsField = "Topics"
    var partitionsField = "Partitions"
    var naming: TopicNaming
    var partition: PartitionCodec<Partition>

    private var topics: String { owner + "." + topicsField }

    /// A non-nullable topic array.
    func read(_ r: inout KafkaReader) throws(KafkaWireError) -> [KafkaTopic<Partition>] {
        guard let topics = try readNullable(&r) else { throw .unexpectedNull(field: self.topics) }
        return topics
    }

    /// A nullable topic array (nil: null on the wire, e.g. "all topics" in OffsetFetch v2+).
    func readNullable(_ r: inout KafkaReader) throws(KafkaWireError) -> [KafkaTopic<Partition>]? {
        let topicsField = topics
        let partitionsField = topicsField + "." + self.partitionsField
        return try r.nullableArray(topicsField) { (r: inout KafkaReader) throws(KafkaWireError) -> KafkaTopic<Partition> in
            let name = naming == .name ? try r.string(topicsField + ".Name") : nil
            let topicID = naming == .topicID ? try r.uuid(topicsField + ".TopicId") : nil
            let partitions = try r.array(partitionsField, minElementSize: partition.minSize) {
                (r: inout KafkaReader) throws(KafkaWireError) -> Partition in
                let value = try partition.read(&r, partitionsField)
                if partition.isStruct { try r.skipTaggedFields(partitionsField) }
                return value
            }
            try r.skipTaggedFields(topicsField)
            return KafkaTopic(name: name, topicID: topicID, partitions: partitions)
        }
    }

    /// Writes `topics` (nil: a null array) as this codec reads them.
    func write(_ topics: [KafkaTopic<Partition>]?, _ w: inout KafkaWriter) throws(KafkaWireError) {
        let topicsField = self.topics
        try w.array(topics, topicsField) { (topic: KafkaTopic<Partition>, w: inout KafkaWriter) throws(KafkaWireError) in
            switch naming {
            case .name:
                guard let name = topic.name else { throw .unexpectedNull(field: topicsField + ".Name") }
                try w.string(name, topicsField + ".Name")
            case .topicID:
                guard let id = topic.topicID else { throw .unexpectedNull(field: topicsField + ".TopicId") }
                w.uuid(id)
            }
            try w.array(topic.partitions, topicsField + "." + partitionsField) {
                (value: Partition, w: inout KafkaWriter) throws(KafkaWireError) in
                try partition.write(value, &w)
                if partition.isStruct { w.emptyTaggedFields() }
            }
            w.emptyTaggedFields()
        }
    }
}
