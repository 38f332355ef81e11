/// One transaction of the trace (specs/system-model.md, rule 8): the commits staged in it, the
/// EndTxn requests that ask to end it, their answers, and the broker's sign that it completed.
package struct Transaction: Sendable {
    package var id: String
    /// Indices into ``History/commits`` of the commits staged in it, in trace order.
    package var commits: [Int] = []
    /// The `end` events (indices into ``History/events``), in trace order, which is send order.
    package var ends: [Int] = []
    /// Per `end`, its `ended` answer (an event index), when recorded.
    package var answers: [Int?] = []
    /// `completed` observations.
    package var completions: [Int] = []
    /// What the trace says about whether it committed; set when the history is finished.
    package var outcome: TransactionOutcome = .undecided

    init(id: String) { self.id = id }

    /// The first `end` asking to commit: the point the commit point follows (specs/system-model.md).
    package func firstCommitRequest(in events: [TraceEvent]) -> Int? {
        ends.first { if case .end(let end) = events[$0].payload { end.result == .commit } else { false } }
    }
}

/// Whether a transaction's staged offsets ever become visible.
package enum TransactionOutcome: Sendable, Equatable {
    /// An `end` asking to commit got `ok`.
    case committed
    /// Nothing can have committed it: every `end` asking to commit failed (or there was none) and
    /// an `end` asking to abort was sent, or one asking to commit got `fail`.
    case aborted
    /// No `end`, or an `end` asking to commit with no answer or an `unknown` one: either may happen.
    case undecided

    /// The outcome the `end`s and `ended`s of a transaction give (specs/system-model.md, rule 8).
    static func of(_ transaction: Transaction, events: [TraceEvent]) -> TransactionOutcome {
        var commitOpen = false
        var aborting = false
        for (position, index) in transaction.ends.enumerated() {
            guard case .end(let end) = events[index].payload else { continue }
            let status = transaction.answers[position].flatMap { events[$0].status }
            switch (end.result, status) {
            case (.commit, .ok?): return .committed
            case (.commit, .fail?): aborting = true
            case (.commit, _): commitOpen = true
            case (.abort, _): aborting = true
            }
        }
        if commitOpen { return .undecided }
        return aborting ? .aborted : .undecided
    }
}
