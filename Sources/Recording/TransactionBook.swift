/// A producer's identity in one epoch: what the proxy joins a transaction's requests by, across the
/// group coordinator's and the transaction coordinator's connections.
struct ProducerSession: Hashable, Sendable {
    var transactionalID: String
    var producerID: Int64
    var epoch: Int16
}

/// Names the transactions the proxy sees and remembers which ended ones still wait for their
/// `completed` observation (specs/recording.md, "Transactions").
///
/// A transaction id is `TRANSACTIONAL_ID@PRODUCER_ID.EPOCH#N`: N counts the transactions of that
/// producer id and epoch, and transaction N+1 starts with the first AddPartitionsToTxn,
/// AddOffsetsToTxn or TxnOffsetCommit after an EndTxn of N. Ids are never reused (sessions are
/// never forgotten), so a zombie producer's late request cannot take a finished transaction's id.
struct TransactionBook: Sendable {
    private var sessions: [ProducerSession: (number: Int, ended: Bool)] = [:]
    /// Per transactional id, the transactions that had an `end` and no `completed` yet, in `end` order.
    private var awaitingCompletion: [String: [String]] = [:]

    /// The transaction a staging step (AddPartitionsToTxn, AddOffsetsToTxn, TxnOffsetCommit) belongs to.
    mutating func staging(_ session: ProducerSession) -> String {
        var state = sessions[session] ?? (0, true)
        if state.ended { state = (state.number + 1, false) }
        sessions[session] = state
        return Self.id(session, state.number)
    }

    /// The transaction an EndTxn ends (the current one; a retried EndTxn ends the same one). It
    /// then waits for a later transaction of its transactional id to be accepted.
    mutating func ending(_ session: ProducerSession) -> String {
        var state = sessions[session] ?? (1, true)
        state.ended = true
        sessions[session] = state
        let txn = Self.id(session, state.number)
        var waiting = awaitingCompletion[session.transactionalID, default: []]
        if !waiting.contains(txn) { waiting.append(txn) }
        awaitingCompletion[session.transactionalID] = waiting
        return txn
    }

    /// The transactional id's ended transactions other than `current`, now known complete (the
    /// coordinator accepted `current`'s step, or a new epoch); they are forgotten here.
    mutating func completing(_ transactionalID: String, except current: String?) -> [String] {
        guard let waiting = awaitingCompletion[transactionalID] else { return [] }
        let done = waiting.filter { $0 != current }
        let left = waiting.filter { $0 == current }
        awaitingCompletion[transactionalID] = left.isEmpty ? nil : left
        return done
    }

    static func id(_ session: ProducerSession, _ number: Int) -> String {
        "\(session.transactionalID)@\(session.producerID).\(session.epoch)#\(number)"
    }
}
