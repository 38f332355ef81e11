/// The data of one interactive timeline on the HTML page, laid out from a key's typed evidence.
///
/// The page's script draws it (lanes, marks, arrows, the time axis) for whatever range the reader
/// zooms to; this type decides what is drawn and where on a compressed time axis:
/// - the points: the evidence (its events, the witness's points, the apply points of the regressing
///   pair, both ends of every forced step), then the key's commits and the events nearest the
///   evidence in the trace, at most ``HTMLReporter/pointLimit``;
/// - their order: the history's partial order restricted to those points, plus the witness;
/// - x: one unit per step, gaps widened by the logarithm of the time that passed, idle stretches
///   cut to a fixed width with a break mark, and a mark where points were left out.
struct HTMLFigure: Encodable {
    struct Lane: Encodable {
        /// The full name (`proc/thread`, or `proc` for the default thread, or `broker`).
        var name: String
        /// The name without the prefix all lanes share (the distinguishing part).
        var shown: String
        /// Whether the lane takes part in the evidence (the others are drawn narrower).
        var evidence: Bool
    }

    struct Point: Encodable {
        var lane: Int
        var x: Double
        /// `build`, `send`, `ack-ok`, `ack-fail`, `ack-unknown`, `fetch`, `fetched`, `observed`,
        /// `apply`, `apply-maybe`, `apply-none`, `read`.
        var kind: String
        /// The witness-style name, e.g. `send c1`: the page's hooks and the tests find marks by it.
        var id: String
        /// Above the mark: kind and (shortened) commit or fetch id.
        var top: String
        /// Below the mark: its location and the offset it carries for the key.
        var bottom: String
        var evidence: Bool
        /// Shown on hover or click: location, the JSON line, offsets.
        var detail: String

        enum CodingKeys: String, CodingKey { case lane = "l", x, kind = "k", id, top = "t", bottom = "b", evidence = "e", detail = "d" }
    }

    struct Arrow: Encodable {
        var from: Int
        var to: Int
        var label: String
        /// `regression`, or the reason of a forced step (`program`, `clock`, `causality`, `fifo`, ...).
        var kind: String
    }

    struct Mark: Encodable {
        var x: Double
        var label: String
    }

    var lanes: [Lane] = []
    /// The prefix removed from every lane name, said once above the drawing (nil when none).
    var lanePrefix: String?
    /// The prefix removed from commit ids in mark labels (nil when none).
    var idPrefix: String?
    var points: [Point] = []
    var arrows: [Arrow] = []
    /// Dashed connectors: a commit's send, apply point and ack (point indices).
    var links: [[Int]] = []
    /// Where idle time was cut, with how long it was.
    var breaks: [Mark] = []
    /// Where points were left out, with how many.
    var omissions: [Mark] = []
    /// Axis labels: relative time or schedule step.
    var ticks: [Mark] = []
    /// `ts` or `step`.
    var axis = "step"
    var axisNote = ""
    /// The x range of the evidence (what the figure opens on) and of everything drawn.
    var window: [Double] = [0, 0]
    var span: [Double] = [0, 0]
    var drawnEvents = 0
    var totalEvents = 0

    enum CodingKeys: String, CodingKey {
        case lanes, lanePrefix, idPrefix, points, arrows, links, breaks, omissions, ticks, axis, window, span
    }
}

/// What a figure is about: a bad key's typed evidence, or nothing (an overview of a history that holds).
struct HTMLFigureFocus {
    var key: PartitionKey
    var counterexample: Counterexample
}

/// Lays out ``HTMLFigure``s for one history: the graph, the order and the event lookups are built
/// once per page and shared by its figures.
struct HTMLFigureBuilder {
    let history: History
    let graph: OrderGraph
    let order: HappensBefore
    /// `(file, line)` to event index, for resolving typed evidence points.
    private let eventAt: [Int: Int]
    private let fetchIndex: [String: Int]
    private let fileIndex: [String: Int]

