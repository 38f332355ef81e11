/// The oracle: decides monotonicity by enumerating every schedule of a small history.
///
/// It reads the rules of DESIGN §4 directly off the history, pair by pair, without the order graph,
/// its clock barriers, its FIFO chains or the per-key projection, so that agreeing with it is evidence
/// that those optimisations are exact. Exponential: for histories of about a dozen points at most.
package struct BruteForceEnumerator {
    /// What the enumeration found for one key.
    package enum Outcome: Equatable, Sendable {
        /// No schedule satisfies rules 1–6: the history contradicts itself.
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

    /// Per bad key, how far its committed offset goes back (a drawdown) over the schedules its
    /// verdict is judged on: the most any of them loses, and the least every one loses (0 when
    /// some schedule loses nothing).
    package func regressionSizes() -> [PartitionKey: (largest: Int, least: Int)]? { decideWithSizes()?.sizes }

    /// Both at once, from one enumeration.
    package func decideWithSizes() -> (outcomes: [PartitionKey: Outcome], sizes: [PartitionKey: (largest: Int, least: Int)])? {
        // Points: every non-apply event, one apply point per commit.
        var pointOfEvent = [Int](repeating: -1, count: history.events.count)
        var applyPointOf = [Int](repeating: -1, count: history.commits.count)
        var count = 0
        for index in history.commits.indices { applyPointOf[index] = count; count += 1 }
        var readPointOf = [Int](repeating: -1, count: history.fetches.count)
        for index in history.fetches.indices { readPointOf[index] = count; count += 1 }
        for (index, event) in history.events.enumerated() {
            if case .apply(let id) = event.payload, let commit = history.commitIndex[id] {
                pointOfEvent[index] = applyPointOf[commit]
            } else {
                pointOfEvent[index] = count
                count += 1
            }
        }
        var before = [[Bool]](repeating: [Bool](repeating: false, count: count), count: count)
        // Two `apply` events of one commit are one point: nothing to order between them (with an
        // event in between, `apply c, x, apply c` still forms a cycle through x).
        func require(_ a: Int, _ b: Int) { if a != b { before[a][b] = true } }
        let events = history.events
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
        // Rule 3: causality.
        for (index, commit) in history.commits.enumerated() {
            let apply = applyPointOf[index]
            let build = commit.build.map { pointOfEvent[$0] }
            let send = commit.send.map { pointOfEvent[$0] }
            let ack = commit.ack.map { pointOfEvent[$0] }
            if let build, let send { require(build, send) }
            if let send { require(send, apply) } else if let build { require(build, apply) }
            if let ack {
                if let send { require(send, ack) } else if let build { require(build, ack) }
                // An `unknown` response does not bound the apply point (DESIGN §4 rule 3).
                if let event = commit.ack, case .ack(_, let status, _) = events[event].payload, status != .unknown { require(apply, ack) }
            }
        }
        for (index, fetch) in history.fetches.enumerated() {
            if let issued = fetch.fetch { require(pointOfEvent[issued], readPointOf[index]) }
            if let answered = fetch.fetched { require(readPointOf[index], pointOfEvent[answered]) }
        }
        // Rule 4 is checked on each complete schedule.
        var fifoPairs: [(sendA: Int, sendB: Int, applyA: Int, applyB: Int)] = []
        for a in history.commits.indices {
            for b in history.commits.indices where a < b {
                guard let sa = history.commits[a].send, let sb = history.commits[b].send,
                      case .send(_, let ca?, _) = events[sa].payload, case .send(_, let cb?, _) = events[sb].payload,
                      ca == cb, events[sa].proc == events[sb].proc else { continue }
                fifoPairs.append((pointOfEvent[sa], pointOfEvent[sb], applyPointOf[a], applyPointOf[b]))
            }
        }
        let keys = history.keys

        // Per key: which commits may apply, which must.
        struct KeyCommits { var apply: [Int]; var offset: [Int]; var certain: [Bool]; var initial: Int?; var reads: [(point: Int, value: Int)] }
        let perKey: [KeyCommits] = keys.map { key in
            var result = KeyCommits(apply: [], offset: [], certain: [], initial: history.initialOffset(of: key), reads: [])
            for (index, fetch) in history.fetches.enumerated() where fetch.group == key.group && fetch.fetched != nil {
                if let value = fetch.results.first(where: { $0.0 == key.partition })?.1 { result.reads.append((readPointOf[index], value)) }
            }
            for (index, commit) in history.commits.enumerated() where commit.group == key.group {
                guard let offset = commit.offset(for: key.partition) else { continue }
                let status = history.applyStatus(of: index, on: key.partition)
                if status == .notApplied { continue }
                result.apply.append(applyPointOf[index])
                result.offset.append(offset)
                result.certain.append(status == .applied)
            }
            return result
        }
        // Keys linked through a shared commit or fetch form components; where a component has
        // reads, its keys are judged over the schedules that explain every read of the component
        // (DESIGN §4: one apply point per commit, one read point per fetch, across partitions).
        var componentOf = Array(keys.indices)
        func root(_ k: Int) -> Int {
            var k = k
            while componentOf[k] != k { k = componentOf[k] }
            return k
        }
        let keyIndex = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, $0) })
        func link(_ partitions: [TopicPartition], group: String) {
            let members = partitions.compactMap { keyIndex[PartitionKey(group: group, partition: $0)] }
            for other in members.dropFirst() {
                let a = root(members[0]), b = root(other)
                if a != b { componentOf[b] = a }
            }
        }
        for commit in history.commits { link(commit.offsets.map(\.0), group: commit.group) }
        for fetch in history.fetches where fetch.fetched != nil { link(fetch.results.map(\.0), group: fetch.group) }
        struct Component { var keys: [Int] = []; var uncertain: [(key: Int, entry: Int)] = []; var hasReads = false }
        var componentByRoot: [Int: Int] = [:]
        var components: [Component] = []
        for index in keys.indices {
            let r = root(index)
            if componentByRoot[r] == nil { componentByRoot[r] = components.count; components.append(Component()) }
            let c = componentByRoot[r]!
            components[c].keys.append(index)
            if !perKey[index].reads.isEmpty { components[c].hasReads = true }
            for entry in perKey[index].certain.indices where !perKey[index].certain[entry] { components[c].uncertain.append((index, entry)) }
        }
        var canRegress = [Bool](repeating: false, count: keys.count)
        var canAvoid = [Bool](repeating: false, count: keys.count)
        // The same, over schedules whose reads are all explained (rule 7), per component.
        var readable = [Bool](repeating: false, count: components.count)
        var canRegressReading = [Bool](repeating: false, count: keys.count)
        var canAvoidReading = [Bool](repeating: false, count: keys.count)
        // Drawdowns: the most any schedule loses and the least every one loses, without and with reads.
        var largest = [Int](repeating: 0, count: keys.count), least = [Int](repeating: Int.max, count: keys.count)
        var largestReading = [Int](repeating: 0, count: keys.count), leastReading = [Int](repeating: Int.max, count: keys.count)
        var anySchedule = false
        var visited = 0
        var position = [Int](repeating: -1, count: count)
        var placed = 0
        // Unplaced predecessors per point, so that readiness is one comparison.
        var successors = [[Int]](repeating: [], count: count)
        var waiting = [Int](repeating: 0, count: count)
        for a in 0..<count {
            for b in 0..<count where before[a][b] {
                successors[a].append(b)
                waiting[b] += 1
            }
        }

        /// Whether the reads fit this schedule with exactly the commits in `applied` taking effect.
        func explainsReads(_ key: KeyCommits, applied: [Bool]) -> Bool {
            var initialSeen: Int? = nil
            for read in key.reads {
                var last: Int? = nil
                var lastPosition = -1
                for index in key.apply.indices where applied[index] && position[key.apply[index]] < position[read.point] && position[key.apply[index]] > lastPosition {
                    last = key.offset[index]
                    lastPosition = position[key.apply[index]]
                }
                if let last {
                    if last != read.value { return false }
                } else if let initial = key.initial {
                    if initial != read.value { return false }
                } else {
                    if let seen = initialSeen, seen != read.value { return false }
                    initialSeen = read.value
                }
            }
            return true
        }

        func regresses(_ key: KeyCommits, applied: [Bool]) -> Bool {
            let order = key.apply.indices.filter { applied[$0] }.sorted { position[key.apply[$0]] < position[key.apply[$1]] }
            var current = key.initial
            for index in order {
                if let value = current, key.offset[index] < value { return true }
                current = key.offset[index]
            }
            return false
        }

        func drawdown(_ key: KeyCommits, applied: [Bool]) -> Int {
            let order = key.apply.indices.filter { applied[$0] }.sorted { position[key.apply[$0]] < position[key.apply[$1]] }
            var peak = key.initial
            var loss = 0
            for index in order {
                if let high = peak { loss = max(loss, high - key.offset[index]) }
                peak = max(peak ?? Int.min, key.offset[index])
            }
            return loss
        }

        func regresses(_ key: KeyCommits, certainOnly: Bool) -> Bool {
            let order = key.apply.indices.filter { !certainOnly || key.certain[$0] }.sorted { position[key.apply[$0]] < position[key.apply[$1]] }
            var current = key.initial
            for index in order {
                if let value = current, key.offset[index] < value { return true }
                current = key.offset[index]
            }
            return false
        }

        func extend() -> Bool {
            visited += 1
            if visited > limit { return false }
            if placed == count {
                for pair in fifoPairs where (position[pair.sendA] < position[pair.sendB]) != (position[pair.applyA] < position[pair.applyB]) {
                    return true
                }
                anySchedule = true
                for (index, key) in perKey.enumerated() {
                    if regresses(key, certainOnly: false) { canRegress[index] = true }
                    if !regresses(key, certainOnly: true) { canAvoid[index] = true }
                    // Applying more commits can only lose more: all of them for the most, the certain ones for the least.
                    largest[index] = max(largest[index], drawdown(key, applied: key.certain.map { _ in true }))
                    least[index] = min(least[index], drawdown(key, applied: key.certain))
                }
                for (componentIndex, component) in components.enumerated() where component.hasReads {
                    // Reads depend on exactly which uncertain commits applied, on every key of the
                    // component at once: try every choice.
                    for mask in 0..<(1 << component.uncertain.count) {
                        var applied: [Int: [Bool]] = [:]
                        for key in component.keys { applied[key] = perKey[key].certain }
                        for (bit, entry) in component.uncertain.enumerated() where mask & (1 << bit) != 0 { applied[entry.key]![entry.entry] = true }
                        guard component.keys.allSatisfy({ explainsReads(perKey[$0], applied: applied[$0]!) }) else { continue }
                        readable[componentIndex] = true
                        for key in component.keys {
                            if regresses(perKey[key], applied: applied[key]!) { canRegressReading[key] = true } else { canAvoidReading[key] = true }
                            let loss = drawdown(perKey[key], applied: applied[key]!)
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
            let linearizable: Verdict? = perKey[index].reads.isEmpty ? nil : (readable[component] ? .holds : .violated)
            if components[component].hasReads && readable[component] {
                result[key] = .verdict(verdict(canRegressReading[index], canAvoidReading[index]), linearizable: linearizable)
                if canRegressReading[index] { sizes[key] = (largestReading[index], leastReading[index]) }
            } else {
                // No reads, or reads that no schedule explains: monotonic is judged on rules 1-6 alone (DESIGN §5).
                result[key] = .verdict(verdict(canRegress[index], canAvoid[index]), linearizable: linearizable)
                if canRegress[index] { sizes[key] = (largest[index], least[index]) }
            }
        }
        return (result, sizes)
    }
}
