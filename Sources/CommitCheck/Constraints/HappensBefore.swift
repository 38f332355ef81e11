/// Answers "must `a` come before `b`?" for any two points of a history, computed once.
///
/// Vector clocks over the graph's chains (threads, FIFO-fixed connections, wall-clock barriers):
/// for each point, the furthest index on every chain that precedes or equals it. A query on a chain
/// point is then one comparison; a point off every chain (an apply point, a read, a barrier) asks its
/// few successors instead. When points × chains would not fit in memory (a proxy's thousands of
/// FIFO connections), only the longest chains get clocks and the points of the others count as off
/// every chain; with no chain at all, queries fall back to a depth-first search pruned by
/// topological position.
package struct HappensBefore: Sendable {
    private let graph: OrderGraph
    /// How many chains index the clocks.
    let chainCount: Int
    /// `clocks[point * chainCount + chain]` = 1 + the furthest index of `chain` that is ≤ point (0: none).
    private let clocks: [Int32]
    private let chainOfPoint: [Int32]
    private let indexInChain: [Int32]

    /// Entries (points × chains) beyond which the clocks are not built.
    static let clockBudget = 120_000_000
    /// Chains beyond which points are reached through successors instead: a window of a thousand
    /// groups' FIFO connections would otherwise fill the clocks with entries nobody asks for.
    static let chainBudget = 1_024

    /// - Parameter chainLimit: at most this many chains get clocks (tests; default: what the budget allows).
    package init(graph: OrderGraph, chainLimit: Int? = nil) {
        self.graph = graph
        var chainOfPoint = [Int32](repeating: -1, count: graph.pointCount)
        var indexInChain = [Int32](repeating: -1, count: graph.pointCount)
        var chainCount = 0
        // Longest chains first, and a chain whose points all belong to earlier ones adds no clock
        // entry: a process clock's chain then covers its threads, and the clocks stay points × few.
        let longestFirst = graph.chains.indices.filter { graph.chains[$0].count > 1 }
            .sorted { (graph.chains[$0].count, $1) > (graph.chains[$1].count, $0) }
        // As many chains as the budget allows; the rest are reached through successors.
        let chainLimit = max(1, chainLimit ?? min(Self.chainBudget, Self.clockBudget / max(1, graph.pointCount)))
        for chain in longestFirst.map({ graph.chains[$0] }) {
            if chainCount == chainLimit { break }
            var next: Int32 = 0
            for point in chain where chainOfPoint[Int(point)] < 0 {
                chainOfPoint[Int(point)] = Int32(chainCount)
                indexInChain[Int(point)] = next
                next += 1
            }
            if next > 0 { chainCount += 1 }
        }
        self.chainCount = chainCount
        self.chainOfPoint = chainOfPoint
        self.indexInChain = indexInChain
        guard chainCount > 0, graph.pointCount * chainCount <= Self.clockBudget else {
            clocks = []
            return
        }
        var clocks = [Int32](repeating: 0, count: graph.pointCount * chainCount)
        clocks.withUnsafeMutableBufferPointer { vc in
            for point in graph.topologicalOrder {
                let base = Int(point) * chainCount
                let chain = chainOfPoint[Int(point)]
                if chain >= 0 { vc[base + Int(chain)] = max(vc[base + Int(chain)], indexInChain[Int(point)] + 1) }
                for next in graph.successors(of: point) {
                    let target = Int(next) * chainCount
                    for offset in 0..<chainCount where vc[target + offset] < vc[base + offset] {
                        vc[target + offset] = vc[base + offset]
                    }
                }
            }
        }
        self.clocks = clocks
    }

    /// Whether the vector clocks were built (otherwise queries search the graph).
    var hasClocks: Bool { !clocks.isEmpty }

    /// 1 + the furthest index of `chain` that is at or before `point` (0: none).
    func clock(_ point: Int32, chain: Int) -> Int32 { clocks[Int(point) * chainCount + chain] }

    /// The chain points first reached from `point` by its successors, searching through points off
    /// every chain: `point` precedes `b` iff one of them is at or before `b`.
    func exits(of point: Int32) -> [(chain: Int, index: Int32)] { exitsAndDetours(of: point).exits }

    /// ``exits(of:)``, plus the points off every chain passed on the way: those are reached from
    /// `point` without any chain point, so no vector clock records them.
    func exitsAndDetours(of point: Int32) -> (exits: [(chain: Int, index: Int32)], detours: Set<Int32>) {
        var result: [(chain: Int, index: Int32)] = []
        var seen: Set<Int32> = []
        var stack = Array(graph.successors(of: point))
        while let next = stack.popLast() {
            guard seen.insert(next).inserted else { continue }
            let chain = chainOfPoint[Int(next)]
            if chain >= 0 {
                result.append((Int(chain), indexInChain[Int(next)]))
            } else {
                stack.append(contentsOf: graph.successors(of: next))
            }
        }
        return (result, seen.filter { chainOfPoint[Int($0)] < 0 })
    }

    /// Whether every schedule puts `a` strictly before `b`.
    package func precedes(_ a: Int32, _ b: Int32) -> Bool {
        if a == b { return false }
        if graph.topologicalPosition[Int(a)] >= graph.topologicalPosition[Int(b)] { return false }
        if clocks.isEmpty { return ReachabilitySearch.reachesOnce(a, b, in: graph) }
        return reachesOrEquals(a, b, depth: 0)
    }

    private func reachesOrEquals(_ a: Int32, _ b: Int32, depth: Int) -> Bool {
        if a == b { return true }
        if graph.topologicalPosition[Int(a)] > graph.topologicalPosition[Int(b)] { return false }
        let chain = chainOfPoint[Int(a)]
        if chain >= 0 {
            return clocks[Int(b) * chainCount + Int(chain)] > indexInChain[Int(a)]
        }
        if depth > 64 { return ReachabilitySearch.reachesOnce(a, b, in: graph) }
        for next in graph.successors(of: a) where reachesOrEquals(next, b, depth: depth + 1) { return true }
        return false
    }
}
