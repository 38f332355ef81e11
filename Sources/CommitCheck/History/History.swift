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
    /// Non-fatal remarks (a cut-off last line, skipped unknown events).
    package var warnings: [String]

    /// Where an event came from, as `file:line` (or `line N` for a single unnamed trace).
    package func location(of eventIndex: Int) -> String {
        let event = events[eventIndex]
        return files.count > 1 ? "\(files[event.file]):\(event.line)" : "line \(event.line)"
    }

    /// How commit `c` affects a partition.
    package func applyStatus(of commitIndex: Int, on partition: TopicPartition) -> ApplyStatus {
        let commit = commits[commitIndex]
        guard commit.offset(for: partition) != nil else { return .notApplied }
        if let ack = commit.ack, case .ack(_, let status, let errors) = events[ack].payload {
            let failedHere = errors?.contains(where: { $0.0 == partition }) == true
            switch status {
            case .fail: return .notApplied
            case .ok: return failedHere ? .notApplied : .applied
            case .unknown: return failedHere ? .notApplied : commit.applies.isEmpty ? .maybe : .applied
            }
        }
        return commit.applies.isEmpty ? .maybe : .applied
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

    /// Whether any fetch returned a value for the key.
    package func isRead(_ key: PartitionKey) -> Bool {
        fetches.contains { $0.group == key.group && $0.fetched != nil && $0.results.contains { $0.0 == key.partition } }
    }

    /// The initial offset of a key, when `meta.initial` gives one.
    package func initialOffset(of key: PartitionKey) -> Int? {
        meta.initial[key.group]?[key.partition]
    }
}
