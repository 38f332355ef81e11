import Foundation

/// Lanes, x coordinates, labels and arrows of one figure (the second half of ``HTMLFigureBuilder``).
///
/// The x axis is compressed so that a recorded trace reads on one screen: each step between two
/// drawn points is one unit, widened by the logarithm of the time that passed when the timestamps are
/// comparable; a gap more than ``idleFactor`` times the typical one is cut to a fixed width and marked
/// with the time it stood for, and a place where points were left out gets a mark with how many.
extension HTMLFigureBuilder {
    /// A gap this many times the typical one is idle time: cut, with a break mark.
    static let idleFactor = 12.0
    /// The width, in units, of a cut (idle time or left-out points).
    static let cutWidth = 1.6

    func layOut(_ figure: inout HTMLFigure, ordered: [Int32], kept: Set<Int32>, highlighted: Set<Int32>, focus: HTMLFigureFocus?) {
        // Lanes in order of first appearance; the broker lane last.
        var laneIndex: [String: Int] = [:]
        var names: [String] = []
        func lane(_ event: TraceEvent) -> Int {
            let name = event.thread == "main" ? event.proc : "\(event.proc)/\(event.thread)"
            if let index = laneIndex[name] { return index }
            laneIndex[name] = names.count
            names.append(name)
            return names.count - 1
        }
        struct Column { var subjects: [(point: Int32, event: Int?, lane: Int?)]; var ts: Int?; var proc: String?; var anchor: Int }
        var columns: [Column] = []
        for point in ordered {
            switch graph.kinds[Int(point)] {
            case .event(let index):
                let event = history.events[index]
                columns.append(Column(subjects: [(point, index, lane(event))], ts: event.ts, proc: event.proc, anchor: index))
            case .apply(let commit):
                var subjects: [(point: Int32, event: Int?, lane: Int?)] = [(point, nil, nil)]
                for event in history.commits[commit].applies { subjects.append((point, event, lane(history.events[event]))) }
                let observed = history.commits[commit].applies.first.map { history.events[$0] }
                columns.append(Column(subjects: subjects, ts: observed?.ts, proc: observed?.proc, anchor: anchor(point)))
            case .read, .visible:
                columns.append(Column(subjects: [(point, nil, nil)], ts: nil, proc: nil, anchor: anchor(point)))
            case .clockBarrier:
                continue
            }
        }
        // The lanes that take part in the evidence come first, so the first view starts with them.
        var takesPart = Set<Int>()
        for column in columns {
            for subject in column.subjects where highlighted.contains(subject.point) { if let lane = subject.lane { takesPart.insert(lane) } }
        }
        let laneOrder = names.indices.filter { takesPart.contains($0) } + names.indices.filter { !takesPart.contains($0) }
        var newLane = [Int](repeating: 0, count: names.count)
        for (position, lane) in laneOrder.enumerated() { newLane[lane] = position }
        names = laneOrder.map { names[$0] }
        for index in columns.indices {
            for subject in columns[index].subjects.indices {
                if let lane = columns[index].subjects[subject].lane { columns[index].subjects[subject].lane = newLane[lane] }
            }
        }
        let broker = names.count
        names.append("broker")
        let prefix = Self.sharedPrefix(Array(names.dropLast()))
        figure.lanePrefix = prefix
        figure.lanes = names.enumerated().map { index, name in
            HTMLFigure.Lane(name: name, shown: index < broker && prefix != nil ? "\u{2026}" + name.dropFirst(prefix!.count) : name,
                            evidence: index == broker || index < takesPart.count || takesPart.isEmpty)
        }

        // The axis: timestamps when they are comparable, else schedule steps.
        let procs = Set(columns.compactMap { $0.ts == nil ? nil : $0.proc })
        let stamped = columns.filter { $0.ts != nil }.count
        if stamped * 2 < columns.filter({ $0.proc != nil }).count || stamped < 2 {
            figure.axis = "step"
            figure.axisNote = "one step per point of a consistent schedule (the events carry no timestamps)"
        } else if procs.count > 1 && history.meta.clock != .wall {
            figure.axis = "step"
            figure.axisNote = "one step per point of a consistent schedule (monotonic clocks of different processes cannot be compared)"
        } else {
            figure.axis = "ts"
            figure.axisNote = "time since the first drawn event; idle stretches are cut (\u{2248})"
        }
        var gaps: [Int] = []
        var last: Int? = nil
        for column in columns {
            guard let ts = column.ts else { continue }
            if let last, ts > last { gaps.append(ts - last) }
            last = ts
        }
        let typical = Double(max(gaps.sorted().dropFirst(gaps.count / 2).first ?? 1, 1))
        let firstStamp = columns.lazy.compactMap(\.ts).first

        // Left-out events between two drawn columns, by trace position.
        var keptEvents = Set<Int>()
        for point in kept { if case .event(let index) = graph.kinds[Int(point)] { keptEvents.insert(index) } }
        let sortedKept = keptEvents.sorted()
        func keptBetween(_ a: Int, _ b: Int) -> Int {
            func lowerBound(_ value: Int) -> Int {
                var low = 0, high = sortedKept.count
                while low < high { let mid = (low + high) / 2; if sortedKept[mid] < value { low = mid + 1 } else { high = mid } }
                return low
            }
            return lowerBound(b) - lowerBound(a + 1)
        }

        var x = 0.0
        var lastStamp: Int? = nil
        var lastAnchor: Int? = nil
        var indexOf: [Int32: Int] = [:]
        var eventIndexOf: [Int: Int] = [:]
        for (position, column) in columns.enumerated() {
            if position == 0 {
                // Events before the first drawn one were left out: a mark at the start.
                let left = column.anchor - keptBetween(-1, column.anchor)
                if left > 0 {
                    figure.omissions.append(HTMLFigure.Mark(x: 0, label: "\u{22EF} \(left) not drawn"))
                    x = Self.cutWidth
                }
            } else {
                var gap = 1.0
                var cut = false
                if figure.axis == "ts", let ts = column.ts, let previous = lastStamp, ts > previous {
                    let ratio = Double(ts - previous) / typical
                    if ratio > Self.idleFactor {
                        cut = true
                        figure.breaks.append(HTMLFigure.Mark(x: x + Self.cutWidth / 2, label: "\u{2248} " + Self.duration(ts - previous) + " idle"))
                    } else if ratio > 1 {
                        gap += min(log2(ratio), 2)
                    }
                }
                if let previous = lastAnchor, column.anchor > previous + 1 {
                    let left = column.anchor - previous - 1 - keptBetween(previous, column.anchor)
                    if left > 0 {
                        cut = true
                        figure.omissions.append(HTMLFigure.Mark(x: x + Self.cutWidth / 2, label: "\u{22EF} \(left) not drawn"))
                    }
                }
                x += cut ? Self.cutWidth + 0.6 : gap
            }
            if let ts = column.ts { lastStamp = ts }
            lastAnchor = max(lastAnchor ?? column.anchor, column.anchor)
            if figure.axis == "ts" {
                if let ts = column.ts, let firstStamp { figure.ticks.append(HTMLFigure.Mark(x: x, label: "+" + Self.duration(ts - firstStamp))) }
            } else {
                figure.ticks.append(HTMLFigure.Mark(x: x, label: String(position + 1)))
            }
            for subject in column.subjects {
                let mark = self.mark(subject.point, event: subject.event, lane: subject.lane ?? broker, x: x,
                                     highlighted: highlighted.contains(subject.point), key: focus?.key)
                if let event = subject.event {
                    eventIndexOf[event] = figure.points.count
                    figure.drawnEvents += 1
                } else {
                    indexOf[subject.point] = figure.points.count
                }
                figure.points.append(mark)
            }
        }
        if let lastAnchor {
            let left = history.events.count - 1 - lastAnchor - keptBetween(lastAnchor, history.events.count)
            if left > 0 { figure.omissions.append(HTMLFigure.Mark(x: x + Self.cutWidth, label: "\u{22EF} \(left) not drawn")) }
        }
        // Event points are found by their event; apply and read points by their graph point.
        func index(of point: Int32) -> Int? {
            if case .event(let event) = graph.kinds[Int(point)] { return eventIndexOf[event] }
            return indexOf[point]
        }

        // Commit ids share a prefix in real traces (`racy_consumer-9917-12`): say it once.
        var ids = Set<String>()
        for point in ordered {
            switch graph.kinds[Int(point)] {
            case .event(let index): if let id = history.events[index].commit ?? history.events[index].fetch { ids.insert(id) }
            case .apply(let commit): ids.insert(history.commits[commit].id)
            case .read(let fetch): ids.insert(history.fetches[fetch].id)
            case .visible(let index): ids.insert(history.transactions[graph.transactionCommits[index].transaction].id)
            case .clockBarrier: break
            }
        }
        if ids.count > 1, let idPrefix = Self.sharedPrefix(Array(ids)) {
            figure.idPrefix = idPrefix
            for index in figure.points.indices {
                figure.points[index].top = figure.points[index].top.replacingOccurrences(of: " " + idPrefix, with: " \u{2026}")
                    .replacingOccurrences(of: "(" + idPrefix, with: "(\u{2026}")
            }
        }

        // Connectors: each commit's send, apply point and ack.
        for (commitIndex, commit) in history.commits.enumerated() {
            guard let apply = indexOf[graph.applyPoint[commitIndex]] else { continue }
            let chain = [commit.send.flatMap { eventIndexOf[$0] }, apply, commit.ack.flatMap { eventIndexOf[$0] }].compactMap { $0 }
            if chain.count > 1 { figure.links.append(chain) }
        }

        // Arrows: the forced chain, step by step with its reason, and the regression.
        if let evidence = focus?.counterexample.evidence {
            for step in evidence.forced {
                guard let from = point(step.from).flatMap(index(of:)), let to = point(step.to).flatMap(index(of:)) else { continue }
                figure.arrows.append(HTMLFigure.Arrow(from: from, to: to, label: step.reason.label, kind: step.reason.rawValue))
            }
            if let later = evidence.laterApply.flatMap(point).flatMap(index(of:)) {
                let example = focus!.counterexample
                let label = "\(example.fromOffset.map(String.init) ?? "?") \u{2192} \(example.toOffset.map(String.init) ?? "?")"
                if let earlier = evidence.earlierApply.flatMap(point).flatMap(index(of:)) {
                    figure.arrows.append(HTMLFigure.Arrow(from: earlier, to: later, label: label, kind: "regression"))
                } else {
                    figure.arrows.append(HTMLFigure.Arrow(from: -1, to: later, label: "initial " + label, kind: "regression"))
                }
            }
        }

        let xs = figure.points.map(\.x) + figure.omissions.map(\.x)
        figure.span = [xs.min() ?? 0, xs.max() ?? 0]
        let evidenceXs = figure.points.filter(\.evidence).map(\.x)
        figure.window = evidenceXs.isEmpty ? figure.span : [evidenceXs.min()!, evidenceXs.max()!]
    }