    init(history: History, graph: OrderGraph) {
        self.history = history
        self.graph = graph
        self.order = HappensBefore(graph: graph)
        var eventAt: [Int: Int] = [:]
        eventAt.reserveCapacity(history.events.count)
        for (index, event) in history.events.enumerated() { eventAt[event.file << 40 | event.line] = index }
        self.eventAt = eventAt
        var fetchIndex: [String: Int] = [:]
        for (index, fetch) in history.fetches.enumerated() { fetchIndex[fetch.id] = index }
        self.fetchIndex = fetchIndex
        var fileIndex: [String: Int] = [:]
        for (index, file) in history.files.enumerated() where fileIndex[file] == nil { fileIndex[file] = index }
        self.fileIndex = fileIndex
    }

    /// The graph point a typed evidence point stands for (nil when the history has no such point).
    func point(_ evidence: EvidencePoint) -> Int32? {
        switch evidence.role {
        case .event:
            guard let line = evidence.line else { return nil }
            let file = evidence.file.flatMap { fileIndex[$0] } ?? 0
            return eventAt[file << 40 | line].map { graph.eventPoint[$0] }
        case .apply:
            return evidence.commit.flatMap { history.commitIndex[$0] }.map { graph.applyPoint[$0] }
        case .read:
            return evidence.fetch.flatMap { fetchIndex[$0] }.map { graph.readPoint[$0] }
        case .visible:
            guard let txn = evidence.txn, let transaction = history.transactionIndex[txn],
                  let commit = history.transactions[transaction].commits.first(where: { evidence.commit == nil || history.commits[$0].id == evidence.commit }) else { return nil }
            return graph.visibilityPoint[commit]
        }
    }

    /// The trace position a point is near (for picking context and counting what is left out).
    func anchor(_ point: Int32) -> Int {
        switch graph.kinds[Int(point)] {
        case .event(let index): return index
        case .apply(let commit):
            let c = history.commits[commit]
            return c.applies.first ?? c.send ?? c.build ?? 0
        case .read(let fetch): return history.fetches[fetch].fetch ?? history.fetches[fetch].fetched ?? 0
        case .visible(let index):
            let transaction = history.transactions[graph.transactionCommits[index].transaction]
            return transaction.firstCommitRequest(in: history.events) ?? transaction.commits.first.flatMap { history.commits[$0].send } ?? 0
        case .clockBarrier: return 0
        }
    }

    /// Lays out one figure with at most `limit` points (every evidence point is drawn regardless).
    func figure(focus: HTMLFigureFocus?, limit: Int) -> HTMLFigure {
        var figure = HTMLFigure()
        figure.totalEvents = history.events.count
        let evidence = focus?.counterexample.evidence
        var highlighted = Set<Int32>()
        var witness: [Int32] = []
        if let evidence {
            for item in evidence.events + evidence.reads { if let p = point(item) { highlighted.insert(p) } }
            for item in [evidence.earlierApply, evidence.laterApply].compactMap({ $0 }) { if let p = point(item) { highlighted.insert(p) } }
            for step in evidence.forced {
                for item in [step.from, step.to] { if let p = point(item) { highlighted.insert(p) } }
            }
            for item in evidence.witness {
                if let p = point(item) {
                    highlighted.insert(p)
                    if !witness.contains(p) { witness.append(p) }
                }
            }
        }
        // A fetch in the evidence brings its read point; a commit's evidence events bring its apply point.
        for (index, fetch) in history.fetches.enumerated()
        where [fetch.fetch, fetch.fetched].contains(where: { $0.map { highlighted.contains(graph.eventPoint[$0]) } ?? false }) {
            highlighted.insert(graph.readPoint[index])
        }
        let kept = select(highlighted: highlighted, key: focus?.key, limit: limit)
        let ordered = orderPoints(kept, witness: witness)
        layOut(&figure, ordered: ordered, kept: kept, highlighted: highlighted, focus: focus)
        return figure
    }

    // MARK: Choosing the points

