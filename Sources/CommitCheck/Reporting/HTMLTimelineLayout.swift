/// Where each drawn point of one timeline sits: its lane and its x coordinate.
///
/// Columns follow one consistent schedule of the whole history (``Schedule/linearize``), bent by the
/// counterexample's witness so that the apply points fall in the witness's order between their send
/// and ack. The x axis is the timestamps where they are comparable (one process, or wall clocks),
/// with short gaps stretched and long pauses shortened; otherwise it is plain schedule order.
struct HTMLTimelineLayout {
    /// What a mark stands for.
    enum Subject: Hashable {
        /// A recorded event (index into ``History/events``).
        case event(Int)
        /// `A(c)`, drawn on the broker lane (index into ``History/commits``).
        case apply(Int)
        /// `R(f)`, drawn on the broker lane (index into ``History/fetches``).
        case read(Int)
    }

    /// One mark on one lane.
    struct Mark {
        var subject: Subject
        var lane: Int
        var x: Double
        var highlighted: Bool
    }

    /// How the x axis was laid out.
    enum Axis: Equatable {
        /// Proportional to `ts`, short gaps stretched to ``minimumGap``, long pauses shortened.
        case timestamps
        /// One column per point of a consistent schedule, and why the timestamps could not be used.
        case scheduleOrder(because: String)
    }

    /// The smallest distance between two columns, wide enough for a short label.
    static let minimumGap = 84.0
    /// A pause longer than this many typical gaps is drawn shortened, with a break mark.
    static let longestGap = 3.0

    /// Lane names: one per (proc, thread) in order of first appearance, then `broker`.
    var lanes: [String] = []
    var marks: [Mark] = []
    var axis: Axis = .timestamps
    /// The x of each column, with the `ts` label it carries (if any).
    var ticks: [(x: Double, label: String)] = []
    /// x coordinates where a long pause was shortened.
    var pauses: [Double] = []
    /// x coordinates where points were left out to respect the limit, and how many.
    var omissions: [(x: Double, count: Int)] = []
    /// The rightmost x used.
    var width: Double = 0
    /// Recorded events drawn, and in the history.
    var drawnEvents = 0
    var totalEvents = 0

    /// The index of the broker lane (always the last).
    var brokerLane: Int { lanes.count - 1 }