    /// One mark: its kind, labels and hover detail.
    private func mark(_ point: Int32, event: Int?, lane: Int, x: Double, highlighted: Bool, key: PartitionKey?) -> HTMLFigure.Point {
        if let event {
            let e = history.events[event]
            let id = e.commit ?? e.fetch ?? ""
            var kind = e.kind.rawValue
            if e.kind == .ack { kind = "ack-" + (e.status?.rawValue ?? "unknown") }
            if e.kind == .apply { kind = "observed" }
            let location = history.location(of: event)
            var bottom = location
            var detail = "\(location) \u{00B7} \(e.thread == "main" ? e.proc : "\(e.proc)/\(e.thread)")"
            if let ts = e.ts { detail += " \u{00B7} ts \(ts)" }
            detail += "\n" + TraceLineWriter.line(e, history: history)
            if let key, let commit = e.commit.flatMap({ history.commitIndex[$0] }), history.commits[commit].group == key.group,
               let offset = history.commits[commit].offset(for: key.partition) {
                bottom += " \u{00B7} \(offset)"
                detail += "\n\(key.partition) = \(offset)"
            }
            return HTMLFigure.Point(lane: lane, x: x, kind: kind, id: "\(e.kind.rawValue) \(id)", top: "\(e.kind.rawValue) \(id)",
                                    bottom: bottom, evidence: highlighted, detail: detail)
        }
        switch graph.kinds[Int(point)] {
        case .apply(let commit):
            let c = history.commits[commit]
            var kind = "apply"
            var bottom = ""
            var detail = "A(\(c.id)): where commit \(c.id) takes effect at the group coordinator"
            detail += "\noffsets: " + c.offsets.map { "\($0.0) = \($0.1)" }.joined(separator: ", ")
            let partition = key?.partition ?? c.offsets.first?.0
            if let partition, c.offset(for: partition) != nil {
                let status = history.applyStatus(of: commit, on: partition)
                kind = status == .applied ? "apply" : status == .maybe ? "apply-maybe" : "apply-none"
                let offset = c.offset(for: partition)!
                bottom = key == nil ? c.offsets.map { "\($0.0.partition):\($0.1)" }.joined(separator: " ") : "= \(offset)"
                detail += "\n\(partition): " + Storyteller.effectPhrase(history, commit: commit, partition: partition)
            }
            return HTMLFigure.Point(lane: lane, x: x, kind: kind, id: "apply \(c.id)", top: "A(\(c.id))", bottom: bottom,
                                    evidence: highlighted, detail: detail)
        case .visible(let index):
            let entry = graph.transactionCommits[index]
            let transaction = history.transactions[entry.transaction]
            let detail = "C(\(transaction.id)): where transaction \(transaction.id)'s staged offsets of group \(entry.group) become visible "
                + "(\(Storyteller.outcomePhrase(transaction.outcome)))"
            return HTMLFigure.Point(lane: lane, x: x, kind: "visible", id: "visible \(transaction.id)", top: "C(\(transaction.id))",
                                    bottom: "", evidence: highlighted, detail: detail)
        case .read(let fetch):
            let f = history.fetches[fetch]
            let value = key.flatMap { key in f.results.first { $0.0 == key.partition }?.1 }
            let detail = "R(\(f.id)): where fetch \(f.id) reads the committed offsets\nresults: "
                + f.results.map { "\($0.0) = \($0.1)" }.joined(separator: ", ")
            return HTMLFigure.Point(lane: lane, x: x, kind: "read", id: "read \(f.id)", top: "R(\(f.id))",
                                    bottom: value.map { "= \($0)" } ?? "", evidence: highlighted, detail: detail)
        default:
            return HTMLFigure.Point(lane: lane, x: x, kind: "other", id: "", top: "", bottom: "", evidence: false, detail: "")
        }
    }

