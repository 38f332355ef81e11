/// The partial order that rules 1–6 of the system model impose on all points of a history.
///
/// Built once per history. Clock order is encoded with barrier points so that it costs edges linear
/// in the number of events rather than quadratic. FIFO pairs whose send order is already fixed become
/// plain edges; the others are kept as ``choices`` for the solver.
package struct OrderGraph: Sendable {
    package private(set) var kinds: [PointKind] = []
    /// The point of each event (an `apply` event shares its commit's apply point).
    package private(set) var eventPoint: [Int32] = []
    /// `A(c)` per commit.
    package private(set) var applyPoint: [Int32] = []
    /// Where each commit becomes visible: its apply point, or its transaction's commit point.
    package private(set) var visibilityPoint: [Int32] = []
    /// The (transaction, group) of each commit point `C(T, g)`.
    package private(set) var transactionCommits: [(transaction: Int, group: String)] = []
    /// `R(f)` per fetch.
    package private(set) var readPoint: [Int32] = []
    /// FIFO pairs left open by everything else.
    package private(set) var choices: [FIFOChoice] = []
    /// Sequences of points that the order already makes total: each thread's events, each
    /// connection's apply points once FIFO fixes them, each process clock's order, the wall-clock
    /// barriers. They index ``HappensBefore``'s vector clocks.
    package private(set) var chains: [[Int32]] = []

    // Edges, as a list while building and in compressed form after.
    private var edgeFrom: [Int32] = []
    private var edgeTo: [Int32] = []
    private var edgeReason: [OrderReason] = []
    package private(set) var successorStart: [Int32] = []
    package private(set) var successors: [Int32] = []
    package private(set) var successorReasons: [OrderReason] = []
    /// Position of each point in one topological order.
    package private(set) var topologicalPosition: [Int32] = []
    /// The points in that order.
    package private(set) var topologicalOrder: [Int32] = []

    package var pointCount: Int { kinds.count }

    /// Builds the graph; throws when rules 1–6 alone admit no schedule (bad input).
    package init(history: History) throws(TraceError) {
        applyPoint = history.commits.indices.map { addPoint(.apply($0)) }
        visibilityPoint = applyPoint
        addCommitPoints(history)
        readPoint = history.fetches.indices.map { addPoint(.read($0)) }
        eventPoint.reserveCapacity(history.events.count)
        for (index, event) in history.events.enumerated() {
            if case .apply(let apply) = event.payload, let commit = history.commitIndex[apply.commit] {
                eventPoint.append(applyPoint[commit])
            } else {
                eventPoint.append(addPoint(.event(index)))
            }
        }
        addProgramOrder(history)
        addClockOrder(history)
        addCausality(history)
        addTransactionOrder(history)
        try finish(history)
        try addConnectionOrder(history)
    }

    private mutating func addPoint(_ kind: PointKind) -> Int32 {
        kinds.append(kind)
        return Int32(kinds.count - 1)
    }

    private mutating func addEdge(_ from: Int32, _ to: Int32, _ reason: OrderReason) {
        edgeFrom.append(from)
        edgeTo.append(to)
        edgeReason.append(reason)
    }

    // MARK: Rules

    /// Rule 1 (and rule 6: an `apply` event is its commit's apply point, placed in its thread).
    private mutating func addProgramOrder(_ history: History) {
        struct Thread: Hashable { var proc: String; var thread: String }
        var last: [Thread: Int32] = [:]
        var chainOf: [Thread: Int] = [:]
        for (index, event) in history.events.enumerated() {
            let point = eventPoint[index]
            let thread = Thread(proc: event.proc, thread: event.thread)
            if let previous = last[thread], previous != point {
                addEdge(previous, point, isApply(previous) || isApply(point) ? .observation : .program)
            }
            last[thread] = point
            if let chain = chainOf[thread] {
                chains[chain].append(point)
            } else {
                chainOf[thread] = chains.count
                chains.append([point])
            }
        }
    }

    private func isApply(_ point: Int32) -> Bool {
        if case .apply = kinds[Int(point)] { return true }
        return false
    }

    /// Rule 2: within a process by `ts`; across processes too with wall clocks, beyond the skew.
    private mutating func addClockOrder(_ history: History) {
        var byProc: [String: [(ts: Int, point: Int32)]] = [:]
        var all: [(ts: Int, point: Int32)] = []
        for (index, event) in history.events.enumerated() {
            guard let ts = event.ts else { continue }
            byProc[event.proc, default: []].append((ts, eventPoint[index]))
            all.append((ts, eventPoint[index]))
        }
        for proc in byProc.keys.sorted() {
            addSortedClockChain(byProc[proc]!)
        }
        if history.meta.clock == .wall, byProc.count > 1 {
            addSkewedClockOrder(all, skew: history.meta.skewNanoseconds)
        }
    }

    /// Orders groups of equal `ts` one after another: direct edges between single points, a barrier
    /// point between larger groups so that k×m pairs cost k+m edges.
    private mutating func addSortedClockChain(_ stamped: [(ts: Int, point: Int32)]) {
        let sorted = stamped.sorted { $0.ts < $1.ts }
        var groups: [[Int32]] = []
        var currentTs: Int? = nil
        for item in sorted {
            if item.ts != currentTs {
                groups.append([])
                currentTs = item.ts
            }
            if groups[groups.count - 1].last != item.point { groups[groups.count - 1].append(item.point) }
        }
        guard groups.count > 1 else { return }
        // The clock's own chain: every single-point group and every barrier, in clock order. One
        // process's clock orders all its threads, so this chain can stand for thousands of thread
        // chains in ``HappensBefore`` (a proxy's trace has a thread per connection).
        var chain: [Int32] = groups[0].count == 1 ? [groups[0][0]] : []
        for index in 0..<(groups.count - 1) {
            let earlier = groups[index], later = groups[index + 1]
            if earlier.count == 1 && later.count == 1 {
                addEdge(earlier[0], later[0], .clock)
            } else {
                let barrier = addPoint(.clockBarrier)
                for point in earlier { addEdge(point, barrier, .clock) }
                for point in later { addEdge(barrier, point, .clock) }
                chain.append(barrier)
            }
            if later.count == 1 { chain.append(later[0]) }
        }
        if chain.count > 1 { chains.append(chain) }
    }

    /// `a` before `b` whenever `ts_a + skew < ts_b`: a chain of barriers, one per distinct `ts`.
    private mutating func addSkewedClockOrder(_ stamped: [(ts: Int, point: Int32)], skew: Int) {
        let sorted = stamped.sorted { $0.ts < $1.ts }
        var distinct: [Int] = []
        var barriers: [Int32] = []
        for item in sorted where distinct.last != item.ts {
            distinct.append(item.ts)
            let barrier = addPoint(.clockBarrier)
            if let previous = barriers.last { addEdge(previous, barrier, .clock) }
            barriers.append(barrier)
        }
        chains.append(barriers)
        var barrierIndex = 0
        for item in sorted {
            while distinct[barrierIndex] != item.ts { barrierIndex += 1 }
            addEdge(barriers[barrierIndex], item.point, .clock)
        }
        for item in sorted {
            let (threshold, overflow) = item.ts.addingReportingOverflow(skew)
            if overflow { continue }
            // First distinct ts strictly greater than ts + skew.
            var low = 0, high = distinct.count
            while low < high {
                let mid = (low + high) / 2
                if distinct[mid] > threshold { high = mid } else { low = mid + 1 }
            }
            if low < distinct.count { addEdge(item.point, barriers[low], .clock) }
        }
    }

    /// Rule 3: build < send < ack, send < A (or build < A without a send), A < ack unless the ack is
    /// `unknown`; fetch < R < fetched.
    private mutating func addCausality(_ history: History) {
        for (index, commit) in history.commits.enumerated() {
            let apply = applyPoint[index]
            let build = commit.build.map { eventPoint[$0] }
            let send = commit.send.map { eventPoint[$0] }
            let ack = commit.ack.map { eventPoint[$0] }
            if let build, let send { addEdge(build, send, .causality) }
            if let before = send ?? build { addEdge(before, apply, .causality) }
            if let ack {
                // A response bounds the apply point, except an `unknown` one: a request that timed
                // out or whose connection died may still be applied after the client gave up.
                if let event = commit.ack, history.events[event].status != .unknown {
                    addEdge(apply, ack, .causality)
                }
                if let before = send ?? build { addEdge(before, ack, .causality) }
            }
        }
        for (index, fetch) in history.fetches.enumerated() {
            let read = readPoint[index]
            if let issued = fetch.fetch { addEdge(eventPoint[issued], read, .causality) }
            if let answered = fetch.fetched { addEdge(read, eventPoint[answered], .causality) }
        }
    }

    /// Rule 8's points: one commit point per transaction and group, where its staged commits become visible.
    private mutating func addCommitPoints(_ history: History) {
        for (transaction, record) in history.transactions.enumerated() {
            var pointOfGroup: [String: Int32] = [:]
            for commit in record.commits {
                let group = history.commits[commit].group
                let point: Int32
                if let known = pointOfGroup[group] {
                    point = known
                } else {
                    point = addPoint(.visible(transactionCommits.count))
                    transactionCommits.append((transaction, group))
                    pointOfGroup[group] = point
                }
                visibilityPoint[commit] = point
            }
        }
    }

    /// Rule 8: `S(c) < C(T, g)` for T's commits of group g; the first `end` asking to commit is sent
    /// before `C(T, g)`; `C(T, g) < completed(T)`. The `ended` answer bounds nothing.
    private mutating func addTransactionOrder(_ history: History) {
        for (index, commit) in history.commits.enumerated() where commit.transaction != nil {
            addEdge(applyPoint[index], visibilityPoint[index], .transaction)
        }
        for (point, entry) in transactionCommits.enumerated() {
            let commitPoint = visiblePoint(point)
            let record = history.transactions[entry.transaction]
            if let end = record.firstCommitRequest(in: history.events) { addEdge(eventPoint[end], commitPoint, .transaction) }
            for completion in record.completions { addEdge(commitPoint, eventPoint[completion], .transaction) }
        }
    }

    /// The graph point of commit point number `index` (they are numbered in creation order).
    private func visiblePoint(_ index: Int) -> Int32 {
        Int32(applyPoint.count + index)
    }

    /// Rule 4: per (proc, conn), apply order follows send order; open pairs become ``choices``.
    private mutating func addConnectionOrder(_ history: History) throws(TraceError) {
        struct Connection: Hashable { var proc: String; var conn: String }
        var connections: [Connection: [Int]] = [:]
        for (index, commit) in history.commits.enumerated() {
            guard let send = commit.send, let conn = history.events[send].conn else { continue }
            connections[Connection(proc: history.events[send].proc, conn: conn), default: []].append(index)
        }
        var added = false
        guard !connections.isEmpty else { return }
        let order = HappensBefore(graph: self)
        let position = topologicalPosition
        for key in connections.keys.sorted(by: { ($0.proc, $0.conn) < ($1.proc, $1.conn) }) {
            var members = connections[key]!
            guard members.count > 1 else { continue }
            let points = eventPoint
            let sendOf = { (commit: Int) in points[history.commits[commit].send!] }
            members.sort { position[Int(sendOf($0))] < position[Int(sendOf($1))] }
            let sends = members.map(sendOf)
            var chain = true
            for index in 1..<sends.count where !order.precedes(sends[index - 1], sends[index]) {
                chain = false
                break
            }
            if chain {
                for index in 1..<members.count {
                    addEdge(applyPoint[members[index - 1]], applyPoint[members[index]], .fifo)
                }
                chains.append(members.map { applyPoint[$0] })
                added = true
                continue
            }
            for i in 0..<members.count {
                for j in (i + 1)..<members.count {
                    if order.precedes(sends[i], sends[j]) {
                        addEdge(applyPoint[members[i]], applyPoint[members[j]], .fifo)
                        added = true
                    } else {
                        choices.append(FIFOChoice(firstSend: sends[i], secondSend: sends[j],
                                                  firstApply: applyPoint[members[i]], secondApply: applyPoint[members[j]]))
                    }
                }
            }
        }
        if added { try finish(history) }
    }

    // MARK: Compression, topological order, contradictions

    /// Compresses the edge list and orders the points; a cycle means the trace contradicts itself.
    private mutating func finish(_ history: History) throws(TraceError) {
        let count = pointCount
        var start = [Int32](repeating: 0, count: count + 1)
        for from in edgeFrom { start[Int(from) + 1] += 1 }
        for index in 0..<count { start[index + 1] += start[index] }
        var fill = start
        var targets = [Int32](repeating: 0, count: edgeFrom.count)
        var reasons = [OrderReason](repeating: .program, count: edgeFrom.count)
        for edge in edgeFrom.indices {
            let slot = Int(fill[Int(edgeFrom[edge])])
            targets[slot] = edgeTo[edge]
            reasons[slot] = edgeReason[edge]
            fill[Int(edgeFrom[edge])] += 1
        }
        successorStart = start
        successors = targets
        successorReasons = reasons

        var indegree = [Int32](repeating: 0, count: count)
        for target in targets { indegree[Int(target)] += 1 }
        var order: [Int32] = []
        order.reserveCapacity(count)
        for point in 0..<count where indegree[point] == 0 { order.append(Int32(point)) }
        var head = 0
        while head < order.count {
            let point = Int(order[head])
            head += 1
            for slot in Int(start[point])..<Int(start[point + 1]) {
                let next = Int(targets[slot])
                indegree[next] -= 1
                if indegree[next] == 0 { order.append(Int32(next)) }
            }
        }
        if order.count < count {
            throw contradiction(history, remaining: indegree)
        }
        topologicalOrder = order
        var position = [Int32](repeating: 0, count: count)
        for (index, point) in order.enumerated() { position[Int(point)] = Int32(index) }
        topologicalPosition = position
    }

    /// Names the lines of a shortest cycle among the points left over by the topological sort.
    private func contradiction(_ history: History, remaining indegree: [Int32]) -> TraceError {
        let count = pointCount
        let inCycle = (0..<count).map { indegree[$0] > 0 }
        var best: [Int32]? = nil
        var tried = 0
        for origin in 0..<count where inCycle[origin] {
            tried += 1
            if tried > 200 { break }
            // Breadth-first search back to the origin, within the leftover points.
            var parent = [Int32: Int32]()
            var queue: [Int32] = [Int32(origin)]
            var head = 0
            var found: Int32? = nil
            search: while head < queue.count {
                let point = queue[head]
                head += 1
                for slot in Int(successorStart[Int(point)])..<Int(successorStart[Int(point) + 1]) {
                    let next = successors[slot]
                    guard inCycle[Int(next)] else { continue }
                    if next == Int32(origin) { found = point; break search }
                    if parent[next] == nil { parent[next] = point; queue.append(next) }
                }
            }
            guard let last = found else { continue }
            var cycle: [Int32] = [last]
            var current = last
            while current != Int32(origin), let previous = parent[current] {
                cycle.append(previous)
                current = previous
            }
            if best == nil || cycle.count < best!.count { best = cycle }
        }
        var lines = Set<Int>()
        var files = Set<Int>()
        for point in best ?? [] {
            for event in events(of: point, history) {
                lines.insert(history.events[event].line)
                files.insert(history.events[event].file)
            }
        }
        let sorted = lines.sorted()
        let file = files.count == 1 ? history.files[files.first!] : nil
        return TraceError(
            file: file, line: sorted.first ?? 0,
            message: "the trace contradicts itself: lines \(sorted.map(String.init).joined(separator: ", ")) cannot all hold in any order (program order, timestamps, causality and connection order form a cycle)",
            relatedLines: Array(sorted.dropFirst()))
    }

    /// The recorded events a point stands for (a commit's own events for an apply point).
    func events(of point: Int32, _ history: History) -> [Int] {
        switch kinds[Int(point)] {
        case .event(let index): return [index]
        case .apply(let commit):
            let c = history.commits[commit]
            return [c.send ?? c.build].compactMap { $0 } + c.applies
        case .read(let fetch): return [history.fetches[fetch].fetch].compactMap { $0 }
        case .visible(let index):
            return history.transactions[transactionCommits[index].transaction].firstCommitRequest(in: history.events).map { [$0] } ?? []
        case .clockBarrier: return []
        }
    }

    /// The successors of a point with the reason for each edge.
    package func successors(of point: Int32) -> ArraySlice<Int32> {
        successors[Int(successorStart[Int(point)])..<Int(successorStart[Int(point) + 1])]
    }

    func reason(from point: Int32, to target: Int32) -> OrderReason? {
        for slot in Int(successorStart[Int(point)])..<Int(successorStart[Int(point) + 1]) where successors[slot] == target {
            return successorReasons[slot]
        }
        return nil
    }
}