    /// Lays out a history, drawing at most `limit` points (plus every highlighted one).
    ///
    /// - Parameters:
    ///   - focus: the key and counterexample to highlight, or nil for an overview.
    ///   - limit: the most points drawn; on a larger history the highlighted points, the points of
    ///     commits on the focused key and the points nearest the evidence are kept, in that order.
    init(history: History, graph: OrderGraph, focus: (key: PartitionKey, counterexample: Counterexample)?, limit: Int) {
        totalEvents = history.events.count
        let named = focus.map { Self.points(named: $0.counterexample.schedule ?? [], history: history, graph: graph) } ?? []
        var highlighted = Set(named)
        if let focus, history.files.count == 1 {
            let lines = Set(focus.counterexample.lines)
            for (index, event) in history.events.enumerated() where lines.contains(event.line) {
                highlighted.insert(graph.eventPoint[index])
            }
        }
        // A fetch in the evidence brings its read point, where the value it returned was read.
        for (index, fetch) in history.fetches.enumerated()
        where [fetch.fetch, fetch.fetched].contains(where: { $0.map { highlighted.contains(graph.eventPoint[$0]) } ?? false }) {
            highlighted.insert(graph.readPoint[index])
        }
        let kept = Self.select(history: history, graph: graph, highlighted: highlighted, key: focus?.key, limit: limit)
        var extra: [(Int32, Int32)] = []
        for index in named.indices.dropFirst() { extra.append((named[index - 1], named[index])) }
        // Order every point, so that the points left out can be counted where they fall.
        var all = Set<Int32>()
        for point in 0..<graph.pointCount where graph.kinds[point] != .clockBarrier { all.insert(Int32(point)) }
        var everything = Schedule.linearize(graph, history: history, adding: extra, keeping: all)
        if everything.count != all.count {
            // The witness does not fit the whole order (it always should): fall back to the history's own.
            everything = Schedule.linearize(graph, history: history, adding: [], keeping: all)
        }
        var ordered: [Int32] = []
        var omittedBefore: [Int] = []
        var omitted = 0
        for point in everything {
            if kept.contains(point) {
                ordered.append(point)
                omittedBefore.append(omitted)
                omitted = 0
            } else {
                omitted += 1
            }
        }

        // Lanes in order of first appearance; the broker lane last.
        var laneIndex: [String: Int] = [:]
        func lane(of event: TraceEvent) -> Int {
            let name = Self.laneName(event)
            if let index = laneIndex[name] { return index }
            laneIndex[name] = lanes.count
            lanes.append(name)
            return lanes.count - 1
        }
        var columns: [(subjects: [(Subject, Int?)], ts: Int?, proc: String?, omitted: Int)] = []
        for (position, point) in ordered.enumerated() {
            let omitted = omittedBefore[position]
            switch graph.kinds[Int(point)] {
            case .event(let index):
                let event = history.events[index]
                columns.append(([(.event(index), lane(of: event))], event.ts, event.proc, omitted))
            case .apply(let commit):
                // Observed `apply` events share the apply point: draw them in their own lanes too.
                var subjects: [(Subject, Int?)] = [(.apply(commit), nil)]
                for event in history.commits[commit].applies { subjects.append((.event(event), lane(of: history.events[event]))) }
                let observed = history.commits[commit].applies.first.map { history.events[$0] }
                columns.append((subjects, observed?.ts, observed?.proc, omitted))
            case .read(let fetch):
                columns.append(([(.read(fetch), nil)], nil, nil, omitted))
            case .clockBarrier:
                continue
            }
        }
        lanes.append("broker")

        let procs = Set(columns.compactMap { $0.ts == nil ? nil : $0.proc })
        let stamped = columns.filter { $0.ts != nil }.count
        if stamped * 2 < columns.filter({ $0.proc != nil }).count || stamped < 2 {
            axis = .scheduleOrder(because: "the events carry no timestamps")
        } else if procs.count > 1 && history.meta.clock != .wall {
            axis = .scheduleOrder(because: "monotonic clocks of different processes cannot be compared")
        } else {
            axis = .timestamps
        }

        // Typical gap between successive stamped columns, to scale timestamps by.
        var gaps: [Int] = []
        var lastStamp: Int? = nil
        for column in columns {
            guard let ts = column.ts else { continue }
            if let lastStamp, ts > lastStamp { gaps.append(ts - lastStamp) }
            lastStamp = ts
        }
        let typical = Double(gaps.sorted().dropFirst(gaps.count / 2).first ?? 1)

        var x = 0.0
        lastStamp = nil
        for (position, column) in columns.enumerated() {
            if column.omitted > 0 {
                // Points left out: a gap of its own, labelled with how many.
                x += position > 0 ? Self.minimumGap : 0
                omissions.append((x, column.omitted))
                x += Self.minimumGap
            } else if position > 0 {
                var gap = Self.minimumGap
                if axis == .timestamps, let ts = column.ts, let previous = lastStamp, ts > previous {
                    let ratio = Double(ts - previous) / typical
                    if ratio > Self.longestGap { pauses.append(x + Self.minimumGap * Self.longestGap / 2) }
                    gap *= min(max(ratio, 1), Self.longestGap)
                }
                x += gap
            }
            if let ts = column.ts { lastStamp = ts }
            let label = axis == .timestamps ? column.ts.map(String.init) ?? "" : String(position + 1)
            ticks.append((x, label))
            for (subject, laneNumber) in column.subjects {
                let point: Int32 = switch subject {
                case .event(let index): graph.eventPoint[index]
                case .apply(let commit): graph.applyPoint[commit]
                case .read(let fetch): graph.readPoint[fetch]
                }
                marks.append(Mark(subject: subject, lane: laneNumber ?? lanes.count - 1, x: x,
                                  highlighted: highlighted.contains(point)))
                if case .event = subject { drawnEvents += 1 }
            }
        }
        if omitted > 0 {
            x += Self.minimumGap
            omissions.append((x, omitted))
        }
        width = x
    }