    /// The longest prefix all names share, cut after a separator, when it is worth saying once.
    static func sharedPrefix(_ names: [String]) -> String? {
        guard names.count > 1, var prefix = names.first.map(Array.init) else { return nil }
        for name in names.dropFirst() {
            let characters = Array(name)
            var length = 0
            while length < min(prefix.count, characters.count) && prefix[length] == characters[length] { length += 1 }
            prefix = Array(prefix[..<length])
        }
        // Cut at the last `/` when there is one (`proc/`), so a thread keeps its whole name; else at
        // the last separator.
        let separators: Set<Character> = prefix.contains("/") ? ["/"] : ["/", "-", "_", ".", ":", "@", " "]
        while let last = prefix.last, !separators.contains(last) { prefix.removeLast() }
        guard prefix.count >= 4, names.allSatisfy({ $0.count > prefix.count }) else { return nil }
        return String(prefix)
    }

    /// A duration in nanoseconds, in the unit that reads best (`850 ns`, `2.8 ms`, `1.23 s`, `3.5 min`).
    static func duration(_ nanoseconds: Int) -> String {
        let value = Double(nanoseconds)
        func format(_ number: Double, _ unit: String) -> String {
            let digits = number >= 100 ? 0 : number >= 10 ? 1 : 2
            var text = String(Int((number * pow10(digits)).rounded()))
            if digits > 0 {
                while text.count <= digits { text = "0" + text }
                text.insert(".", at: text.index(text.endIndex, offsetBy: -digits))
                while text.hasSuffix("0") { text.removeLast() }
                if text.hasSuffix(".") { text.removeLast() }
            }
            return text + " " + unit
        }
        if value < 1e3 { return "\(nanoseconds) ns" }
        if value < 1e6 { return format(value / 1e3, "\u{00B5}s") }
        if value < 1e9 { return format(value / 1e6, "ms") }
        if value < 120e9 { return format(value / 1e9, "s") }
        return format(value / 60e9, "min")
    }

    private static func pow10(_ digits: Int) -> Double { digits == 0 ? 1 : digits == 1 ? 10 : 100 }
}
