/// A Kafka error code (int16) with its name as in Apache Kafka's `Errors` enum.
///
/// `description` is `"NAME (code)"`, or just the number for codes this library does not
/// know (`name` is then the number as a string).
public struct KafkaErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }
    public init(_ rawValue: Int16) { self.rawValue = rawValue }

    public static let unknownServerError = KafkaErrorCode(-1)
    public static let noError = KafkaErrorCode(0)
    public static let unknownTopicOrPartition = KafkaErrorCode(3)
    public static let notLeaderOrFollower = KafkaErrorCode(6)
    public static let requestTimedOut = KafkaErrorCode(7)
    public static let offsetMetadataTooLarge = KafkaErrorCode(12)
    public static let coordinatorLoadInProgress = KafkaErrorCode(14)
    public static let coordinatorNotAvailable = KafkaErrorCode(15)
    public static let notCoordinator = KafkaErrorCode(16)
    public static let notEnoughReplicas = KafkaErrorCode(19)
    public static let notEnoughReplicasAfterAppend = KafkaErrorCode(20)
    public static let illegalGeneration = KafkaErrorCode(22)
    public static let invalidGroupID = KafkaErrorCode(24)
    public static let unknownMemberID = KafkaErrorCode(25)
    public static let rebalanceInProgress = KafkaErrorCode(27)
    public static let invalidCommitOffsetSize = KafkaErrorCode(28)
    public static let topicAuthorizationFailed = KafkaErrorCode(29)
    public static let groupAuthorizationFailed = KafkaErrorCode(30)
    public static let unsupportedVersion = KafkaErrorCode(35)
    public static let kafkaStorageError = KafkaErrorCode(56)
    public static let groupIDNotFound = KafkaErrorCode(69)
    public static let fencedInstanceID = KafkaErrorCode(82)
    public static let unstableOffsetCommit = KafkaErrorCode(88)
    public static let unknownTopicID = KafkaErrorCode(100)
    public static let fencedMemberEpoch = KafkaErrorCode(110)
    public static let staleMemberEpoch = KafkaErrorCode(113)

    /// The Kafka name (e.g. `"NOT_COORDINATOR"`), or the number for unknown codes.
    public var name: String { Self.names[rawValue] ?? String(rawValue) }

    /// True if the code is one this library has a name for.
    public var isKnown: Bool { Self.names[rawValue] != nil }

    public var description: String {
        guard let name = Self.names[rawValue] else { return String(rawValue) }
        return "\(name) (\(rawValue))"
    }

    /// How an OffsetCommit partition result with this code must be read; see
    /// `OffsetCommitOutcome`.
    public var offsetCommitOutcome: OffsetCommitOutcome { OffsetCommitOutcome(errorCode: rawValue) }

    static let names: [Int16: String] = [
        -1: "UNKNOWN_SERVER_ERROR",
        0: "NONE",
        1: "OFFSET_OUT_OF_RANGE",
        2: "CORRUPT_MESSAGE",
        3: "UNKNOWN_TOPIC_OR_PARTITION",
        4: "INVALID_FETCH_SIZE",
        5: "LEADER_NOT_AVAILABLE",
        6: "NOT_LEADER_OR_FOLLOWER",
        7: "REQUEST_TIMED_OUT",
        8: "BROKER_NOT_AVAILABLE",
        9: "REPLICA_NOT_AVAILABLE",
        10: "MESSAGE_TOO_LARGE",
        11: "STALE_CONTROLLER_EPOCH",
        12: "OFFSET_METADATA_TOO_LARGE",
        13: "NETWORK_EXCEPTION",
        14: "COORDINATOR_LOAD_IN_PROGRESS",
        15: "COORDINATOR_NOT_AVAILABLE",
        16: "NOT_COORDINATOR",
        17: "INVALID_TOPIC_EXCEPTION",
        18: "RECORD_LIST_TOO_LARGE",
        19: "NOT_ENOUGH_REPLICAS",
        20: "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
        21: "INVALID_REQUIRED_ACKS",
        22: "ILLEGAL_GENERATION",
        23: "INCONSISTENT_GROUP_PROTOCOL",
        24: "INVALID_GROUP_ID",
        25: "UNKNOWN_MEMBER_ID",
        26: "INVALID_SESSION_TIMEOUT",
        27: "REBALANCE_IN_PROGRESS",
        28: "INVALID_COMMIT_OFFSET_SIZE",
        29: "TOPIC_AUTHORIZATION_FAILED",
        30: "GROUP_AUTHORIZATION_FAILED",
        31: "CLUSTER_AUTHORIZATION_FAILED",
        32: "INVALID_TIMESTAMP",
        33: "UNSUPPORTED_SASL_MECHANISM",
        34: "ILLEGAL_SASL_STATE",
        35: "UNSUPPORTED_VERSION",
        36: "TOPIC_ALREADY_EXISTS",
        37: "INVALID_PARTITIONS",
        38: "INVALID_REPLICATION_FACTOR",
        39: "INVALID_REPLICA_ASSIGNMENT",
        40: "INVALID_CONFIG",
        41: "NOT_CONTROLLER",
        42: "INVALID_REQUEST",
        43: "UNSUPPORTED_FOR_MESSAGE_FORMAT",
        44: "POLICY_VIOLATION",
        45: "OUT_OF_ORDER_SEQUENCE_NUMBER",
        46: "DUPLICATE_SEQUENCE_NUMBER",
        47: "INVALID_PRODUCER_EPOCH",
        48: "INVALID_TXN_STATE",
        49: "INVALID_PRODUCER_ID_MAPPING",
        50: "INVALID_TRANSACTION_TIMEOUT",
        51: "CONCURRENT_TRANSACTIONS",
        52: "TRANSACTION_COORDINATOR_FENCED",
        53: "TRANSACTIONAL_ID_AUTHORIZATION_FAILED",
        54: "SECURITY_DISABLED",
        55: "OPERATION_NOT_ATTEMPTED",
        56: "KAFKA_STORAGE_ERROR",
        57: "LOG_DIR_NOT_FOUND",
        58: "SASL_AUTHENTICATION_FAILED",
        59: "UNKNOWN_PRODUCER_ID",
        60: "REASSIGNMENT_IN_PROGRESS",
        61: "DELEGATION_TOKEN_AUTH_DISABLED",
        62: "DELEGATION_TOKEN_NOT_FOUND",
        63: "DELEGATION_TOKEN_OWNER_MISMATCH",
        64: "DELEGATION_TOKEN_REQUEST_NOT_ALLOWED",
        65: "DELEGATION_TOKEN_AUTHORIZATION_FAILED",
        66: "DELEGATION_TOKEN_EXPIRED",
        67: "INVALID_PRINCIPAL_TYPE",
        68: "NON_EMPTY_GROUP",
        69: "GROUP_ID_NOT_FOUND",
        70: "FETCH_SESSION_ID_NOT_FOUND",
        71: "INVALID_FETCH_SESSION_EPOCH",
        72: "LISTENER_NOT_FOUND",
        73: "TOPIC_DELETION_DISABLED",
        74: "FENCED_LEADER_EPOCH",
        75: "UNKNOWN_LEADER_EPOCH",
        76: "UNSUPPORTED_COMPRESSION_TYPE",
        77: "STALE_BROKER_EPOCH",
        78: "OFFSET_NOT_AVAILABLE",
        79: "MEMBER_ID_REQUIRED",
        80: "PREFERRED_LEADER_NOT_AVAILABLE",
        81: "GROUP_MAX_SIZE_REACHED",
        82: "FENCED_INSTANCE_ID",
        83: "ELIGIBLE_LEADERS_NOT_AVAILABLE",
        84: "ELECTION_NOT_NEEDED",
        85: "NO_REASSIGNMENT_IN_PROGRESS",
        86: "GROUP_SUBSCRIBED_TO_TOPIC",
        87: "INVALID_RECORD",
        88: "UNSTABLE_OFFSET_COMMIT",
        89: "THROTTLING_QUOTA_EXCEEDED",
        90: "PRODUCER_FENCED",
        91: "RESOURCE_NOT_FOUND",
        92: "DUPLICATE_RESOURCE",
        93: "UNACCEPTABLE_CREDENTIAL",
        94: "INCONSISTENT_VOTER_SET",
        95: "INVALID_UPDATE_VERSION",
        96: "FEATURE_UPDATE_FAILED",
        97: "PRINCIPAL_DESERIALIZATION_FAILURE",
        98: "SNAPSHOT_NOT_FOUND",
        99: "POSITION_OUT_OF_RANGE",
        100: "UNKNOWN_TOPIC_ID",
        101: "DUPLICATE_BROKER_REGISTRATION",
        102: "BROKER_ID_NOT_REGISTERED",
        103: "INCONSISTENT_TOPIC_ID",
        104: "INCONSISTENT_CLUSTER_ID",
        105: "TRANSACTIONAL_ID_NOT_FOUND",
        106: "FETCH_SESSION_TOPIC_ID_ERROR",
        107: "INELIGIBLE_REPLICA",
        108: "NEW_LEADER_ELECTED",
        109: "OFFSET_MOVED_TO_TIERED_STORAGE",
        110: "FENCED_MEMBER_EPOCH",
        111: "UNRELEASED_INSTANCE_ID",
        112: "UNSUPPORTED_ASSIGNOR",
        113: "STALE_MEMBER_EPOCH",
        114: "MISMATCHED_ENDPOINT_TYPE",
        115: "UNSUPPORTED_ENDPOINT_TYPE",
        116: "UNKNOWN_CONTROLLER_ID",
        117: "UNKNOWN_SUBSCRIPTION_ID",
        118: "TELEMETRY_TOO_LARGE",
        119: "INVALID_REGISTRATION",
        120: "TRANSACTION_ABORTABLE",
        121: "INVALID_RECORD_STATE",
        122: "SHARE_SESSION_NOT_FOUND",
        123: "INVALID_SHARE_SESSION_EPOCH",
        124: "FENCED_STATE_EPOCH",
        125: "INVALID_VOTER_KEY",
        126: "DUPLICATE_VOTER",
        127: "VOTER_NOT_FOUND",
    ]
}

