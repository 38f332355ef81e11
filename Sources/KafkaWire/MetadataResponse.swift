import NIOCore

/// A Metadata (api key 3) response body, versions 0 through 13, fully decoded.
///
/// The proxy uses it to learn topic id -> name (OffsetCommit v10 and OffsetFetch v10 name
/// topics by id; ids appear in Metadata v10+) and to rewrite broker addresses
/// (`rewritingBrokers`). Layout by version (Apache Kafka's MetadataResponse.json):
/// - v0: Brokers[NodeId, Host, Port], Topics[ErrorCode, Name, Partitions[ErrorCode,
///   PartitionIndex, LeaderId, ReplicaNodes[], IsrNodes[]]]
/// - v1: broker + Rack (nullable); + ControllerId (after Brokers); topic + IsInternal
/// - v2: + ClusterId (nullable, before ControllerId)
/// - v3+: ThrottleTimeMs first
/// - v5: partition + OfflineReplicas[]
/// - v7: partition + LeaderEpoch (after LeaderId)
/// - v8: topic + TopicAuthorizedOperations; + ClusterAuthorizedOperations (v8-v10 only)
/// - v9: first flexible version
/// - v10: topic + TopicId (after Name)
/// - v12: topic Name nullable
/// - v13: + top-level ErrorCode (last)
public struct MetadataResponse: KafkaMessage, Equatable {
    public static let apiKey = KafkaAPIKey.metadata
    public static let supportedVersions: ClosedRange<Int16> = 0...13

    /// v3+; 0 before.
    public var throttleTimeMs: Int32
    public var brokers: [Broker]
    /// v2+; nil before.
    public var clusterID: String?
    /// v1+; -1 before.
    public var controllerID: Int32
    public var topics: [Topic]
    /// v8-v10; Int32.min ("not requested") otherwise.
    public var clusterAuthorizedOperations: Int32
    /// v13+; 0 before.
    public var errorCode: Int16

    public struct Broker: Sendable, Equatable {
        public var nodeID: Int32
        public var host: String
        public var port: Int32
        /// v1+; nil before.
        public var rack: String?

        public init(nodeID: Int32, host: String, port: Int32, rack: String? = nil) {
            self.nodeID = nodeID
            self.host = host
            self.port = port
            self.rack = rack
        }
    }

    public struct Topic: Sendable, Equatable {
        public var errorCode: Int16
        /// Nullable from v12 (for topics queried by id that do not exist).
        public var name: String?
        /// v10+ (all-zero for topics queried by name that do not exist); nil before.
        public var topicID: KafkaUUID?
        /// v1+; false before.
        public var isInternal: Bool
        public var partitions: [Partition]
        /// v8+; Int32.min otherwise.
        public var topicAuthorizedOperations: Int32

        public init(
            errorCode: Int16, name: String?, topicID: KafkaUUID?, isInternal: Bool = false,
            partitions: [Partition], topicAuthorizedOperations: Int32 = Int32.min
        ) {
            self.errorCode = errorCode
            self.name = name
            self.topicID = topicID
            self.isInternal = isInternal
            self.partitions = partitions
            self.topicAuthorizedOperations = topicAuthorizedOperations
        }
    }

    public struct Partition: Sendable, Equatable {
        public var errorCode: Int16
        public var partitionIndex: Int32
        public var leaderID: Int32
        /// v7+; -1 before.
        public var leaderEpoch: Int32
        public var replicaNodes: [Int32]
        public var isrNodes: [Int32]
        /// v5+; empty before.
        public var offlineReplicas: [Int32]

        public init(
            errorCode: Int16, partitionIndex: Int32, leaderID: Int32, leaderEpoch: Int32 = -1,
            replicaNodes: [Int32], isrNodes: [Int32], offlineReplicas: [Int32] = []
        ) {
            self.errorCode = errorCode
            self.partitionIndex = partitionIndex
            self.leaderID = leaderID
            self.leaderEpoch = leaderEpoch
            self.replicaNodes = replicaNodes
            self.isrNodes = isrNodes
            self.offlineReplicas = offlineReplicas
        }
    }

    public init(
        throttleTimeMs: Int32 = 0, brokers: [Broker], clusterID: String? = nil, controllerID: Int32 = -1,
        topics: [Topic], clusterAuthorizedOperations: Int32 = Int32.min, errorCode: Int16 = 0
    ) {
        self.throttleTimeMs = throttleTimeMs
        self.brokers = brokers
        self.clusterID = clusterID
        self.controllerID = controllerID
        self.topics = topics
        self.clusterAuthorizedOperations = clusterAuthorizedOperations
        self.errorCode = errorCode
    }

    /// Topic id -> name for every topic that has both a non-zero id and a name.
    public var topicNamesByID: [KafkaUUID: String] {
        var result: [KafkaUUID: String] = [:]
        for topic in topics {
            if let id = topic.topicID, id != .zero, let name = topic.name { result[id] = name }
        }
        return result
    }

