/// The fast path: decides a key from the partial order alone, when no FIFO choice or read is open
/// and every write is a plain commit that is not a reset.
///
/// With only precedence edges, the consistent schedules are exactly the linear extensions of a
/// partial order, and any two unordered points can go either way. So: `holds` iff every pair of
/// different offsets is forced into increasing order (it suffices to check neighbouring offset
/// groups); `violated` iff two certainly applied commits are forced into decreasing order (then no
/// schedule avoids it; without such a pair, ordering all certain commits by offset is consistent);
/// otherwise `possible`.
package enum GraphDecider {
    /// Pairs checked one by one below this many commits; above it, a linear sweep over the projection.
    static let pairwiseLimit = 2_000

    /// Decides the key, or returns `nil` when FIFO choices make the order more than a partial order.
    package static func decide(_ problem: OrderProblem, order: HappensBefore, graph: OrderGraph) -> Decision? {
        guard problem.choices.isEmpty, problem.reads.isEmpty else { return nil }
        // Staged writes, pending transactions and resets are the general model's: the order alone
        // proves `holds` when it can; anything else goes to Z3.
        if problem.needsGeneralModel { return provesHoldsInGeneral(problem, order: order) }
        let commits = problem.commits
        let count = commits.count
        guard count > 0 else { return Decision(verdict: .holds, reason: "no commit applies to this key", engine: .graph) }
        let point = { (slot: Int) in problem.points[slot] }

        if let initial = problem.initial {
            if let below = commits.indices.first(where: { commits[$0].status == .applied && commits[$0].offset < initial }) {
                return Decision(verdict: .violated, reason: "offset \(commits[below].offset) certainly applies below the initial offset \(initial)",
                                engine: .graph, regression: (nil, below))
            }
        }
        // Holds iff each offset group is forced before the next one up.
        let byOffset = (0..<count).sorted { (commits[$0].offset, problem.positions[$0]) < (commits[$1].offset, problem.positions[$1]) }
        var groups: [[Int]] = []
        for slot in byOffset {
            if let last = groups.last?.last, commits[last].offset == commits[slot].offset {
                groups[groups.count - 1].append(slot)
            } else {
                groups.append([slot])
            }
        }
        var unordered: (higher: Int, lower: Int)? = nil
        search: for index in groups.indices.dropLast() {
            for lower in groups[index] {
                for higher in groups[index + 1] where !order.precedes(point(lower), point(higher)) {
                    unordered = (higher, lower)
                    break search
                }
            }
        }
        let initialBelow = problem.initial.flatMap { initial in commits.indices.first { commits[$0].offset < initial } }
        if unordered == nil && initialBelow == nil {
            var decision = Decision(verdict: .holds, reason: "every pair of different offsets is forced into increasing order", engine: .graph)
            // The proof: each offset group is forced before the next one up.
            decision.proofFacts = groups.indices.dropLast().flatMap { index in
                groups[index].flatMap { lower in groups[index + 1].map { (lower, $0) } }
            }
            return decision
        }
        // Not a proof: is a decrease among certainly applied commits forced?
        if let (earlier, later) = forcedDecrease(problem, order: order, graph: graph) {
            return Decision(verdict: .violated, reason: "the history forces \(commits[earlier].offset) to apply before \(commits[later].offset)",
                            engine: .graph, regression: (earlier, later))
        }
        if let below = initialBelow {
            return Decision(verdict: .possible, reason: "offset \(commits[below].offset) may apply below the initial offset \(problem.initial!)",
                            engine: .graph, regression: (nil, below))
        }
        let (higher, lower) = unordered!
        let forced = order.precedes(point(higher), point(lower))
        return Decision(verdict: .possible,
                        reason: forced
                            ? "\(commits[higher].offset) applies before \(commits[lower].offset) whenever both apply, and one may not"
                            : "nothing orders offset \(commits[higher].offset) after \(commits[lower].offset)",
                        engine: .graph, regression: (higher, lower))
    }

    /// `holds` under the general model of a write when the order alone rules out every step down:
    /// for each pair with offset(x) > offset(y), y no reset, either y becomes visible at or before x
    /// (so the value never steps from x to y), or y's record is forced before x's (so once x is
    /// visible, y never is the latest). Without a known initial offset below some write. Else nil.
    static func provesHoldsInGeneral(_ problem: OrderProblem, order: HappensBefore) -> Decision? {
        let commits = problem.commits
        if let initial = problem.initial, commits.contains(where: { $0.offset < initial && !$0.effect.reset }) { return nil }
        func atOrBefore(_ a: Int32, _ b: Int32) -> Bool {
            let p = problem.points[Int(a)], q = problem.points[Int(b)]
            return p == q || order.precedes(p, q)
        }
        let holds = Decision(verdict: .holds, reason: "the order alone keeps every later-visible write at or above the earlier ones", engine: .graph)
        // Offset groups, lowest first. Either relation alone is transitive: when each group is at
        // or before the next one up in it, every lower-higher pair is.
        let byOffset = commits.indices.sorted { (commits[$0].offset, problem.positions[$0]) < (commits[$1].offset, problem.positions[$1]) }
        var groups: [[Int]] = []
        for slot in byOffset {
            if let last = groups.last?.last, commits[last].offset == commits[slot].offset { groups[groups.count - 1].append(slot) } else { groups.append([slot]) }
        }
        func chained(_ related: (Int, Int) -> Bool) -> Bool {
            groups.indices.dropLast().allSatisfy { index in groups[index].allSatisfy { lower in groups[index + 1].allSatisfy { related(lower, $0) } } }
        }
        if chained({ atOrBefore(commits[$0].visibility, commits[$1].visibility) }) { return holds }
        if chained({ order.precedes(problem.points[$0], problem.points[$1]) }) { return holds }
        // Else pair by pair, from each pair's lower side.
        guard commits.count <= pairwiseLimit else { return nil }
        for (position, y) in byOffset.enumerated() where !commits[y].effect.reset {
            for x in byOffset[(position + 1)...] where commits[x].offset > commits[y].offset {
                if atOrBefore(commits[y].visibility, commits[x].visibility) || order.precedes(problem.points[y], problem.points[x]) { continue }
                return nil
            }
        }
        return holds
    }

    /// A pair of certainly applied commits forced into decreasing order, if any.
    static func forcedDecrease(_ problem: OrderProblem, order: HappensBefore, graph: OrderGraph) -> (Int, Int)? {
        let certain = problem.commits.indices.filter { problem.commits[$0].status == .applied }
            .sorted { problem.positions[$0] < problem.positions[$1] }
        if certain.count <= pairwiseLimit {
            for (i, x) in certain.enumerated() {
                for y in certain[(i + 1)...] where problem.commits[x].offset > problem.commits[y].offset
                    && order.precedes(problem.points[x], problem.points[y]) {
                    return (x, y)
                }
            }
            return nil
        }
        if order.hasClocks { return forcedDecreaseByChains(problem, certain: certain, order: order) }
        // Long keys without clocks: sweep the projection in topological order, carrying the largest certain offset.
        var projected = problem
        projected.project(graph: graph)
        let slots = SlotGraph(projected)
        var best = [(offset: Int, slot: Int)?](repeating: nil, count: projected.points.count)
        for slot in slots.order {
            let commit = projected.commits[slot]
            if commit.status == .applied, let before = best[slot], before.offset > commit.offset { return (before.slot, slot) }
            var carried = best[slot]
            if commit.status == .applied, (carried?.offset ?? Int.min) < commit.offset { carried = (commit.offset, slot) }
            guard let carried else { continue }
            for next in slots.successors[slot] where (best[next]?.offset ?? Int.min) < carried.offset { best[next] = carried }
        }
        return nil
    }
}

