/// Keys linked through a shared commit, fetch or transaction, which must be judged together once reads are involved.
///
/// One OffsetCommit applies all its partitions at one point and one OffsetFetch reads all its
/// partitions at one point (specs/system-model.md), and one transaction commits or aborts all its
/// offsets, so a read of one key can order the apply points another key
/// sees. Without reads keys stay independent (P-compositionality); a component with reads is judged
/// over the schedules that explain every read of the component.
struct KeyComponents: Sendable {
    /// The component of each key.
    let componentOf: [PartitionKey: Int]
    /// The keys of each component, sorted.
    let keys: [[PartitionKey]]
    /// Fetch results per component, as (fetch index, key, value), in fetch order.
    let reads: [[(fetch: Int, key: PartitionKey, value: Int)]]
    /// Whether a transaction stages offsets in the component (`--shard` keeps such keys together).
    let transactional: [Bool]

    init(history: History, keys allKeys: [PartitionKey]) {
        var index: [PartitionKey: Int] = [:]
        for (position, key) in allKeys.enumerated() { index[key] = position }
        var parent = Array(allKeys.indices)
        func root(_ start: Int) -> Int {
            var node = start
            while parent[node] != node {
                parent[node] = parent[parent[node]]
                node = parent[node]
            }
            return node
        }
        func link(_ group: String, _ partitions: some Sequence<TopicPartition>) {
            var first: Int? = nil
            for partition in partitions {
                guard let key = index[PartitionKey(group: group, partition: partition)] else { continue }
                guard let anchor = first else { first = root(key); continue }
                let other = root(key)
                if other != anchor { parent[other] = anchor }
            }
        }
        for commit in history.commits where commit.offsets.count > 1 { link(commit.group, commit.offsets.lazy.map(\.0)) }
        for fetch in history.fetches where fetch.fetched != nil && fetch.results.count > 1 { link(fetch.group, fetch.results.lazy.map(\.0)) }
        // One transaction commits or aborts as a whole: its keys share that outcome (rule 8).
        for transaction in history.transactions where !transaction.commits.isEmpty {
            var anchor: Int? = nil
            for commit in transaction.commits {
                for (partition, _) in history.commits[commit].offsets {
                    guard let key = index[PartitionKey(group: history.commits[commit].group, partition: partition)] else { continue }
                    guard let first = anchor else { anchor = root(key); continue }
                    let other = root(key), top = root(first)
                    if other != top { parent[other] = top }
                }
            }
        }
        var numberOfRoot: [Int: Int] = [:]
        var componentOf: [PartitionKey: Int] = [:]
        var keys: [[PartitionKey]] = []
        for (position, key) in allKeys.enumerated() {
            let top = root(position)
            let number: Int
            if let known = numberOfRoot[top] {
                number = known
            } else {
                number = keys.count
                numberOfRoot[top] = number
                keys.append([])
            }
            componentOf[key] = number
            keys[number].append(key)
        }
        var reads = [[(fetch: Int, key: PartitionKey, value: Int)]](repeating: [], count: keys.count)
        for (fetchIndex, fetch) in history.fetches.enumerated() where fetch.fetched != nil {
            for (partition, value) in fetch.results {
                let key = PartitionKey(group: fetch.group, partition: partition)
                guard let number = componentOf[key] else { continue }
                reads[number].append((fetchIndex, key, value))
            }
        }
        var transactional = [Bool](repeating: false, count: keys.count)
        for transaction in history.transactions {
            for commit in transaction.commits {
                for (partition, _) in history.commits[commit].offsets {
                    if let number = componentOf[PartitionKey(group: history.commits[commit].group, partition: partition)] { transactional[number] = true }
                }
            }
        }
        self.componentOf = componentOf
        self.keys = keys
        self.reads = reads
        self.transactional = transactional
    }

    var count: Int { keys.count }
}
