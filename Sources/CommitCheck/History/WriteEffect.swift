/// What one commit does to one key: the one owner of "did it take effect, and under what condition".
///
/// Every reader (the order problem, the stories, the page, streaming) asks this instead of reading
/// the commit's ack itself. The brute-force enumerator does not: it derives the same facts from the
/// events on its own, so that a mistake here shows up in the differential test.
package struct WriteEffect: Sendable, Equatable {
    /// Whether the request itself took effect on the key: a plain commit applied, a staged one staged.
    package var request: ApplyStatus
    /// The transaction the offsets are staged in (an index into ``History/transactions``), when
    /// its outcome is still open: the write is visible only if that transaction commits.
    package var pendingTransaction: Int?
    /// Whether the write is an intended rewind (`monotonic` does not count a decrease into it).
    package var reset: Bool

    /// Whether the write ever becomes visible: certainly, maybe, or never.
    package var status: ApplyStatus {
        guard pendingTransaction != nil else { return request }
        return request == .notApplied ? .notApplied : .maybe
    }
}

extension History {
    /// How commit `c`'s own request affected a partition: applied (or staged), maybe, or not.
    ///
    /// `ok` applies every partition not listed in `errors`; `fail` none; `unknown` (and no ack) may
    /// or may not, unless an `apply` observation shows it did (specs/system-model.md, rules 3 and 5).
    package func requestStatus(of commitIndex: Int, on partition: TopicPartition) -> ApplyStatus {
        let commit = commits[commitIndex]
        guard commit.offset(for: partition) != nil else { return .notApplied }
        if let ack = commit.ack, case .ack(let answer) = events[ack].payload {
            let failedHere = answer.errors?.contains(where: { $0.0 == partition }) == true
            switch answer.status {
            case .fail: return .notApplied
            case .ok: return failedHere ? .notApplied : .applied
            case .unknown: return failedHere ? .notApplied : commit.applies.isEmpty ? .maybe : .applied
            }
        }
        return commit.applies.isEmpty ? .maybe : .applied
    }

    /// What commit `c` does to a partition, its transaction's outcome included.
    package func effect(of commitIndex: Int, on partition: TopicPartition) -> WriteEffect {
        let commit = commits[commitIndex]
        var request = requestStatus(of: commitIndex, on: partition)
        var pending: Int? = nil
        if let transaction = commit.transaction {
            switch transactions[transaction].outcome {
            case .committed: break
            case .aborted: request = .notApplied
            case .undecided: pending = request == .notApplied ? nil : transaction
            }
        }
        return WriteEffect(request: request, pendingTransaction: pending, reset: commit.reset)
    }

    /// Whether commit `c` ever becomes visible on a partition (its transaction's outcome included).
    package func applyStatus(of commitIndex: Int, on partition: TopicPartition) -> ApplyStatus {
        effect(of: commitIndex, on: partition).status
    }
}