/// Answers "must `a` come before `b`?" by a depth-first search cut off at `b`'s topological position.
///
/// Reuses its visited marks across queries (a generation counter), so a query costs only what it visits.
struct ReachabilitySearch {
    private var visitedGeneration: [UInt32]
    private var generation: UInt32 = 0
    private var stack: [Int32] = []

    init(pointCount: Int) { visitedGeneration = [UInt32](repeating: 0, count: pointCount) }

    /// One query without a search kept for more: it marks what it visits in a set, so it costs
    /// what it visits and not a mark per point of the graph (a history's millions).
    static func reachesOnce(_ from: Int32, _ to: Int32, in graph: OrderGraph) -> Bool {
        if from == to { return false }
        let limit = graph.topologicalPosition[Int(to)]
        if graph.topologicalPosition[Int(from)] >= limit { return false }
        var visited: Set<Int32> = [from]
        var stack: [Int32] = [from]
        while let point = stack.popLast() {
            for next in graph.successors(of: point) {
                if next == to { return true }
                if graph.topologicalPosition[Int(next)] > limit || !visited.insert(next).inserted { continue }
                stack.append(next)
            }
        }
        return false
    }

    mutating func reaches(_ from: Int32, _ to: Int32, in graph: OrderGraph) -> Bool {
        if from == to { return false }
        let limit = graph.topologicalPosition[Int(to)]
        if graph.topologicalPosition[Int(from)] >= limit { return false }
        generation &+= 1
        if generation == 0 {
            for index in visitedGeneration.indices { visitedGeneration[index] = 0 }
            generation = 1
        }
        stack.removeAll(keepingCapacity: true)
        stack.append(from)
        visitedGeneration[Int(from)] = generation
        while let point = stack.popLast() {
            for next in graph.successors(of: point) {
                if next == to { return true }
                let index = Int(next)
                if visitedGeneration[index] == generation || graph.topologicalPosition[index] > limit { continue }
                visitedGeneration[index] = generation
                stack.append(next)
            }
        }
        return false
    }
}
