/// The oracle: decides monotonicity by enumerating every schedule of a small history.
///
/// It reads the rules of specs/system-model.md directly off the events, pair by pair, without the
/// order graph, its clock barriers, its FIFO chains, the per-key projection, and without the
/// history's derived outcomes (``History/effect(of:on:)``, transaction outcomes): it works out from
/// the `ack`, `apply`, `end` and `ended` lines itself which writes may take effect, so that agreeing
/// with it is evidence that those derivations and optimisations are exact. It shares only the key
/// model's concrete evaluator (``CommittedOffsetModel``). Exponential: for histories of about a
/// dozen points and a few uncertain outcomes at most.
package struct BruteForceEnumerator {
    /// What the enumeration found for one key.
    package enum Outcome: Equatable, Sendable {
        /// No schedule satisfies the ordering rules: the history contradicts itself.
        case inconsistent
        /// `monotonic`, and `linearizable` when the key has fetch results.
        case verdict(Verdict, linearizable: Verdict?)
    }

    package let history: History
    /// Schedules visited at most before giving up (`nil` result).
    package var limit = 5_000_000

    package init(history: History) { self.history = history }

    /// Verdicts per key, or `nil` when the history is too large to enumerate within ``limit``.
    package func decide() -> [PartitionKey: Outcome]? { decideWithSizes()?.outcomes }

    /// Whether one write's request took effect on its partition, read off its own lines.
    private enum RequestOutcome { case applied, maybe, none }

    /// One write of one key: a commit's offset for the key, with what decides whether it takes effect.
    private struct KeyWrite {
        var order: Int
        var visible: Int
        var offset: Int
        var reset: Bool
        /// The variable deciding the request (nil: certainly took effect).
        var requestVariable: Int?
        /// The variable of its transaction's outcome (nil: plain, or decided committed).
        var transactionVariable: Int?
    }

    private struct KeyFacts {
        var writes: [KeyWrite] = []
        var initial: Int?
        var reads: [(point: Int, value: Int)] = []
        var variables: Set<Int> = []
    }

    /// Verdicts and, per bad key, how far its committed offset goes back (the most any schedule
    /// loses, the least every one loses), over the schedules its verdict is judged on.
    package func decideWithSizes() -> (outcomes: [PartitionKey: Outcome], sizes: [PartitionKey: (largest: Int, least: Int)])? {
        let events = history.events
        // Transactions and resets, from the lines themselves.
        var commitTxn: [Int: String] = [:]
        var commitReset: [Int: Bool] = [:]
        for (index, commit) in history.commits.enumerated() {
            for event in [commit.build, commit.send].compactMap({ $0 }) {
                if let txn = events[event].txn { commitTxn[index] = txn }
                if events[event].reset { commitReset[index] = true }
            }
            if commit.reset { commitReset[index] = true }   // `--reset-clients` marks it on the history
        }
        var ends: [String: [(result: TransactionResult, event: Int, answer: AckStatus?)]] = [:]
        var completions: [String: [Int]] = [:]
        for (index, event) in events.enumerated() {
            switch event.payload {
            case .end(let end): ends[end.txn, default: []].append((end.result, index, nil))
            case .ended(let ended):
                if var list = ends[ended.txn], !list.isEmpty {
                    list[list.count - 1].answer = ended.status
                    ends[ended.txn] = list
                }
            case .completed(let completed): completions[completed.txn, default: []].append(index)
            default: break
            }
        }
        enum Fate { case committed, aborted, open }
        func fate(_ txn: String) -> Fate {
            let list = ends[txn] ?? []
            if list.contains(where: { $0.result == .commit && $0.answer == .ok }) { return .committed }
            if list.contains(where: { $0.result == .commit && $0.answer != .fail }) { return .open }
            if list.contains(where: { $0.result == .abort || $0.answer == .fail }) { return .aborted }
            return .open
        }

        // Points: one order point per commit, one read point per fetch, one commit point per
        // (transaction, group), and every event but `apply` (which is its commit's order point).
        var count = 0
        let orderPointOf = history.commits.indices.map { _ in defer { count += 1 }; return count }
        var commitPointOf: [String: Int] = [:]   // "txn\u{0}group"
        for (index, commit) in history.commits.enumerated() {
            guard let txn = commitTxn[index] else { continue }
            let name = txn + "\u{0}" + commit.group
            if commitPointOf[name] == nil { commitPointOf[name] = count; count += 1 }
        }
        func visiblePoint(_ commit: Int) -> Int {
            commitTxn[commit].map { commitPointOf[$0 + "\u{0}" + history.commits[commit].group]! } ?? orderPointOf[commit]
        }
        let readPointOf = history.fetches.indices.map { _ in defer { count += 1 }; return count }
        var pointOfEvent = [Int](repeating: -1, count: events.count)
        for (index, event) in events.enumerated() {
            if case .apply(let apply) = event.payload, let commit = history.commitIndex[apply.commit] {
                pointOfEvent[index] = orderPointOf[commit]
            } else {
                pointOfEvent[index] = count
                count += 1
            }
        }
        var before = [[Bool]](repeating: [Bool](repeating: false, count: count), count: count)
        func require(_ a: Int, _ b: Int) { if a != b { before[a][b] = true } }
        for i in events.indices {
            for j in events.indices where i != j {
                let a = events[i], b = events[j]
                // Rule 1: program order.
                if a.proc == b.proc && a.thread == b.thread && i < j { require(pointOfEvent[i], pointOfEvent[j]) }
                // Rule 2: clock order.
                if let ta = a.ts, let tb = b.ts {
                    if a.proc == b.proc && ta < tb { require(pointOfEvent[i], pointOfEvent[j]) }
                    if a.proc != b.proc && history.meta.clock == .wall && ta + history.meta.skewNanoseconds < tb {
                        require(pointOfEvent[i], pointOfEvent[j])
                    }
                }
            }
        }
        // Rule 3: causality (an `unknown` answer does not bound the order point).
        for (index, commit) in history.commits.enumerated() {
            let point = orderPointOf[index]
            let build = commit.build.map { pointOfEvent[$0] }
            let send = commit.send.map { pointOfEvent[$0] }
            if let build, let send { require(build, send) }
            if let send { require(send, point) } else if let build { require(build, point) }
            if let ack = commit.ack {
                if let send { require(send, pointOfEvent[ack]) } else if let build { require(build, pointOfEvent[ack]) }
                if events[ack].status != .unknown { require(point, pointOfEvent[ack]) }
            }
        }
        for (index, fetch) in history.fetches.enumerated() {
            if let issued = fetch.fetch { require(pointOfEvent[issued], readPointOf[index]) }
            if let answered = fetch.fetched { require(readPointOf[index], pointOfEvent[answered]) }
        }
        // Rule 8: staged before the commit point; the first EndTxn asking to commit before it; `completed` after.
        for (index, txn) in commitTxn {
            let commitPoint = visiblePoint(index)
            require(orderPointOf[index], commitPoint)
            if let end = ends[txn]?.first(where: { $0.result == .commit }) { require(pointOfEvent[end.event], commitPoint) }
            for completion in completions[txn] ?? [] { require(commitPoint, pointOfEvent[completion]) }
        }
        // Rule 4 is checked on each complete schedule.
        var fifoPairs: [(sendA: Int, sendB: Int, orderA: Int, orderB: Int)] = []
        for a in history.commits.indices {
            for b in history.commits.indices where a < b {
                guard let sa = history.commits[a].send, let sb = history.commits[b].send,
                      let ca = events[sa].conn, let cb = events[sb].conn, ca == cb, events[sa].proc == events[sb].proc else { continue }
                fifoPairs.append((pointOfEvent[sa], pointOfEvent[sb], orderPointOf[a], orderPointOf[b]))
            }
        }

        // Outcomes, from the lines: rules 3, 5 and 8.
        func request(_ commit: Int, _ partition: TopicPartition) -> RequestOutcome {
            let c = history.commits[commit]
            let observed = !c.applies.isEmpty
            guard let ack = c.ack else { return observed ? .applied : .maybe }
            let failedHere = events[ack].errors?.contains { $0.0 == partition } ?? false
            switch events[ack].status! {
            case .fail: return .none
            case .ok: return failedHere ? .none : .applied
            case .unknown: return failedHere ? .none : observed ? .applied : .maybe
            }
        }
        var variableCount = 0
        var transactionVariable: [String: Int] = [:]
        let keys = history.keys
        let keyIndex = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, $0) })
        var facts = [KeyFacts](repeating: KeyFacts(), count: keys.count)
        for (position, key) in keys.enumerated() {
            facts[position].initial = history.initialOffset(of: key)
            for (index, fetch) in history.fetches.enumerated() where fetch.group == key.group && fetch.fetched != nil {
                if let value = fetch.results.first(where: { $0.0 == key.partition })?.1 { facts[position].reads.append((readPointOf[index], value)) }
            }
        }
        for (index, commit) in history.commits.enumerated() {
            for (partition, offset) in commit.offsets {
                guard let position = keyIndex[PartitionKey(group: commit.group, partition: partition)] else { continue }
                let outcome = request(index, partition)
                if outcome == .none { continue }
                var txnVariable: Int? = nil
                if let txn = commitTxn[index] {
                    switch fate(txn) {
                    case .aborted: continue
                    case .committed: break
                    case .open:
                        if transactionVariable[txn] == nil { transactionVariable[txn] = variableCount; variableCount += 1 }
                        txnVariable = transactionVariable[txn]
                    }
                }
                var requestVariable: Int? = nil
                if outcome == .maybe { requestVariable = variableCount; variableCount += 1 }
                facts[position].writes.append(KeyWrite(order: orderPointOf[index], visible: visiblePoint(index), offset: offset,
                                                       reset: commitReset[index] ?? false,
                                                       requestVariable: requestVariable, transactionVariable: txnVariable))
                for variable in [requestVariable, txnVariable].compactMap({ $0 }) { facts[position].variables.insert(variable) }
            }
        }

        // Components: keys linked through a shared commit, fetch or transaction, judged together where reads are.
        var parent = Array(keys.indices)
        func root(_ k: Int) -> Int {
            var k = k
            while parent[k] != k { k = parent[k] }
            return k
        }
        func link(_ members: [Int]) {
            for other in members.dropFirst() {
                let a = root(members[0]), b = root(other)
                if a != b { parent[b] = a }
            }
        }
        var byTransaction: [String: [Int]] = [:]
        for (index, commit) in history.commits.enumerated() {
            let members = commit.offsets.compactMap { keyIndex[PartitionKey(group: commit.group, partition: $0.0)] }
            link(members)
            if let txn = commitTxn[index] { byTransaction[txn, default: []] += members }
        }
        for members in byTransaction.values { link(members) }
        for fetch in history.fetches where fetch.fetched != nil {
            link(fetch.results.compactMap { keyIndex[PartitionKey(group: fetch.group, partition: $0.0)] })
        }
        struct Component { var keys: [Int] = []; var variables: [Int] = []; var hasReads = false }
        var componentByRoot: [Int: Int] = [:]
        var components: [Component] = []
        for index in keys.indices {
            let r = root(index)
            if componentByRoot[r] == nil { componentByRoot[r] = components.count; components.append(Component()) }
            let c = componentByRoot[r]!
            components[c].keys.append(index)
            if !facts[index].reads.isEmpty { components[c].hasReads = true }
        }
        for c in components.indices {
            components[c].variables = Array(Set(components[c].keys.flatMap { facts[$0].variables })).sorted()
        }

        var canRegress = [Bool](repeating: false, count: keys.count), canAvoid = canRegress
        var readable = [Bool](repeating: false, count: components.count)
        var canRegressReading = canRegress, canAvoidReading = canRegress
        var largest = [Int](repeating: 0, count: keys.count), least = [Int](repeating: Int.max, count: keys.count)
        var largestReading = largest, leastReading = least
        var anySchedule = false
        var visited = 0
        var position = [Int](repeating: -1, count: count)
        var placed = 0
        var successors = [[Int]](repeating: [], count: count)
        var waiting = [Int](repeating: 0, count: count)
        for a in 0..<count {
            for b in 0..<count where before[a][b] {
                successors[a].append(b)
                waiting[b] += 1
            }
        }

        /// The key's writes that take effect under `truth`, as the key model sees them in this schedule.
        func effective(_ key: KeyFacts, _ truth: [Int: Bool]) -> [CommittedOffsetModel.Write] {
            key.writes.filter { write in
                (write.requestVariable.map { truth[$0]! } ?? true) && (write.transactionVariable.map { truth[$0]! } ?? true)
            }.map { CommittedOffsetModel.Write(order: position[$0.order], visible: position[$0.visible], offset: $0.offset, reset: $0.reset) }
        }

        /// Whether every read of the key returns what the register holds at its read point.
        func explainsReads(_ key: KeyFacts, _ writes: [CommittedOffsetModel.Write]) -> Bool {
            let model = CommittedOffsetModel(initial: key.initial)
            var unknownInitial: Int? = nil
            for read in key.reads {
                let seen = model.value(at: position[read.point], writes)
                if seen.write != nil || key.initial != nil {
                    if seen.value != read.value { return false }
                } else {
                    if let earlier = unknownInitial, earlier != read.value { return false }
                    unknownInitial = read.value
                }
            }
            return true
        }

        /// Every assignment of the variables, as a map.
        func assignments(_ variables: [Int]) -> [[Int: Bool]] {
            (0..<(1 << variables.count)).map { mask in
                Dictionary(uniqueKeysWithValues: variables.enumerated().map { ($1, mask & (1 << $0) != 0) })
            }
        }
        let keyAssignments = facts.map { assignments($0.variables.sorted()) }
        let componentAssignments = components.map { $0.hasReads ? assignments($0.variables) : [] }

        func extend() -> Bool {
            visited += 1
            if visited > limit { return false }
            if placed == count {
                for pair in fifoPairs where (position[pair.sendA] < position[pair.sendB]) != (position[pair.orderA] < position[pair.orderB]) {
                    return true
                }
                anySchedule = true
                for (index, key) in facts.enumerated() {
                    let model = CommittedOffsetModel(initial: key.initial)
                    for truth in keyAssignments[index] {
                        let writes = effective(key, truth)
                        if model.regresses(writes) { canRegress[index] = true } else { canAvoid[index] = true }
                        let loss = model.drawdown(writes)
                        largest[index] = max(largest[index], loss)
                        least[index] = min(least[index], loss)
                    }
                }
                for (componentIndex, component) in components.enumerated() where component.hasReads {
                    for truth in componentAssignments[componentIndex] {
                        let writes = component.keys.map { effective(facts[$0], truth) }
                        guard component.keys.indices.allSatisfy({ explainsReads(facts[component.keys[$0]], writes[$0]) }) else { continue }
                        readable[componentIndex] = true
                        for (member, key) in component.keys.enumerated() {
                            let model = CommittedOffsetModel(initial: facts[key].initial)
                            if model.regresses(writes[member]) { canRegressReading[key] = true } else { canAvoidReading[key] = true }
                            let loss = model.drawdown(writes[member])
                            largestReading[key] = max(largestReading[key], loss)
                            leastReading[key] = min(leastReading[key], loss)
                        }
                    }
                }
                return true
            }
            for point in 0..<count where position[point] < 0 && waiting[point] == 0 {
                position[point] = placed
                placed += 1
                for next in successors[point] { waiting[next] -= 1 }
                let keepGoing = extend()
                for next in successors[point] { waiting[next] += 1 }
                placed -= 1
                position[point] = -1
                if !keepGoing { return false }
            }
            return true
        }
        guard extend() else { return nil }
        var result: [PartitionKey: Outcome] = [:]
        var sizes: [PartitionKey: (largest: Int, least: Int)] = [:]
        for (index, key) in keys.enumerated() {
            if !anySchedule { result[key] = .inconsistent; continue }
            func verdict(_ regress: Bool, _ avoid: Bool) -> Verdict {
                regress ? (avoid ? .possible : .violated) : .holds
            }
            let component = componentByRoot[root(index)]!
            let linearizable: Verdict? = facts[index].reads.isEmpty ? nil : (readable[component] ? .holds : .violated)
            if components[component].hasReads && readable[component] {
                result[key] = .verdict(verdict(canRegressReading[index], canAvoidReading[index]), linearizable: linearizable)
                if canRegressReading[index] { sizes[key] = (largestReading[index], leastReading[index]) }
            } else {
                // No reads, or reads that no schedule explains: monotonic is judged without the reads (specs/verdicts.md).
                result[key] = .verdict(verdict(canRegress[index], canAvoid[index]), linearizable: linearizable)
                if canRegress[index] { sizes[key] = (largest[index], least[index]) }
            }
        }
        return (result, sizes)
    }
}