/// What an OffsetCommit response's per-partition error code says about the commit.
///
/// - `applied`: error code 0 (NONE): the offset was written to `__consumer_offsets`.
/// - `rejected`: the coordinator validated the request and refused it *before* anything
///   was appended: ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS,
///   OFFSET_METADATA_TOO_LARGE, UNKNOWN_TOPIC_OR_PARTITION, TOPIC_AUTHORIZATION_FAILED,
///   GROUP_AUTHORIZATION_FAILED, INVALID_GROUP_ID, GROUP_ID_NOT_FOUND, FENCED_INSTANCE_ID,
///   FENCED_MEMBER_EPOCH, STALE_MEMBER_EPOCH, UNKNOWN_TOPIC_ID, UNSUPPORTED_VERSION,
///   COORDINATOR_LOAD_IN_PROGRESS.
/// - `ambiguous`: everything else, including unknown codes. The commit may or may not
///   have taken effect.
///
/// Why the write-path errors are ambiguous: the coordinator stores offsets by appending
/// a record to the `__consumer_offsets` partition with acks=all, and the append can fail
/// *after* the record reached the leader's log and possibly the followers. The
/// coordinator translates those append failures before answering: REQUEST_TIMED_OUT,
/// NOT_ENOUGH_REPLICAS(_AFTER_APPEND) and UNKNOWN_TOPIC_OR_PARTITION become
/// COORDINATOR_NOT_AVAILABLE; NOT_LEADER_OR_FOLLOWER and KAFKA_STORAGE_ERROR become
/// NOT_COORDINATOR; MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE and INVALID_FETCH_SIZE
/// become INVALID_COMMIT_OFFSET_SIZE (the KIP-848 coordinator may report
/// UNKNOWN_SERVER_ERROR instead). A timed-out append can still be committed by the
/// replicas, and a record left in the log is replayed when a new coordinator loads the
/// partition, so the client sees an error for an offset that is (or later becomes)
/// visible. COORDINATOR_NOT_AVAILABLE and NOT_COORDINATOR can also be validation
/// answers (no write at all), but the response does not say which, so a sound checker
/// must treat them as "may or may not have applied". When unsure, this classification
/// errs on the ambiguous side: misreading an applied commit as rejected would make a
/// checker report false violations.
public enum OffsetCommitOutcome: Sendable, Hashable, CustomStringConvertible {
    case applied
    case rejected
    case ambiguous

    /// Classifies an OffsetCommit partition error code.
    public init(errorCode: Int16) {
        switch errorCode {
        case 0:
            self = .applied
        case 22, 25, 27, 12, 3, 29, 30, 24, 69, 82, 110, 113, 100, 35, 14:
            self = .rejected
        default:
            self = .ambiguous
        }
    }

    public var description: String {
        switch self {
        case .applied: return "applied"
        case .rejected: return "rejected"
        case .ambiguous: return "ambiguous"
        }
    }
}
