/// One key's commit, as a point of its order problem.
package struct KeyCommit: Sendable {
    /// Index into ``History/commits``.
    package var commit: Int
    package var offset: Int
    /// `.applied` or `.maybe` (commits that certainly did not apply are left out).
    package var status: ApplyStatus
    /// The slot where the write becomes visible: its own (slot of its order point) for a plain
    /// commit, its transaction's commit point for a staged one.
    package var visibility: Int32
    /// What the write does: its request's own outcome, the transaction still deciding it, the reset mark.
    package var effect: WriteEffect
}

/// A write to another key of the component that one of the problem's reads depends on.
///
/// Its apply point is the commit's one apply point (shared with the key's own commit when the
/// request carries both partitions); whether it applied is decided per partition.
package struct LinkedWrite: Sendable {
    /// Index into ``History/commits``.
    package var commit: Int
    package var partition: TopicPartition
    package var offset: Int
    package var status: ApplyStatus
    package var slot: Int32
    /// Where it becomes visible (its own slot, or its transaction's commit point).
    package var visibility: Int32
    package var effect: WriteEffect
}

/// One fetch result: the register's value at the fetch's read point (rule 7), on the key or on
/// another key linked to it through a shared commit or fetch.
package struct KeyRead: Sendable {
    /// Index into ``History/fetches``.
    package var fetch: Int
    /// The slot of the read point.
    package var slot: Int32
    /// The value returned (`-1`: no committed offset).
    package var value: Int
    /// The partition read (of the problem's group).
    package var partition: TopicPartition
    /// The writes that may explain the value or hide it: below ``OrderProblem/commits``' count, the
    /// key's own commits (by slot); from there on, ``OrderProblem/linkedWrites`` (minus that count).
    package var writers: [Int]
    /// A certainly applied commit of the read key is forced before the read: it cannot see the initial value.
    package var certainBefore: Bool
    /// The read key's initial offset (`meta.initial`); `nil`: one unknown value shared by its reads.
    package var initial: Int?
}