    /// `proc/thread`, or `proc` alone for the default thread (as the narrative writes it).
    static func laneName(_ event: TraceEvent) -> String {
        event.thread == "main" ? event.proc : "\(event.proc)/\(event.thread)"
    }

    /// The graph points a witness schedule names (`build g1`, `apply g0-2`, ...), in its order.
    static func points(named steps: [String], history: History, graph: OrderGraph) -> [Int32] {
        var result: [Int32] = []
        var seen = Set<Int32>()
        for step in steps {
            guard let space = step.firstIndex(of: " ") else { continue }
            let kind = String(step[..<space])
            let id = String(step[step.index(after: space)...])
            var point: Int32? = nil
            if let commit = history.commitIndex[id].map({ history.commits[$0] }) {
                switch kind {
                case "build": point = commit.build.map { graph.eventPoint[$0] }
                case "send": point = commit.send.map { graph.eventPoint[$0] }
                case "ack": point = commit.ack.map { graph.eventPoint[$0] }
                case "apply": point = history.commitIndex[id].map { graph.applyPoint[$0] }
                default: break
                }
            }
            if point == nil, let fetch = history.fetches.firstIndex(where: { $0.id == id }) {
                switch kind {
                case "fetch": point = history.fetches[fetch].fetch.map { graph.eventPoint[$0] }
                case "fetched": point = history.fetches[fetch].fetched.map { graph.eventPoint[$0] }
                case "read": point = graph.readPoint[fetch]
                default: break
                }
            }
            if let point, seen.insert(point).inserted { result.append(point) }
        }
        return result
    }

    /// The points to draw: all of them when they fit, else the evidence and what lies nearest it.
    static func select(history: History, graph: OrderGraph, highlighted: Set<Int32>, key: PartitionKey?, limit: Int) -> Set<Int32> {
        var candidates: [(point: Int32, anchor: Int, onKey: Bool)] = []
        for (index, event) in history.events.enumerated() where event.kind != .apply {
            let onKey = key.map { key in
                event.commit.flatMap { history.commitIndex[$0] }.map {
                    let commit = history.commits[$0]
                    return commit.group == key.group && commit.offset(for: key.partition) != nil
                } ?? false
            } ?? false
            candidates.append((graph.eventPoint[index], index, onKey))
        }
        for (index, commit) in history.commits.enumerated() {
            let onKey = key.map { commit.group == $0.group && commit.offset(for: $0.partition) != nil } ?? false
            candidates.append((graph.applyPoint[index], commit.applies.first ?? commit.send ?? commit.build ?? 0, onKey))
        }
        for (index, fetch) in history.fetches.enumerated() {
            candidates.append((graph.readPoint[index], fetch.fetch ?? 0, false))
        }
        if candidates.count <= limit { return Set(candidates.map(\.point)) }

        let anchors = candidates.filter { highlighted.contains($0.point) }.map(\.anchor).sorted()
        func distance(_ anchor: Int) -> Int {
            guard !anchors.isEmpty else { return anchor }
            var low = 0, high = anchors.count
            while low < high {
                let middle = (low + high) / 2
                if anchors[middle] < anchor { low = middle + 1 } else { high = middle }
            }
            var best = Int.max
            if low < anchors.count { best = anchors[low] - anchor }
            if low > 0 { best = min(best, anchor - anchors[low - 1]) }
            return best
        }
        let ranked = candidates.sorted {
            let a = (highlighted.contains($0.point) ? 0 : $0.onKey ? 1 : 2, distance($0.anchor), $0.anchor)
            let b = (highlighted.contains($1.point) ? 0 : $1.onKey ? 1 : 2, distance($1.anchor), $1.anchor)
            return a < b
        }
        var kept = highlighted
        for candidate in ranked where kept.count < limit { kept.insert(candidate.point) }
        return kept
    }
}
