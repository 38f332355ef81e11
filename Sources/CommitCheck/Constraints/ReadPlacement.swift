/// One fetch result placed in the order: which commits can still decide the value it returns.
///
/// Rule 7 says a read returns the offset of the last commit applied to its key before its read
/// point. Most commits are out of the running: those forced after the read, and those forced before
/// a certainly applied commit that is itself forced before the read. What remains (the *writers*)
/// is what a solver has to consider; in a totally or mostly ordered history it is one commit, and
/// then the order alone names the value the read must return (``determined``).
package struct ReadPlacement: Sendable {
    /// Index into ``History/fetches``.
    var fetch: Int
    var key: PartitionKey
    /// The value returned (`-1`: no committed offset, a value like any other).
    var value: Int
    /// The read point `R(f)`.
    var point: Int32
    /// Commits (indices into ``History/commits``) that may be the read's writer or apply between
    /// the writer and the read.
    var writers: [Int]
    /// A certainly applied commit of the key is forced before the read, so the initial value cannot be read.
    var certainBefore: Bool
    /// What every consistent schedule makes the read see, when the order alone decides it.
    var determined: Writer?

    /// The source of a read's value.
    enum Writer: Equatable, Sendable {
        case commit(Int)
        case initial
    }

    /// The value the determined writer gives the read (`nil` for an unknown initial value).
    func expectedValue(_ history: History) -> Int?? {
        switch determined {
        case nil: return nil
        case .commit(let commit): return .some(history.commits[commit].offset(for: key.partition))
        case .initial: return .some(history.initialOffset(of: key))
        }
    }
}

/// One key's commits that may apply, in the graph's topological order of their apply points.
///
/// When the order forces every apply point before the next (a *chain*: one connection with FIFO,
/// or one thread committing in turn), the commits forced before a read form a prefix and those
/// forced after it a suffix, so placing a read costs two binary searches.
struct KeyTimeline: Sendable {
    let key: PartitionKey
    /// Indices into ``History/commits``.
    let commits: [Int]
    let points: [Int32]
    /// Where each write becomes visible (its apply point, or its transaction's commit point).
    let visibility: [Int32]
    let certain: [Bool]
    /// Whether each apply point is forced before the next.
    let isChain: Bool
    /// Some commit is staged in a transaction: its value shows at a commit point, not its apply
    /// point, so the order of apply points does not say which write a read sees.
    let hasStagedWrites: Bool

    init(key: PartitionKey, commits candidates: [Int], history: History, graph: OrderGraph, order: HappensBefore) {
        self.key = key
        var entries: [(commit: Int, point: Int32, certain: Bool)] = []
        for commit in candidates where history.commits[commit].group == key.group {
            let status = history.applyStatus(of: commit, on: key.partition)
            guard status != .notApplied else { continue }
            entries.append((commit, graph.applyPoint[commit], status == .applied))
        }
        entries.sort { graph.topologicalPosition[Int($0.point)] < graph.topologicalPosition[Int($1.point)] }
        hasStagedWrites = entries.contains { history.commits[$0.commit].transaction != nil }
        commits = entries.map(\.commit)
        points = entries.map(\.point)
        visibility = entries.map { graph.visibilityPoint[$0.commit] }
        certain = entries.map(\.certain)
        var chain = true
        for index in points.indices.dropFirst() where !order.precedes(points[index - 1], points[index]) {
            chain = false
            break
        }
        isChain = chain
    }

    /// Places a read of this key: its writers, and its determined source where the order fixes it.
    func place(fetch: Int, value: Int, point: Int32, order: HappensBefore, graph: OrderGraph) -> ReadPlacement {
        if hasStagedWrites { return placeAmongStaged(fetch: fetch, value: value, point: point, order: order) }
        var writers: [Int] = []
        var certainBefore = false
        var openCount = 0
        if isChain {
            // Forced before the read: a prefix; forced after it: a suffix.
            var low = 0, high = points.count
            while low < high {
                let mid = (low + high) / 2
                if order.precedes(points[mid], point) { low = mid + 1 } else { high = mid }
            }
            let prefix = low
            high = points.count
            while low < high {
                let mid = (low + high) / 2
                if order.precedes(point, points[mid]) { high = mid } else { low = mid + 1 }
            }
            let suffix = low
            var index = prefix - 1
            while index >= 0 {
                writers.append(commits[index])
                if certain[index] { certainBefore = true; break }
                index -= 1
            }
            writers.reverse()
            writers += commits[prefix..<suffix]
            openCount = suffix - prefix
        } else {
            var before: [Int] = []
            for index in points.indices {
                if order.precedes(points[index], point) {
                    before.append(index)
                } else if !order.precedes(point, points[index]) {
                    writers.append(commits[index])
                    openCount += 1
                }
            }
            // Latest first: a commit forced before a certain one that is itself before the read is hidden.
            var kept: [Int] = []
            var certainKept: [Int32] = []
            for index in before.reversed() {
                if certainKept.contains(where: { order.precedes(points[index], $0) }) { continue }
                kept.append(commits[index])
                if certain[index] { certainKept.append(points[index]); certainBefore = true }
            }
            writers = kept.reversed() + writers
        }
        return ReadPlacement(fetch: fetch, key: key, value: value, point: point, writers: writers, certainBefore: certainBefore,
                             determined: Self.determined(writers: writers, certainBefore: certainBefore, openCount: openCount))
    }

    /// Places a read when some writes are staged: a write counts unless it becomes visible only
    /// after the read, or a certainly visible write with a later order point is visible before the
    /// read (then the read never sees it: rule 8's latest-order-point rule).
    func placeAmongStaged(fetch: Int, value: Int, point: Int32, order: HappensBefore) -> ReadPlacement {
        var writers: [Int] = []
        var certainKept: [Int32] = []
        var openCount = 0
        // Latest order point first, so that a write that hides another is met before it.
        for index in points.indices.reversed() {
            let visible = visibility[index]
            if order.precedes(point, visible) { continue }
            if certainKept.contains(where: { $0 != points[index] && order.precedes(points[index], $0) }) { continue }
            writers.append(commits[index])
            let before = order.precedes(visible, point)
            if !before { openCount += 1 }
            if certain[index] && before { certainKept.append(points[index]) }
        }
        writers.reverse()
        let certainBefore = !certainKept.isEmpty
        return ReadPlacement(fetch: fetch, key: key, value: value, point: point, writers: writers, certainBefore: certainBefore,
                             determined: Self.determined(writers: writers, certainBefore: certainBefore, openCount: openCount))
    }

    /// What the order alone makes a read see: nothing can write before it (the initial value), or
    /// one certainly applied writer with nothing left open.
    static func determined(writers: [Int], certainBefore: Bool, openCount: Int) -> ReadPlacement.Writer? {
        guard openCount == 0 else { return nil }
        if writers.isEmpty { return .initial }
        return writers.count == 1 && certainBefore ? .commit(writers[0]) : nil
    }

    /// The read with every commit of the key as a possible writer: the unpruned encoding `--engine z3` checks.
    func unpruned(fetch: Int, value: Int, point: Int32) -> ReadPlacement {
        ReadPlacement(fetch: fetch, key: key, value: value, point: point, writers: commits, certainBefore: false, determined: nil)
    }
}