extension GraphDecider {
    /// Forced decreases found chain by chain: `x` precedes `y` iff one of `x`'s exit points on some
    /// chain is at or before `y`, which `y`'s vector clock tells. Per chain, the exits sorted by index
    /// with running maxima of their offsets answer "largest certain offset forced before `y`" by a
    /// binary search: O(commits × chains × log commits) instead of pairs.
    static func forcedDecreaseByChains(_ problem: OrderProblem, certain: [Int], order: HappensBefore) -> (Int, Int)? {
        var perChain = [[(index: Int32, offset: Int, slot: Int)]](repeating: [], count: order.chainCount)
        var slotAt: [Int32: Int] = [:]
        for slot in certain { slotAt[problem.points[slot]] = slot }
        for slot in certain {
            let (exits, detours) = order.exitsAndDetours(of: problem.points[slot])
            for exit in exits {
                perChain[exit.chain].append((exit.index, problem.commits[slot].offset, slot))
            }
            // Reached without touching a chain: no clock shows it, so check those directly.
            for point in detours {
                if let later = slotAt[point], problem.commits[slot].offset > problem.commits[later].offset { return (slot, later) }
            }
        }
        var running = [[(index: Int32, best: Int, slot: Int)]](repeating: [], count: order.chainCount)
        for chain in perChain.indices where !perChain[chain].isEmpty {
            var best = (offset: Int.min, slot: -1)
            for entry in perChain[chain].sorted(by: { $0.index < $1.index }) {
                if entry.offset > best.offset { best = (entry.offset, entry.slot) }
                running[chain].append((entry.index, best.offset, best.slot))
            }
        }
        for later in certain {
            let point = problem.points[later]
            for chain in running.indices where !running[chain].isEmpty {
                let reach = order.clock(point, chain: chain)
                // Last entry with index < reach.
                var low = 0, high = running[chain].count
                while low < high {
                    let mid = (low + high) / 2
                    if running[chain][mid].index < reach { low = mid + 1 } else { high = mid }
                }
                guard low > 0 else { continue }
                let entry = running[chain][low - 1]
                if entry.best > problem.commits[later].offset && entry.slot != later { return (entry.slot, later) }
            }
        }
        return nil
    }
}

/// Adjacency of a problem's slots, with a topological order.
struct SlotGraph {
    var successors: [[Int]]
    var order: [Int]

    init(_ problem: OrderProblem) {
        let count = problem.points.count
        successors = [[Int]](repeating: [], count: count)
        for (from, to) in problem.edges { successors[Int(from)].append(Int(to)) }
        let positions = problem.positions
        order = (0..<count).sorted { positions[$0] < positions[$1] }
    }
}
