/// A whole recorded history: the events, and the commits and fetches they describe.
///
/// Built by ``TraceReader``, which has already enforced every cross-line rule of the format, so
/// the constraint builder can rely on it (each commit has offsets, at most one build/send/ack).
public struct History: Sendable {
    /// The files the events came from, by ``TraceEvent/file``.
    package var files: [String]
    package var meta: TraceMeta
    /// Every non-`meta` event, in input order (file by file, line by line).
    package var events: [TraceEvent]
    package var commits: [Commit]
    package var commitIndex: [String: Int]
    package var fetches: [Fetch]
    /// Transactions, in the order their id first appears.
    package var transactions: [Transaction] = []
    package var transactionIndex: [String: Int] = [:]
    /// Non-fatal remarks (a cut-off last line, skipped unknown events).
    package var warnings: [String]

    /// Whether any commit is staged in a transaction or is a reset: the keys it touches need the
    /// general model of a write (order and visibility points apart, epochs), not the plain one.
    package var hasTransactionsOrResets: Bool { !transactions.isEmpty || commits.contains { $0.reset } }

    /// Where an event came from, as `file:line` (or `line N` for a single unnamed trace).
    package func location(of eventIndex: Int) -> String {
        let event = events[eventIndex]
        return files.count > 1 ? "\(files[event.file]):\(event.line)" : "line \(event.line)"
    }

    /// Every key a commit or fetch touches, sorted.
    package var keys: [PartitionKey] {
        var keys = Set<PartitionKey>()
        for commit in commits {
            for (partition, _) in commit.offsets { keys.insert(PartitionKey(group: commit.group, partition: partition)) }
        }
        for fetch in fetches where fetch.fetched != nil {
            for (partition, _) in fetch.results { keys.insert(PartitionKey(group: fetch.group, partition: partition)) }
        }
        return keys.sorted()
    }

    /// For each key, the commits and fetches that touch it (indices), computed in one pass.
    package func membersByKey() -> [PartitionKey: (commits: [Int], fetches: [Int])] {
        var members: [PartitionKey: (commits: [Int], fetches: [Int])] = [:]
        for (index, commit) in commits.enumerated() {
            for (partition, _) in commit.offsets {
                members[PartitionKey(group: commit.group, partition: partition), default: ([], [])].commits.append(index)
            }
        }
        for (index, fetch) in fetches.enumerated() where fetch.fetched != nil {
            for (partition, _) in fetch.results {
                members[PartitionKey(group: fetch.group, partition: partition), default: ([], [])].fetches.append(index)
            }
        }
        return members
    }

    /// The initial offset of a key, when `meta.initial` gives one.
    package func initialOffset(of key: PartitionKey) -> Int? {
        meta.initial[key.group]?[key.partition]
    }
}
