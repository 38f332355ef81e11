/// One key's commit, as a point of its order problem.
public struct KeyCommit: Sendable {
    /// Index into ``History/commits``.
    public var commit: Int
    public var offset: Int
    /// `.applied` or `.maybe` (commits that certainly did not apply are left out).
    public var status: ApplyStatus
}

/// One fetch result for a key: the register's value at the fetch's read point (rule 7).
public struct KeyRead: Sendable {
    /// Index into ``History/fetches``.
    public var fetch: Int
    /// The slot of the read point.
    public var slot: Int32
    /// The value returned (`-1`: no committed offset).
    public var value: Int
}

/// Everything needed to decide one key: its apply points and the order the history forces on them.
///
/// The edges are the partial order of the whole history projected onto the key's points (plus the
/// points of open FIFO choices): every order of these points that respects the edges extends to a
/// schedule of the whole history, so deciding the small problem decides the key exactly.
public struct OrderProblem: Sendable {
    public var key: PartitionKey
    /// Graph points per slot. Slots `0..<commits.count` are the key's commits' apply points.
    public var points: [Int32]
    public var commits: [KeyCommit]
    /// Fetch results for the key, which every schedule must explain (rule 7).
    public var reads: [KeyRead] = []
    /// `a` must come before `b` (slots).
    public var edges: [(Int32, Int32)]
    /// Open FIFO choices, as slots: (first send, second send, first apply, second apply).
    public var choices: [(Int32, Int32, Int32, Int32)]
    /// The key's initial offset (`meta.initial`), which a lower applied offset would regress from.
    public var initial: Int?
    /// Each slot's position in the graph's topological order: a linear extension of ``edges``.
    public var positions: [Int32]

    /// Builds the key's problem; `projecting: false` leaves ``edges`` empty until ``project(graph:)``
    /// (the fast path asks ``HappensBefore`` instead, which is cheaper on long traces).
    public init(key: PartitionKey, history: History, graph: OrderGraph, projecting: Bool = true) {
        let members = history.membersByKey()[key] ?? ([], [])
        self.init(key: key, history: history, graph: graph, commits: members.commits, fetches: members.fetches, projecting: projecting)
    }

    /// Builds the key's problem from the commits and fetches known to touch it (``History/membersByKey()``).
    public init(key: PartitionKey, history: History, graph: OrderGraph, commits commitIndices: [Int], fetches fetchIndices: [Int],
                projecting: Bool = true) {
        self.key = key
        initial = history.initialOffset(of: key)
        var commits: [KeyCommit] = []
        var points: [Int32] = []
        for index in commitIndices {
            let commit = history.commits[index]
            guard commit.group == key.group, let offset = commit.offset(for: key.partition) else { continue }
            let status = history.applyStatus(of: index, on: key.partition)
            guard status != .notApplied else { continue }
            commits.append(KeyCommit(commit: index, offset: offset, status: status))
            points.append(graph.applyPoint[index])
        }
        var slotOf: [Int32: Int32] = [:]
        if !graph.choices.isEmpty {
            for (slot, point) in points.enumerated() { slotOf[point] = Int32(slot) }
        }
        for index in fetchIndices {
            let fetch = history.fetches[index]
            guard fetch.group == key.group, fetch.fetched != nil else { continue }
            guard let value = fetch.results.first(where: { $0.0 == key.partition })?.1 else { continue }
            let point = graph.readPoint[index]
            slotOf[point] = Int32(points.count)
            reads.append(KeyRead(fetch: index, slot: Int32(points.count), value: value))
            points.append(point)
        }
        var choices: [(Int32, Int32, Int32, Int32)] = []
        if !commits.isEmpty || !reads.isEmpty {
            for choice in graph.choices {
                var slots: [Int32] = []
                for point in [choice.firstSend, choice.secondSend, choice.firstApply, choice.secondApply] {
                    if let slot = slotOf[point] {
                        slots.append(slot)
                    } else {
                        let slot = Int32(points.count)
                        points.append(point)
                        slotOf[point] = slot
                        slots.append(slot)
                    }
                }
                choices.append((slots[0], slots[1], slots[2], slots[3]))
            }
        }
        self.commits = commits
        self.points = points
        self.choices = choices
        self.edges = []
        self.positions = points.map { graph.topologicalPosition[Int($0)] }
        if projecting { project(graph: graph) }
    }

    /// Fills ``edges`` with the projection of the graph's order onto the slots.
    public mutating func project(graph: OrderGraph) {
        var slotOf: [Int32: Int32] = [:]
        for (slot, point) in points.enumerated() { slotOf[point] = Int32(slot) }
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
