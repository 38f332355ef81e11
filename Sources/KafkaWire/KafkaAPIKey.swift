/// A Kafka API key (the first int16 of every request header).
///
/// A struct rather than a closed enum so that any key seen on the wire is representable;
/// the well-known keys are static constants (`.offsetCommit`, `.metadata`, ...).
public struct KafkaAPIKey: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }
    public init(_ rawValue: Int16) { self.rawValue = rawValue }

    public static let produce = KafkaAPIKey(0)
    public static let fetch = KafkaAPIKey(1)
    public static let listOffsets = KafkaAPIKey(2)
    public static let metadata = KafkaAPIKey(3)
    public static let offsetCommit = KafkaAPIKey(8)
    public static let offsetFetch = KafkaAPIKey(9)
    public static let findCoordinator = KafkaAPIKey(10)
    public static let joinGroup = KafkaAPIKey(11)
    public static let heartbeat = KafkaAPIKey(12)
    public static let leaveGroup = KafkaAPIKey(13)
    public static let syncGroup = KafkaAPIKey(14)
    public static let describeGroups = KafkaAPIKey(15)
    public static let listGroups = KafkaAPIKey(16)
    public static let saslHandshake = KafkaAPIKey(17)
    public static let apiVersions = KafkaAPIKey(18)
    public static let initProducerID = KafkaAPIKey(22)
    public static let addPartitionsToTxn = KafkaAPIKey(24)
    public static let addOffsetsToTxn = KafkaAPIKey(25)
    public static let endTxn = KafkaAPIKey(26)
    public static let writeTxnMarkers = KafkaAPIKey(27)
    public static let txnOffsetCommit = KafkaAPIKey(28)
    public static let saslAuthenticate = KafkaAPIKey(36)
    public static let deleteGroups = KafkaAPIKey(42)
    public static let offsetDelete = KafkaAPIKey(47)
    public static let consumerGroupHeartbeat = KafkaAPIKey(68)
    public static let consumerGroupDescribe = KafkaAPIKey(69)

    /// The API's name as in Apache Kafka's schemas without the Request/Response suffix
    /// (e.g. `"OffsetCommit"`), or nil for a key this library does not know.
    public var name: String? { KafkaAPI.table[rawValue]?.name }

    public var description: String { name ?? "ApiKey(\(rawValue))" }
}

/// Facts about Kafka API versions needed to find where headers end and bodies begin.
///
/// The table of flexible versions is taken from Apache Kafka's JSON message schemas (as
/// shipped with kafka-python 3.0.12) for every API in them, plus ConsumerGroupHeartbeat
/// and ConsumerGroupDescribe (flexible from version 0).
///
/// **Unknown API keys** are treated as never flexible. That only matters for where the
/// *body* starts (request header v2 and response header v1 add a tagged-field section);
/// the request header's apiKey, apiVersion, correlationId and clientId are at the same
/// offsets in header v1 and v2, and the correlation id is the first field of every
/// response header, so those are always readable. Bodies of unknown keys are never
/// decoded by this library.
public enum KafkaAPI {
    struct Info: Sendable {
        var name: String
        /// The first flexible version, or nil if no version is flexible.
        var firstFlexible: Int16?
    }

