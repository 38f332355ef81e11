/// A proxy's trace of a whole fleet: one recorder clock, many consumer groups each on its own
/// coordinator connection, every group committing all its partitions in turn (one commit in flight
/// per group), and 1% of the events fetches of a group's partitions.
///
/// The shape `commitcheck proxy` writes when many services share it; the streaming path cuts each
/// group between its commits, so `verify` holds only the groups' open windows. Written in chunks
/// (never held whole), so a 2 GB trace costs its generator no memory. Now and then (`staleEvery`
/// commits) a group sends a stale snapshot after a newer commit was acked: a real regression, so
/// the run has bad keys whose groups are re-verified whole.
public struct ProxyFleetTrace: Sendable, CustomStringConvertible {
    /// Lines to write (the meta line not counted).
    public var events: Int
    public var groups: Int
    public var partitionsPerGroup: Int
    /// Share of events that are fetches (with their responses).
    public var fetchShare: Double
    /// One commit in this many is a stale snapshot (0: none).
    public var staleEvery: Int
    /// Share of groups that commit with transactions (exactly-once applications): each commit is a
    /// TxnOffsetCommit `send`/`ack` with `txn`, then the EndTxn's `end`/`ended`, and the next
    /// transaction's start gives the previous one's `completed`, as `commitcheck proxy` writes them.
    public var transactionalShare: Double
    public var seed: UInt64

    public init(events: Int, groups: Int = 1_000, partitionsPerGroup: Int = 4, fetchShare: Double = 0.01, staleEvery: Int = 200_000,
                transactionalShare: Double = 0, seed: UInt64 = 7) {
        self.events = events
        self.groups = groups
        self.partitionsPerGroup = partitionsPerGroup
        self.fetchShare = fetchShare
        self.staleEvery = staleEvery
        self.transactionalShare = transactionalShare
        self.seed = seed
    }

    public var description: String {
        "proxy fleet: \(events) events, \(groups) groups × \(partitionsPerGroup) partitions, \(Int(fetchShare * 100))% fetches"
            + (transactionalShare > 0 ? ", \(Int(transactionalShare * 100))% of groups transactional" : "")
    }

    public func generate(_ write: (String) -> Void) {
        var random = SplitMix64(seed: seed)
        var text = "{\"ev\":\"meta\",\"format\":\"commitcheck/1\",\"clock\":\"monotonic\"}\n"
        text.reserveCapacity(1 << 21)
        var clock = 1_000_000
        var committed = [[Int]](repeating: [Int](repeating: 0, count: partitionsPerGroup), count: groups)
        var consumed = committed
        var pending = [Int?](repeating: nil, count: groups)
        let transactional = (0..<groups).map { _ in Double(random.next() % 10_000) < transactionalShare * 10_000 }
        // Per transactional group: its transactions so far, and the step of the open one
        // (0: none open, 1: staged and acked, 2: end sent, 3: end answered).
        var transactions = [Int](repeating: 0, count: groups)
        var step = [Int](repeating: 0, count: groups)
        var commitNumber = 0, fetchNumber = 0
        var written = 0
        let fetchPer10k = Int(fetchShare * 10_000)
        while written < events {
            let group = Int(random.next() % UInt64(groups))
            clock += 1 + Int(random.next() % 1_000)
            let head = "\"proc\":\"proxy\",\"thread\":\"conn-\(group)\",\"ts\":\(clock)"
            let txn = "tid-\(group)@\(group).0#\(transactions[group])"
            if let id = pending[group] {
                text += "{\"ev\":\"ack\",\(head),\"commit\":\"c\(id)\",\"status\":\"ok\"}\n"
                pending[group] = nil
                if transactional[group] { step[group] = 1 }
                written += 1
            } else if step[group] == 1 {
                text += "{\"ev\":\"end\",\(head),\"txn\":\"\(txn)\",\"result\":\"commit\"}\n"
                step[group] = 2
                written += 1
            } else if step[group] == 2 {
                text += "{\"ev\":\"ended\",\(head),\"txn\":\"\(txn)\",\"status\":\"ok\"}\n"
                step[group] = 3
                written += 1
            } else if Int(random.next() % 10_000) < fetchPer10k / 2 {
                // A fetch and its answer: two events, so half as often as the share.
                let names = (0..<partitionsPerGroup).map { "\"t\(group)/\($0)\"" }.joined(separator: ",")
                let values = (0..<partitionsPerGroup).map { "\"t\(group)/\($0)\":\(committed[group][$0])" }.joined(separator: ",")
                text += "{\"ev\":\"fetch\",\(head),\"fetch\":\"f\(fetchNumber)\",\"group\":\"g\(group)\",\"partitions\":[\(names)]}\n"
                clock += 1
                text += "{\"ev\":\"fetched\",\"proc\":\"proxy\",\"thread\":\"conn-\(group)\",\"ts\":\(clock),\"fetch\":\"f\(fetchNumber)\",\"offsets\":{\(values)}}\n"
                fetchNumber += 1
                written += 2
            } else {
                let partition = Int(random.next() % UInt64(partitionsPerGroup))
                consumed[group][partition] += 1 + Int(random.next() % 3)
                var offsets = consumed[group]
                // Below the group's last acked commit (one commit in flight per group): a certain regression.
                if staleEvery > 0 && commitNumber % staleEvery == staleEvery / 2 { offsets[partition] = max(0, committed[group][partition] - 1) }
                let body = (0..<partitionsPerGroup).map { "\"t\(group)/\($0)\":\(offsets[$0])" }.joined(separator: ",")
                var staged = ""
                if transactional[group] {
                    if step[group] == 3 {
                        // The coordinator accepted the next transaction: the previous one completed.
                        text += "{\"ev\":\"completed\",\(head),\"txn\":\"\(txn)\"}\n"
                        clock += 1
                        written += 1
                    }
                    transactions[group] += 1
                    staged = ",\"txn\":\"tid-\(group)@\(group).0#\(transactions[group])\""
                }
                text += "{\"ev\":\"send\",\(head),\"commit\":\"c\(commitNumber)\",\"conn\":\"conn-\(group)\",\"group\":\"g\(group)\",\"offsets\":{\(body)}\(staged)}\n"
                committed[group] = offsets
                pending[group] = commitNumber
                commitNumber += 1
                written += 1
            }
            if text.utf8.count > 1 << 20 {
                write(text)
                text.removeAll(keepingCapacity: true)
            }
        }
        for group in 0..<groups {
            guard let id = pending[group] else { continue }
            clock += 1
            text += "{\"ev\":\"ack\",\"proc\":\"proxy\",\"thread\":\"conn-\(group)\",\"ts\":\(clock),\"commit\":\"c\(id)\",\"status\":\"ok\"}\n"
        }
        write(text)
    }
}
