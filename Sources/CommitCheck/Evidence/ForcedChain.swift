/// The shortest explanation of why one point must come before another: a chain of forced steps.
///
/// A breadth-first search over the order graph's edges counts edges, and an edge is not a fact a
/// person checks: a thread's program order from line 40 to line 900 is one fact however many events
/// lie between, and so is a process's clock order. Counting edges made a confluent-kafka story list 96
/// "connection FIFO" steps where one recorded fact (the ack of one commit before the other's send)
/// proves the order. So a run of program-order (or clock-order) edges counts as one step, every other
/// edge as one step, and among chains with the fewest steps the one with the fewest inferred
/// connection-FIFO steps wins (facts recorded in the trace are preferred).
struct ForcedChain {
    /// One step of the chain, between two graph points.
    struct Step: Equatable {
        var from: Int32
        var to: Int32
        var reason: ForcedStep.Reason
    }

    /// The shortest chain from one commit's apply point to another's that rests only on `events`
    /// (the counterexample's own events), as steps between points of the whole history's `graph`.
    ///
    /// A counterexample is a sub-history that gets the verdict on its own, so the order that
    /// explains it must be the order of that sub-history, not of the whole trace: searched in the
    /// whole graph, the chain can run through a commit the counterexample leaves out (issue 30:
    /// `34 -> 35 -> 36` by connection FIFO when the minimal sub-trace has only 34 and 36, which
    /// FIFO orders directly). So the chain is searched in the order graph of the sub-history (the
    /// one the minimiser re-verified, built by ``Minimizer/subHistory(_:)``) and its points are
    /// mapped back. `events == nil` (no minimisation asked for) searches the whole graph. An empty
    /// list when that order does not force `earlier` before `later`.
    static func shortest(fromApplyOf earlier: Int, toApplyOf later: Int, within events: [Int]?,
                         history: History, graph: OrderGraph, key: PartitionKey, verdict: Verdict) -> [Step] {
        guard let events, events.count < history.events.count else {
            return shortest(from: graph.visibilityPoint[earlier], to: graph.visibilityPoint[later], in: graph)
        }
        let kept = Array(Set(events)).sorted()
        let extraction = Minimizer(history: history, key: key, verdict: verdict) { _, _ in nil }
        guard let sub = try? extraction.subHistory(kept), sub.events.count == kept.count,
              let subGraph = try? OrderGraph(history: sub),
              let subEarlier = sub.commitIndex[history.commits[earlier].id],
              let subLater = sub.commitIndex[history.commits[later].id] else { return [] }
        var fetchIndex: [String: Int]? = nil
        /// The whole graph's point for a point of the sub-history's graph (nil for a clock barrier).
        func wholePoint(_ point: Int32) -> Int32? {
            switch subGraph.kinds[Int(point)] {
            case .event(let index): return graph.eventPoint[kept[index]]
            case .apply(let commit): return history.commitIndex[sub.commits[commit].id].map { graph.applyPoint[$0] }
            case .visible(let index):
                let transaction = sub.transactions[subGraph.transactionCommits[index].transaction]
                guard let whole = history.transactionIndex[transaction.id],
                      let commit = history.transactions[whole].commits.first(where: { history.commits[$0].group == subGraph.transactionCommits[index].group })
                else { return nil }
                return graph.visibilityPoint[commit]
            case .read(let fetch):
                if fetchIndex == nil {
                    fetchIndex = Dictionary(history.fetches.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
                }
                return fetchIndex?[sub.fetches[fetch].id].map { graph.readPoint[$0] }
            case .clockBarrier: return nil
            }
        }
        var steps: [Step] = []
        for step in shortest(from: subGraph.visibilityPoint[subEarlier], to: subGraph.visibilityPoint[subLater], in: subGraph) {
            // A step ends at a barrier only inside a run of clock order, which is merged into one step.
            guard let from = wholePoint(step.from), let to = wholePoint(step.to) else { return [] }
            steps.append(Step(from: from, to: to, reason: step.reason))
        }
        return steps
    }

    /// The steps from `from` to `to`, or an empty list when the graph does not force `from < to`.
    static func shortest(from: Int32, to: Int32, in graph: OrderGraph) -> [Step] {
        guard from != to else { return [] }
        let low = graph.topologicalPosition[Int(from)], high = graph.topologicalPosition[Int(to)]
        guard low < high else { return [] }
        let reasonCount = ForcedStep.Reason.allCases.count + 1
        let none = ForcedStep.Reason.allCases.count
        func state(_ point: Int32, _ reason: Int) -> Int { Int(point) * reasonCount + reason }
        func reasonIndex(_ reason: ForcedStep.Reason) -> Int { ForcedStep.Reason.allCases.firstIndex(of: reason)! }
        typealias Cost = (steps: Int, fifo: Int)
        func less(_ a: Cost, _ b: Cost) -> Bool { a.steps != b.steps ? a.steps < b.steps : a.fifo < b.fifo }

        var best: [Int: Cost] = [state(from, none): (0, 0)]
        var parent: [Int: (state: Int, reason: ForcedStep.Reason)] = [:]
        var heap = MinHeap<(cost: Cost, state: Int)>(by: { less($0.cost, $1.cost) || (!less($1.cost, $0.cost) && $0.state < $1.state) })
        heap.push(((0, 0), state(from, none)))
        var reached: Int? = nil
        while let (cost, current) = heap.pop() {
            if let known = best[current], less(known, cost) { continue }
            let point = Int32(current / reasonCount), last = current % reasonCount
            if point == to { reached = current; break }
            let start = Int(graph.successorStart[Int(point)]), end = Int(graph.successorStart[Int(point) + 1])
            for slot in start..<end {
                let next = graph.successors[slot]
                guard graph.topologicalPosition[Int(next)] <= high else { continue }
                let reason = ForcedStep.Reason(graph.successorReasons[slot])
                let index = reasonIndex(reason)
                // A run of one thread's program order, or of clock order, is one fact.
                let continues = index == last && (reason == .program || reason == .clock)
                let nextCost: Cost = (cost.steps + (continues ? 0 : 1), cost.fifo + (reason == .fifo ? 1 : 0))
                let target = state(next, index)
                if let known = best[target], !less(nextCost, known) { continue }
                best[target] = nextCost
                parent[target] = (current, reason)
                heap.push((nextCost, target))
            }
        }
        guard var current = reached else { return [] }
        // Walk back, merging runs of one reason into one step.
        var edges: [(from: Int32, to: Int32, reason: ForcedStep.Reason)] = []
        while let (previous, reason) = parent[current] {
            edges.append((Int32(previous / reasonCount), Int32(current / reasonCount), reason))
            current = previous
        }
        edges.reverse()
        var steps: [Step] = []
        for edge in edges {
            if let last = steps.last, last.reason == edge.reason, last.to == edge.from, edge.reason == .program || edge.reason == .clock {
                steps[steps.count - 1].to = edge.to
            } else {
                steps.append(Step(from: edge.from, to: edge.to, reason: edge.reason))
            }
        }
        return steps
    }
}
