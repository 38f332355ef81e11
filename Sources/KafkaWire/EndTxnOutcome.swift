/// What an EndTxn answer's error code says about the transaction's end.
///
/// - `ended`: 0, the coordinator logged the decision (commit or abort as asked).
/// - `refused`: the coordinator refused the request before doing anything, or the producer was
///   fenced: PRODUCER_FENCED, INVALID_PRODUCER_EPOCH (a newer epoch of the transactional id exists,
///   so this producer's open transaction is aborted, never committed), INVALID_TXN_STATE,
///   TRANSACTIONAL_ID_AUTHORIZATION_FAILED, CONCURRENT_TRANSACTIONS, NOT_COORDINATOR,
///   COORDINATOR_NOT_AVAILABLE, COORDINATOR_LOAD_IN_PROGRESS, INVALID_PRODUCER_ID_MAPPING.
/// - `ambiguous`: anything else, unknown codes included (REQUEST_TIMED_OUT, UNKNOWN_SERVER_ERROR,
///   TRANSACTION_ABORTABLE, ...): the decision may or may not have been logged.
public enum EndTxnOutcome: Sendable, Hashable, CustomStringConvertible {
    case ended
    case refused
    case ambiguous

    /// Classifies an EndTxn response error code.
    public init(errorCode: Int16) {
        switch errorCode {
        case 0: self = .ended
        case 90, 47, 48, 53, 51, 16, 15, 14, 49: self = .refused
        default: self = .ambiguous
        }
    }

    public var description: String {
        switch self {
        case .ended: return "ended"
        case .refused: return "refused"
        case .ambiguous: return "ambiguous"
        }
    }
}

extension KafkaErrorCode {
    /// How an EndTxn answer with this code must be read; see ``EndTxnOutcome``.
    public var endTxnOutcome: EndTxnOutcome { EndTxnOutcome(errorCode: rawValue) }

    /// How an OffsetDelete partition result or a DeleteGroups group result with this code must be
    /// read: as an OffsetCommit's (``OffsetCommitOutcome``), and also `rejected` for the two
    /// refusals only deletes have, NON_EMPTY_GROUP (the group still has members) and
    /// GROUP_SUBSCRIBED_TO_TOPIC (its members still consume the topic): both are checked before
    /// any tombstone is written.
    public var offsetDeleteOutcome: OffsetCommitOutcome {
        rawValue == 68 || rawValue == 86 ? .rejected : offsetCommitOutcome
    }
}
