/// The fast path: decides a key from the partial order alone, when no FIFO choice is open.
///
/// With only precedence edges, the consistent schedules are exactly the linear extensions of a
/// partial order, and any two unordered points can go either way. So: `violated` iff two certainly
/// applied commits are forced into decreasing order; `holds` iff every pair of different offsets is
/// forced into increasing order; otherwise `possible`. Both sweeps are linear in the problem.
public enum GraphDecider {
    /// Decides the key, or returns `nil` when FIFO choices make the order more than a partial order.
    public static func decide(_ problem: OrderProblem) -> Decision? {
        guard problem.choices.isEmpty else { return nil }
        let count = problem.commits.count
        guard count > 0 else { return Decision(verdict: .holds, reason: "no commit applies to this key", engine: "graph") }
        let graph = SlotGraph(problem)

        // Forced decreases: the largest offset certainly (or possibly) applied before each slot.
        var bestCertain = [(offset: Int, slot: Int)?](repeating: nil, count: count)
        var bestAny = [(offset: Int, slot: Int)?](repeating: nil, count: count)
        var forcedCertain: (Int, Int)? = nil
        var forcedAny: (Int, Int)? = nil
        for slot in graph.order {
            let commit = problem.commits[slot]
            if let before = bestCertain[slot], commit.status == .applied, before.offset > commit.offset, forcedCertain == nil {
                forcedCertain = (before.slot, slot)
            }
            if let before = bestAny[slot], before.offset > commit.offset, forcedAny == nil {
                forcedAny = (before.slot, slot)
            }
            var certainOut = bestCertain[slot]
            if commit.status == .applied, (certainOut?.offset ?? Int.min) < commit.offset { certainOut = (commit.offset, slot) }
            var anyOut = bestAny[slot]
            if (anyOut?.offset ?? Int.min) < commit.offset { anyOut = (commit.offset, slot) }
            for next in graph.successors[slot] {
                if let certainOut, (bestCertain[next]?.offset ?? Int.min) < certainOut.offset { bestCertain[next] = certainOut }
                if let anyOut, (bestAny[next]?.offset ?? Int.min) < anyOut.offset { bestAny[next] = anyOut }
            }
        }
        if let initial = problem.initial,
           let below = graph.order.first(where: { problem.commits[$0].status == .applied && problem.commits[$0].offset < initial }) {
            return decision(.violated, problem, graph, pair: (nil, below),
                            reason: "offset \(problem.commits[below].offset) certainly applies below the initial offset \(initial)")
        }
        if let (earlier, later) = forcedCertain {
            return decision(.violated, problem, graph, pair: (earlier, later),
                            reason: "the history forces \(problem.commits[earlier].offset) to apply before \(problem.commits[later].offset)")
        }
        if let initial = problem.initial,
           let below = graph.order.first(where: { problem.commits[$0].offset < initial }) {
            return decision(.possible, problem, graph, pair: (nil, below),
                            reason: "offset \(problem.commits[below].offset) may apply below the initial offset \(initial)")
        }
        if let (earlier, later) = forcedAny {
            return decision(.possible, problem, graph, pair: (earlier, later),
                            reason: "\(problem.commits[earlier].offset) is applied before \(problem.commits[later].offset) whenever both apply, and either may not")
        }
        // No forced decrease: it holds iff consecutive offset groups are forced into increasing order.
        let byOffset = (0..<count).sorted { (problem.commits[$0].offset, $0) < (problem.commits[$1].offset, $1) }
        var groups: [[Int]] = []
        for slot in byOffset {
            if let last = groups.last?.last, problem.commits[last].offset == problem.commits[slot].offset {
                groups[groups.count - 1].append(slot)
            } else {
                groups.append([slot])
            }
        }
        var search = SlotSearch(count: count)
        for index in groups.indices.dropLast() {
            for lower in groups[index] {
                for higher in groups[index + 1] where !search.reaches(lower, higher, graph) {
                    return decision(.possible, problem, graph, pair: (higher, lower),
                                    reason: "nothing orders offset \(problem.commits[higher].offset) after \(problem.commits[lower].offset)")
                }
            }
        }
        return Decision(verdict: .holds, reason: "every pair of different offsets is forced into increasing order", engine: "graph")
    }

    /// A bad verdict with a witness: a linear extension with the regressing pair in that order.
    private static func decision(_ verdict: Verdict, _ problem: OrderProblem, _ graph: SlotGraph,
                                 pair: (Int?, Int), reason: String) -> Decision {
        var extra: [(Int, Int)] = []
        if let earlier = pair.0 { extra.append((earlier, pair.1)) }
        let witness = graph.linearExtension(adding: extra, positions: problem.positions)
        var applied = Set(problem.commits.indices.filter { problem.commits[$0].status == .applied })
        if let earlier = pair.0 { applied.insert(earlier) }
        applied.insert(pair.1)
        return Decision(verdict: verdict, reason: reason, engine: "graph", regression: (pair.0, pair.1),
                        witness: witness, witnessApplied: applied)
    }
}

/// Adjacency of a problem's commit slots, with a topological order.
struct SlotGraph {
    var successors: [[Int]]
    var predecessorCount: [Int]
    var order: [Int]
    var positions: [Int32]

    init(_ problem: OrderProblem) {
        let count = problem.points.count
        successors = [[Int]](repeating: [], count: count)
        predecessorCount = [Int](repeating: 0, count: count)
        for (from, to) in problem.edges {
            successors[Int(from)].append(Int(to))
            predecessorCount[Int(to)] += 1
        }
        positions = problem.positions
        let positions = problem.positions
        order = (0..<count).sorted { positions[$0] < positions[$1] }
    }

    /// Kahn's algorithm with extra edges, preferring the original topological positions.
    func linearExtension(adding extra: [(Int, Int)], positions: [Int32]) -> [Int]? {
        var indegree = predecessorCount
        var successors = self.successors
        for (from, to) in extra {
            successors[from].append(to)
            indegree[to] += 1
        }
        var heap = MinHeap<(Int32, Int)>(by: { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) })
        for slot in indegree.indices where indegree[slot] == 0 { heap.push((positions[slot], slot)) }
        var result: [Int] = []
        while let (_, slot) = heap.pop() {
            result.append(slot)
            for next in successors[slot] {
                indegree[next] -= 1
                if indegree[next] == 0 { heap.push((positions[next], next)) }
            }
        }
        return result.count == indegree.count ? result : nil
    }
}

/// Reachability between slots, pruned by topological position.
struct SlotSearch {
    private var mark: [UInt32]
    private var generation: UInt32 = 0
    private var stack: [Int] = []

    init(count: Int) { mark = [UInt32](repeating: 0, count: count) }

    mutating func reaches(_ from: Int, _ to: Int, _ graph: SlotGraph) -> Bool {
        let limit = graph.positions[to]
        guard graph.positions[from] < limit else { return false }
        generation += 1
        stack.removeAll(keepingCapacity: true)
        stack.append(from)
        mark[from] = generation
        while let slot = stack.popLast() {
            for next in graph.successors[slot] {
                if next == to { return true }
                if mark[next] == generation || graph.positions[next] > limit { continue }
                mark[next] = generation
                stack.append(next)
            }
        }
        return false
    }
}

/// A binary min-heap; the standard library has none.
struct MinHeap<Element> {
    private var items: [Element] = []
    private let less: (Element, Element) -> Bool

    init(by less: @escaping (Element, Element) -> Bool) { self.less = less }

    var isEmpty: Bool { items.isEmpty }

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