/// Everything needed to decide one key: its apply points and the order the history forces on them.
///
/// The edges are the partial order of the whole history projected onto the key's points (plus the
/// points of open FIFO choices, and of the reads and linked writes when reads constrain the key):
/// every order of these points that respects the edges extends to a schedule of the whole history,
/// so deciding the small problem decides the key exactly.
package struct OrderProblem: Sendable {
    package var key: PartitionKey
    /// Graph points per slot. Slots `0..<commits.count` are the key's commits' apply points.
    package var points: [Int32]
    package var commits: [KeyCommit]
    /// Fetch results of the key's component that every schedule must explain (rule 7).
    package var reads: [KeyRead] = []
    /// Writes to other keys that ``reads`` depend on.
    package var linkedWrites: [LinkedWrite] = []
    /// `a` must come before `b` (slots).
    package var edges: [(Int32, Int32)]
    /// Open FIFO choices, as slots: (first send, second send, first apply, second apply).
    package var choices: [(Int32, Int32, Int32, Int32)]
    /// The key's initial offset (`meta.initial`), which a lower applied offset would regress from.
    package var initial: Int?
    /// Each slot's position in the graph's topological order: a linear extension of ``edges``.
    package var positions: [Int32]
    /// Some write is staged, pending a transaction, or a reset: the plain rule "a later apply of a
    /// lower offset" is not the whole model, and the general one (order and visibility points, epochs) decides.
    package var needsGeneralModel: Bool {
        commits.contains { $0.effect.pendingTransaction != nil || $0.effect.reset }
            || commits.indices.contains { Int(commits[$0].visibility) != $0 }
            || linkedWrites.contains { $0.effect.pendingTransaction != nil || $0.visibility != $0.slot }
    }

    /// Builds the key's problem with no reads; `projecting: false` leaves ``edges`` empty until
    /// ``project(graph:)`` (the fast path asks ``HappensBefore`` instead, which is cheaper on long traces).
    package init(key: PartitionKey, history: History, graph: OrderGraph, projecting: Bool = true) {
        let members = history.membersByKey()[key] ?? ([], [])
        self.init(key: key, history: history, graph: graph, commits: members.commits, reads: [], projecting: projecting)
    }

    /// Builds the key's problem from the commits known to touch it (``History/membersByKey()``) and
    /// the placed reads of its component that the schedules must explain.
    package init(key: PartitionKey, history: History, graph: OrderGraph, commits commitIndices: [Int], reads placements: [ReadPlacement],
         projecting: Bool = true) {
        self.key = key
        initial = history.initialOffset(of: key)
        var commits: [KeyCommit] = []
        var points: [Int32] = []
        var ownSlot: [Int: Int] = [:]
        for index in commitIndices {
            let commit = history.commits[index]
            guard commit.group == key.group, let offset = commit.offset(for: key.partition) else { continue }
            let effect = history.effect(of: index, on: key.partition)
            guard effect.status != .notApplied else { continue }
            if !placements.isEmpty { ownSlot[index] = commits.count }
            commits.append(KeyCommit(commit: index, offset: offset, status: effect.status, visibility: Int32(commits.count), effect: effect))
            points.append(graph.applyPoint[index])
        }
        var slotOf: [Int32: Int32] = [:]
        let staged = !history.transactions.isEmpty
        if !graph.choices.isEmpty || !placements.isEmpty || staged {
            for (slot, point) in points.enumerated() where slotOf[point] == nil { slotOf[point] = Int32(slot) }
        }
        func slot(for point: Int32) -> Int32 {
            if let known = slotOf[point] { return known }
            let slot = Int32(points.count)
            points.append(point)
            slotOf[point] = slot
            return slot
        }
        if staged {
            for position in commits.indices where history.commits[commits[position].commit].transaction != nil {
                commits[position].visibility = slot(for: graph.visibilityPoint[commits[position].commit])
            }
        }
        var linked: [LinkedWrite] = []
        var linkedIndex: [PartitionKey: [Int: Int]] = [:]
        for placement in placements {
            // One read point per fetch, whichever partitions it returns.
            let readSlot = slot(for: placement.point)
            var writers: [Int] = []
            for commit in placement.writers {
                if placement.key == key, let own = ownSlot[commit] {
                    writers.append(own)
                } else if let known = linkedIndex[placement.key]?[commit] {
                    writers.append(commits.count + known)
                } else {
                    let effect = history.effect(of: commit, on: placement.key.partition)
                    guard effect.status != .notApplied, let offset = history.commits[commit].offset(for: placement.key.partition) else { continue }
                    linkedIndex[placement.key, default: [:]][commit] = linked.count
                    writers.append(commits.count + linked.count)
                    let own = slot(for: graph.applyPoint[commit])
                    linked.append(LinkedWrite(commit: commit, partition: placement.key.partition, offset: offset, status: effect.status,
                                              slot: own, visibility: slot(for: graph.visibilityPoint[commit]), effect: effect))
                }
            }
            reads.append(KeyRead(fetch: placement.fetch, slot: readSlot, value: placement.value, partition: placement.key.partition,
                                 writers: writers, certainBefore: placement.certainBefore,
                                 initial: history.initialOffset(of: placement.key)))
        }
        var choices: [(Int32, Int32, Int32, Int32)] = []
        if !commits.isEmpty || !reads.isEmpty {
            for choice in graph.choices {
                let slots = [choice.firstSend, choice.secondSend, choice.firstApply, choice.secondApply].map(slot(for:))
                choices.append((slots[0], slots[1], slots[2], slots[3]))
            }
        }
        self.commits = commits
        self.linkedWrites = linked
        self.points = points
        self.choices = choices
        self.edges = []
        self.positions = points.map { graph.topologicalPosition[Int($0)] }
        if projecting { project(graph: graph) }
    }

    /// The same problem over only the commits a solver needs: those in a pair that can apply in
    /// decreasing order (or below the initial offset) and those a read may see. A commit outside
    /// both changes no verdict; keeping the others' order only through the projection, which stays
    /// exact. Long chains of ordered commits are what makes Z3's difference-logic core slow (its
    /// cost grows with the square of the variables), so this is where long ordered keys shrink.
    func pruned(graph: OrderGraph) -> OrderProblem {
        var full = self
        if full.edges.isEmpty { full.project(graph: graph) }
        let count = commits.count
        // Which writes a staged or reset write can hide or expose is the general model's question:
        // nothing is pruned there.
        guard count > 2, !needsGeneralModel else { return full }
        let closure = SlotClosure(full)
        var keep = [Bool](repeating: false, count: count)
        for read in reads { for writer in read.writers where writer < count { keep[writer] = true } }
        // Slots shared with a linked write or a FIFO choice stay too.
        for write in linkedWrites where Int(write.slot) < count { keep[Int(write.slot)] = true }
        for choice in choices {
            for slot in [choice.0, choice.1, choice.2, choice.3] where Int(slot) < count { keep[Int(slot)] = true }
        }
        if let initial { for slot in 0..<count where commits[slot].offset < initial { keep[slot] = true } }
        for x in 0..<count {
            for y in 0..<count where commits[x].offset > commits[y].offset && !closure.precedes(y, x) {
                keep[x] = true
                keep[y] = true
            }
        }
        let kept = (0..<count).filter { keep[$0] }
        guard kept.count < count else { return full }
        var newIndex = [Int](repeating: -1, count: count)
        for (index, slot) in kept.enumerated() { newIndex[slot] = index }
        var result = self
        result.commits = kept.map { commits[$0] }
        // Points: the kept commits first, then every other slot as it was (reads, linked writes, choices).
        var newSlot = [Int32](repeating: -1, count: points.count)
        var newPoints: [Int32] = kept.map { points[$0] }
        for (index, slot) in kept.enumerated() { newSlot[slot] = Int32(index) }
        for slot in count..<points.count {
            newSlot[slot] = Int32(newPoints.count)
            newPoints.append(points[slot])
        }
        let shift = kept.count - count
        result.points = newPoints
        result.reads = reads.map { read in
            var moved = read
            moved.slot = newSlot[Int(read.slot)]
            moved.writers = read.writers.map { $0 < count ? newIndex[$0] : $0 + shift }
            return moved
        }
        result.commits = result.commits.enumerated().map { index, commit in
            var moved = commit
            moved.visibility = Int32(index)
            return moved
        }
        result.linkedWrites = linkedWrites.map { write in
            var moved = write
            moved.slot = newSlot[Int(write.slot)]
            moved.visibility = newSlot[Int(write.visibility)]
            return moved
        }
        result.choices = choices.map { (newSlot[Int($0.0)], newSlot[Int($0.1)], newSlot[Int($0.2)], newSlot[Int($0.3)]) }
        result.positions = newPoints.map { graph.topologicalPosition[Int($0)] }
        result.edges = []
        result.project(graph: graph)
        return result
    }

    /// The write a read's writer index names: its order and visibility slots, offset, status, commit and effect.
    func write(_ writer: Int) -> (slot: Int32, offset: Int, status: ApplyStatus, commit: Int, visibility: Int32, effect: WriteEffect) {
        if writer < commits.count {
            let commit = commits[writer]
            return (Int32(writer), commit.offset, commit.status, commit.commit, commit.visibility, commit.effect)
        }
        let write = linkedWrites[writer - commits.count]
        return (write.slot, write.offset, write.status, write.commit, write.visibility, write.effect)
    }

    /// Fills ``edges`` with the projection of the graph's order onto the slots.
    package mutating func project(graph: OrderGraph) {
        var slotOf: [Int32: Int32] = [:]
        for (slot, point) in points.enumerated() where slotOf[point] == nil { slotOf[point] = Int32(slot) }
        edges = Self.project(points: points, slotOf: slotOf, graph: graph)
    }

    /// The first-hit projection: for each slot, the slots reachable without passing another slot.
    ///
    /// Their transitive closure is the projection of the whole partial order onto the slots, and
    /// there are few of them (about one per concurrent thread), unlike the closure itself.
    static func project(points: [Int32], slotOf: [Int32: Int32], graph: OrderGraph) -> [(Int32, Int32)] {
        guard points.count > 1 else { return [] }
        let positions = points.map { Int(graph.topologicalPosition[Int($0)]) }
        let low = positions.min()!, high = positions.max()!
        var firstHits = [[Int32]](repeating: [], count: high - low + 1)
        var slotAt = [Int32](repeating: -1, count: high - low + 1)
        for (slot, position) in positions.enumerated() { slotAt[position - low] = Int32(slot) }
        var edges: [(Int32, Int32)] = []
        var scratch: [Int32] = []
        for position in stride(from: high, through: low, by: -1) {
            let point = graph.topologicalOrder[position]
            scratch.removeAll(keepingCapacity: true)
            for next in graph.successors(of: point) {
                let nextPosition = Int(graph.topologicalPosition[Int(next)])
                guard nextPosition <= high else { continue }
                let slot = slotAt[nextPosition - low]
                if slot >= 0 { scratch.append(slot) } else { scratch.append(contentsOf: firstHits[nextPosition - low]) }
            }
            if scratch.count > 1 {
                scratch.sort()
                var unique = 0
                for index in scratch.indices where index == 0 || scratch[index] != scratch[index - 1] {
                    scratch[unique] = scratch[index]
                    unique += 1
                }
                scratch.removeLast(scratch.count - unique)
            }
            let slot = slotAt[position - low]
            if slot >= 0 {
                for target in scratch { edges.append((slot, target)) }
            } else {
                firstHits[position - low] = scratch
            }
        }
        return edges
    }
}