    static let table: [Int16: Info] = [
        0: Info(name: "Produce", firstFlexible: 9),
        1: Info(name: "Fetch", firstFlexible: 12),
        2: Info(name: "ListOffsets", firstFlexible: 6),
        3: Info(name: "Metadata", firstFlexible: 9),
        8: Info(name: "OffsetCommit", firstFlexible: 8),
        9: Info(name: "OffsetFetch", firstFlexible: 6),
        10: Info(name: "FindCoordinator", firstFlexible: 3),
        11: Info(name: "JoinGroup", firstFlexible: 6),
        12: Info(name: "Heartbeat", firstFlexible: 4),
        13: Info(name: "LeaveGroup", firstFlexible: 4),
        14: Info(name: "SyncGroup", firstFlexible: 4),
        15: Info(name: "DescribeGroups", firstFlexible: 5),
        16: Info(name: "ListGroups", firstFlexible: 3),
        17: Info(name: "SaslHandshake", firstFlexible: nil),
        18: Info(name: "ApiVersions", firstFlexible: 3),
        19: Info(name: "CreateTopics", firstFlexible: 5),
        20: Info(name: "DeleteTopics", firstFlexible: 4),
        21: Info(name: "DeleteRecords", firstFlexible: 2),
        22: Info(name: "InitProducerId", firstFlexible: 2),
        23: Info(name: "OffsetForLeaderEpoch", firstFlexible: 4),
        24: Info(name: "AddPartitionsToTxn", firstFlexible: 3),
        25: Info(name: "AddOffsetsToTxn", firstFlexible: 3),
        26: Info(name: "EndTxn", firstFlexible: 3),
        27: Info(name: "WriteTxnMarkers", firstFlexible: 1),
        28: Info(name: "TxnOffsetCommit", firstFlexible: 3),
        29: Info(name: "DescribeAcls", firstFlexible: 2),
        30: Info(name: "CreateAcls", firstFlexible: 2),
        31: Info(name: "DeleteAcls", firstFlexible: 2),
        32: Info(name: "DescribeConfigs", firstFlexible: 4),
        33: Info(name: "AlterConfigs", firstFlexible: 2),
        34: Info(name: "AlterReplicaLogDirs", firstFlexible: 2),
        35: Info(name: "DescribeLogDirs", firstFlexible: 2),
        36: Info(name: "SaslAuthenticate", firstFlexible: 2),
        37: Info(name: "CreatePartitions", firstFlexible: 2),
        42: Info(name: "DeleteGroups", firstFlexible: 2),
        43: Info(name: "ElectLeaders", firstFlexible: 2),
        44: Info(name: "IncrementalAlterConfigs", firstFlexible: 1),
        45: Info(name: "AlterPartitionReassignments", firstFlexible: 0),
        46: Info(name: "ListPartitionReassignments", firstFlexible: 0),
        47: Info(name: "OffsetDelete", firstFlexible: nil),
        48: Info(name: "DescribeClientQuotas", firstFlexible: 1),
        49: Info(name: "AlterClientQuotas", firstFlexible: 1),
        50: Info(name: "DescribeUserScramCredentials", firstFlexible: 0),
        51: Info(name: "AlterUserScramCredentials", firstFlexible: 0),
        55: Info(name: "DescribeQuorum", firstFlexible: 0),
        57: Info(name: "UpdateFeatures", firstFlexible: 0),
        60: Info(name: "DescribeCluster", firstFlexible: 0),
        61: Info(name: "DescribeProducers", firstFlexible: 0),
        65: Info(name: "DescribeTransactions", firstFlexible: 0),
        66: Info(name: "ListTransactions", firstFlexible: 0),
        68: Info(name: "ConsumerGroupHeartbeat", firstFlexible: 0),
        69: Info(name: "ConsumerGroupDescribe", firstFlexible: 0),
        74: Info(name: "ListConfigResources", firstFlexible: 0),
        75: Info(name: "DescribeTopicPartitions", firstFlexible: 0),
    ]

    /// True if this library knows the API key's flexible versions.
    public static func isKnown(apiKey: KafkaAPIKey) -> Bool {
        table[apiKey.rawValue] != nil
    }

    /// The first flexible version of the API, or nil if it has none or is unknown.
    public static func firstFlexibleVersion(apiKey: KafkaAPIKey) -> Int16? {
        table[apiKey.rawValue]?.firstFlexible
    }

    /// Whether `version` of the API uses the flexible encoding (compact strings and
    /// arrays, tagged fields). E.g. OffsetCommit 8+, OffsetFetch 6+, Metadata 9+,
    /// FindCoordinator 3+, ApiVersions 3+. Unknown keys: false (see the type's notes).
    public static func isFlexible(apiKey: KafkaAPIKey, version: Int16) -> Bool {
        guard let first = firstFlexibleVersion(apiKey: apiKey) else { return false }
        return version >= first
    }

    /// The request header version: 2 for flexible request versions, else 1.
    ///
    /// (Header v0, without a client id, was only used by ControlledShutdown v0, an
    /// inter-broker request long removed; it is not modelled.)
    public static func requestHeaderVersion(apiKey: KafkaAPIKey, version: Int16) -> Int16 {
        isFlexible(apiKey: apiKey, version: version) ? 2 : 1
    }

    /// The response header version: 1 for flexible response versions, else 0, except
    /// that ApiVersions responses always use header v0 (so a client that does not yet
    /// know the broker's versions can read the correlation id).
    public static func responseHeaderVersion(apiKey: KafkaAPIKey, version: Int16) -> Int16 {
        if apiKey == .apiVersions { return 0 }
        return isFlexible(apiKey: apiKey, version: version) ? 1 : 0
    }
}