    private func onKey(_ commit: Int, _ key: PartitionKey?) -> Bool {
        guard let key else { return false }
        let c = history.commits[commit]
        return c.group == key.group && c.offset(for: key.partition) != nil
    }

    /// The points to draw: the evidence, then the key's commits and the events nearest the
    /// evidence in the trace, looking only at a neighbourhood of each evidence point (so a page of a
    /// million events costs what a page of thousands does).
    private func select(highlighted: Set<Int32>, key: PartitionKey?, limit: Int) -> Set<Int32> {
        var kept = highlighted
        let anchors = highlighted.map(anchor).sorted()
        let reach = max(limit * 2, 200)
        var candidates: [(rank: Int, distance: Int, anchor: Int, point: Int32)] = []
        var seen = Set<Int32>()
        func consider(_ index: Int, distance: Int) {
            let event = history.events[index]
            var points: [Int32] = [graph.eventPoint[index]]
            var isOnKey = false
            if let commit = event.commit.flatMap({ history.commitIndex[$0] }) {
                isOnKey = onKey(commit, key)
                if history.commits[commit].send == index || (history.commits[commit].send == nil && history.commits[commit].build == index) {
                    points.append(graph.applyPoint[commit])
                }
            }
            if event.kind == .fetch, let fetch = event.fetch.flatMap({ fetchIndex[$0] }) { points.append(graph.readPoint[fetch]) }
            for point in points where !highlighted.contains(point) && seen.insert(point).inserted {
                candidates.append((isOnKey ? 0 : 1, distance, index, point))
            }
        }
        if anchors.isEmpty {
            for index in 0..<min(history.events.count, limit) { consider(index, distance: index) }
        } else {
            var covered = Set<Int>()
            for anchor in anchors {
                for index in max(0, anchor - reach)...min(history.events.count - 1, anchor + reach) where covered.insert(index).inserted {
                    consider(index, distance: abs(index - anchor))
                }
            }
        }
        candidates.sort { ($0.rank, $0.distance, $0.anchor) < ($1.rank, $1.distance, $1.anchor) }
        for candidate in candidates where kept.count < limit { kept.insert(candidate.point) }
        // A commit's drawn events bring its apply point, so every send has an apply point beside it.
        for point in Array(kept) {
            if case .event(let index) = graph.kinds[Int(point)], let commit = history.events[index].commit.flatMap({ history.commitIndex[$0] }) {
                kept.insert(graph.applyPoint[commit])
            }
        }
        return kept
    }

    /// Orders the chosen points: the history's order among them, plus the witness; ties follow the trace.
    private func orderPoints(_ kept: Set<Int32>, witness: [Int32]) -> [Int32] {
        let points = kept.filter { graph.kinds[Int($0)] != .clockBarrier }.sorted {
            (Schedule.priority($0, graph, history), $0) < (Schedule.priority($1, graph, history), $1)
        }
        var successors = [[Int]](repeating: [], count: points.count)
        var indegree = [Int](repeating: 0, count: points.count)
        var position: [Int32: Int] = [:]
        for (index, point) in points.enumerated() { position[point] = index }
        for i in points.indices {
            for j in points.indices where i != j && order.precedes(points[i], points[j]) {
                successors[i].append(j)
                indegree[j] += 1
            }
        }
        for (a, b) in zip(witness, witness.dropFirst()) {
            guard let i = position[a], let j = position[b], !order.precedes(points[i], points[j]), !order.precedes(points[j], points[i]) else { continue }
            successors[i].append(j)
            indegree[j] += 1
        }
        var heap = MinHeap<Int>(by: <)
        for index in points.indices where indegree[index] == 0 { heap.push(index) }
        var result: [Int32] = []
        while let index = heap.pop() {
            result.append(points[index])
            for next in successors[index] {
                indegree[next] -= 1
                if indegree[next] == 0 { heap.push(next) }
            }
        }
        // A witness that contradicts the order (it never should) falls back to the order alone.
        if result.count != points.count { return orderPoints(kept, witness: []) }
        return result
    }
}
