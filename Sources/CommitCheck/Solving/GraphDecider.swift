/// The fast path: decides a key from the partial order alone, when no FIFO choice is open.
///
/// With only precedence edges, the consistent schedules are exactly the linear extensions of a
/// partial order, and any two unordered points can go either way. So: `holds` iff every pair of
/// different offsets is forced into increasing order (it suffices to check neighbouring offset
/// groups); `violated` iff two certainly applied commits are forced into decreasing order (then no
/// schedule avoids it; without such a pair, ordering all certain commits by offset is consistent);
/// otherwise `possible`.
public enum GraphDecider {
    /// Pairs checked one by one below this many commits; above it, a linear sweep over the projection.
    static let pairwiseLimit = 2_000

    /// Decides the key, or returns `nil` when FIFO choices make the order more than a partial order.
    public static func decide(_ problem: OrderProblem, order: HappensBefore, graph: OrderGraph) -> Decision? {
        guard problem.choices.isEmpty, problem.reads.isEmpty else { return nil }
        let commits = problem.commits
        let count = commits.count
        guard count > 0 else { return Decision(verdict: .holds, reason: "no commit applies to this key", engine: "graph") }
        let point = { (slot: Int) in problem.points[slot] }

        if let initial = problem.initial {
            if let below = commits.indices.first(where: { commits[$0].status == .applied && commits[$0].offset < initial }) {
                return Decision(verdict: .violated, reason: "offset \(commits[below].offset) certainly applies below the initial offset \(initial)",
                                engine: "graph", regression: (nil, below))
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
            var decision = Decision(verdict: .holds, reason: "every pair of different offsets is forced into increasing order", engine: "graph")
            // The proof: each offset group is forced before the next one up.
            decision.proofFacts = groups.indices.dropLast().flatMap { index in
                groups[index].flatMap { lower in groups[index + 1].map { (lower, $0) } }
            }
            return decision
        }
        // Not a proof: is a decrease among certainly applied commits forced?
        if let (earlier, later) = forcedDecrease(problem, order: order, graph: graph) {
            return Decision(verdict: .violated, reason: "the history forces \(commits[earlier].offset) to apply before \(commits[later].offset)",
                            engine: "graph", regression: (earlier, later))
        }
        if let below = initialBelow {
            return Decision(verdict: .possible, reason: "offset \(commits[below].offset) may apply below the initial offset \(problem.initial!)",
                            engine: "graph", regression: (nil, below))
        }
        let (higher, lower) = unordered!
        let forced = order.precedes(point(higher), point(lower))
        return Decision(verdict: .possible,
                        reason: forced
                            ? "\(commits[higher].offset) applies before \(commits[lower].offset) whenever both apply, and one may not"
                            : "nothing orders offset \(commits[higher].offset) after \(commits[lower].offset)",
                        engine: "graph", regression: (higher, lower))
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
        // Long keys: sweep the projection in topological order, carrying the largest certain offset.
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

/// A binary min-heap; the standard library has none.
struct MinHeap<Element> {
    private var items: [Element] = []
    private let less: (Element, Element) -> Bool

    init(by less: @escaping (Element, Element) -> Bool) { self.less = less }

    mutating func push(_ item: Element) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard less(items[child], items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Element? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < items.count && less(items[left], items[smallest]) { smallest = left }
            if right < items.count && less(items[right], items[smallest]) { smallest = right }
            if smallest == parent { break }
            items.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }
}