    /// Decodes a response body (the frame after the response header); `version` is the
    /// request's version. The whole body must be consumed.
    public init(version: Int16, body: ByteBuffer) throws(KafkaWireError) {
        var spans: [BrokerAddressSpan] = []
        try self.init(version: version, body: body, spans: &spans)
    }

    init(version: Int16, body: ByteBuffer, spans: inout [BrokerAddressSpan]) throws(KafkaWireError) {
        try Self.requireSupported(version)
        var r = KafkaReader(body, flexible: version >= 9)
        throttleTimeMs = version >= 3 ? try r.int32("MetadataResponse.ThrottleTimeMs") : 0
        var found: [BrokerAddressSpan] = []
        brokers = try r.array("MetadataResponse.Brokers", minElementSize: 9) {
            (r: inout KafkaReader) throws(KafkaWireError) -> Broker in
            let nodeID = try r.int32("MetadataResponse.Brokers.NodeId")
            let start = r.readerIndex
            let host = try r.string("MetadataResponse.Brokers.Host")
            let port = try r.int32("MetadataResponse.Brokers.Port")
            found.append(BrokerAddressSpan(start: start, end: r.readerIndex, nodeID: nodeID, host: host, port: port))
            let rack = version >= 1 ? try r.nullableString("MetadataResponse.Brokers.Rack") : nil
            try r.skipTaggedFields("MetadataResponse.Brokers")
            return Broker(nodeID: nodeID, host: host, port: port, rack: rack)
        }
        spans = found
        clusterID = version >= 2 ? try r.nullableString("MetadataResponse.ClusterId") : nil
        controllerID = version >= 1 ? try r.int32("MetadataResponse.ControllerId") : -1
        topics = try r.array("MetadataResponse.Topics", minElementSize: 4) {
            (r: inout KafkaReader) throws(KafkaWireError) -> Topic in
            let errorCode = try r.int16("MetadataResponse.Topics.ErrorCode")
            let name = version >= 12
                ? try r.nullableString("MetadataResponse.Topics.Name")
                : try r.string("MetadataResponse.Topics.Name")
            let topicID = version >= 10 ? try r.uuid("MetadataResponse.Topics.TopicId") : nil
            let isInternal = version >= 1 ? try r.bool("MetadataResponse.Topics.IsInternal") : false
            let partitions = try r.array("MetadataResponse.Topics.Partitions", minElementSize: 12) {
                (r: inout KafkaReader) throws(KafkaWireError) -> Partition in
                let errorCode = try r.int16("MetadataResponse.Topics.Partitions.ErrorCode")
                let index = try r.int32("MetadataResponse.Topics.Partitions.PartitionIndex")
                let leader = try r.int32("MetadataResponse.Topics.Partitions.LeaderId")
                let epoch = version >= 7 ? try r.int32("MetadataResponse.Topics.Partitions.LeaderEpoch") : -1
                let replicas = try r.int32Array("MetadataResponse.Topics.Partitions.ReplicaNodes")
                let isr = try r.int32Array("MetadataResponse.Topics.Partitions.IsrNodes")
                let offline = version >= 5 ? try r.int32Array("MetadataResponse.Topics.Partitions.OfflineReplicas") : []
                try r.skipTaggedFields("MetadataResponse.Topics.Partitions")
                return Partition(
                    errorCode: errorCode, partitionIndex: index, leaderID: leader, leaderEpoch: epoch,
                    replicaNodes: replicas, isrNodes: isr, offlineReplicas: offline)
            }
            let ops = version >= 8 ? try r.int32("MetadataResponse.Topics.TopicAuthorizedOperations") : Int32.min
            try r.skipTaggedFields("MetadataResponse.Topics")
            return Topic(
                errorCode: errorCode, name: name, topicID: topicID, isInternal: isInternal,
                partitions: partitions, topicAuthorizedOperations: ops)
        }
        clusterAuthorizedOperations = (8...10).contains(version)
            ? try r.int32("MetadataResponse.ClusterAuthorizedOperations") : Int32.min
        errorCode = version >= 13 ? try r.int16("MetadataResponse.ErrorCode") : 0
        try r.skipTaggedFields("MetadataResponse")
        try r.expectEnd("MetadataResponse v\(version)")
    }

    /// Re-encodes a Metadata response body with every broker's host and port replaced by
    /// `transform(host, port, nodeID)`; every other byte is copied unchanged. The body is
    /// fully decoded first, so invalid input throws rather than being half-rewritten.
    /// The result's length may differ: build the new frame with `KafkaFrame.make` or use
    /// `KafkaFrame.rewritingBrokerAddresses`.
    public static func rewritingBrokers(
        version: Int16, frameBody: ByteBuffer,
        _ transform: (_ host: String, _ port: Int32, _ nodeID: Int32) -> (host: String, port: Int32)
    ) throws(KafkaWireError) -> ByteBuffer {
        var spans: [BrokerAddressSpan] = []
        _ = try MetadataResponse(version: version, body: frameBody, spans: &spans)
        return try BrokerAddressSpan.rewrite(
            body: frameBody, spans: spans, flexible: version >= 9,
            field: "MetadataResponse.Brokers.Host", transform)
    }
}
