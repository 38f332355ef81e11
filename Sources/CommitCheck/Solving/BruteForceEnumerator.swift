/// The oracle: decides monotonicity by enumerating every schedule of a small history.
///
/// It reads the rules of DESIGN §4 directly off the history, pair by pair, without the order graph,
/// its clock barriers, its FIFO chains or the per-key projection, so that agreeing with it is evidence
/// that those optimisations are exact. Exponential: for histories of about a dozen points at most.
public struct BruteForceEnumerator {
    /// What the enumeration found for one key.
    public enum Outcome: Equatable, Sendable {
        /// No schedule satisfies rules 1–6: the history contradicts itself.
        case inconsistent
        case verdict(Verdict)
    }

    public let history: History
    /// Schedules visited at most before giving up (`nil` result).
    public var limit = 5_000_000

    public init(history: History) { self.history = history }

    /// Verdicts per key, or `nil` when the history is too large to enumerate within ``limit``.
    public func decide() -> [PartitionKey: Outcome]? {
        // Points: every non-apply event, one apply point per commit.
        var pointOfEvent = [Int](repeating: -1, count: history.events.count)
        var applyPointOf = [Int](repeating: -1, count: history.commits.count)
        var count = 0
        for index in history.commits.indices { applyPointOf[index] = count; count += 1 }
        for (index, event) in history.events.enumerated() {
            if event.kind == .apply {
                pointOfEvent[index] = applyPointOf[history.commitIndex[event.commit!]!]
            } else {
                pointOfEvent[index] = count
                count += 1
            }
        }
        var before = [[Bool]](repeating: [Bool](repeating: false, count: count), count: count)
        var contradictory = false
        func require(_ a: Int, _ b: Int) {
            if a == b { contradictory = true } else { before[a][b] = true }
        }
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
                require(apply, ack)
            }
        }
        // Rule 4 is checked on each complete schedule.
        var fifoPairs: [(sendA: Int, sendB: Int, applyA: Int, applyB: Int)] = []
        for a in history.commits.indices {
            for b in history.commits.indices where a < b {
                guard let sa = history.commits[a].send, let sb = history.commits[b].send,
                      let ca = events[sa].conn, let cb = events[sb].conn,
                      ca == cb, events[sa].proc == events[sb].proc else { continue }
                fifoPairs.append((pointOfEvent[sa], pointOfEvent[sb], applyPointOf[a], applyPointOf[b]))
            }
        }
        let keys = history.keys
        if contradictory { return Dictionary(uniqueKeysWithValues: keys.map { ($0, .inconsistent) }) }

        // Per key: which commits may apply, which must.
        struct KeyCommits { var apply: [Int]; var offset: [Int]; var certain: [Bool]; var initial: Int? }
        let perKey: [KeyCommits] = keys.map { key in
            var result = KeyCommits(apply: [], offset: [], certain: [], initial: history.initialOffset(of: key))
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
        var canRegress = [Bool](repeating: false, count: keys.count)
        var canAvoid = [Bool](repeating: false, count: keys.count)
        var anySchedule = false
        var visited = 0
        var position = [Int](repeating: -1, count: count)
        var placed = 0

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
                }
                return true
            }
            for point in 0..<count where position[point] < 0 {
                var ready = true
                for other in 0..<count where before[other][point] && position[other] < 0 { ready = false; break }
                guard ready else { continue }
                position[point] = placed
                placed += 1
                let keepGoing = extend()
                placed -= 1
                position[point] = -1
                if !keepGoing { return false }
            }
            return true
        }
        guard extend() else { return nil }
        var result: [PartitionKey: Outcome] = [:]
        for (index, key) in keys.enumerated() {
            if !anySchedule { result[key] = .inconsistent; continue }
            switch (canRegress[index], canAvoid[index]) {
            case (true, true): result[key] = .verdict(.possible)
            case (true, false): result[key] = .verdict(.violated)
            case (false, _): result[key] = .verdict(.holds)
            }
        }
        return result
    }
}
