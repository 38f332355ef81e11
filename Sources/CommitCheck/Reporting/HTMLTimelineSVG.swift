/// Draws one ``HTMLTimelineLayout`` as inline SVG: lanes, marks, the commits' send-apply-ack
/// connectors and the regression arrow.
///
/// Hover text uses SVG `<title>` elements, which every browser shows without JavaScript, so the page
/// stays a single static file.
struct HTMLTimelineSVG {
    let history: History
    let layout: HTMLTimelineLayout
    /// The key whose offsets the broker marks show, and the counterexample whose pair gets the arrow.
    let focus: (key: PartitionKey, counterexample: Counterexample)?

    static let laneHeight = 64.0
    static let labelWidth = 190.0
    static let top = 34.0
    /// How far below the broker lane the regression arrow reaches.
    static let arrowDepth = 84.0
    /// Room under the broker lane: for the arrow when there is one.
    var arrowRoom: Double { focus?.counterexample.laterCommit == nil ? 16 : Self.arrowDepth }

    func render() -> String {
        let width = Self.labelWidth + layout.width + 110
        let height = Self.top + Double(layout.lanes.count) * Self.laneHeight + arrowRoom
        var svg = "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(width))\" height=\"\(n(height))\" viewBox=\"0 0 \(n(width)) \(n(height))\" role=\"img\">\n"
        svg += "<defs><marker id=\"arrowhead\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#c62828\"/></marker><pattern id=\"omitted\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"8\" height=\"8\" fill=\"#eeeeee\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"8\" stroke=\"#bdbdbd\" stroke-width=\"3\"/></pattern></defs>\n"
        svg += lanes(width: width)
        svg += axis(height: height)
        svg += connectors()
        for mark in layout.marks { svg += draw(mark) }
        svg += arrow()
        svg += "</svg>\n"
        return svg
    }

    private func x(_ value: Double) -> Double { Self.labelWidth + 40 + value }
    private func y(lane: Int) -> Double { Self.top + (Double(lane) + 0.5) * Self.laneHeight }

    private func lanes(width: Double) -> String {
        var out = ""
        for (index, name) in layout.lanes.enumerated() {
            let top = Self.top + Double(index) * Self.laneHeight
            let broker = index == layout.brokerLane
            let fill = broker ? "#f3eefb" : index % 2 == 0 ? "#f7f7f7" : "#ffffff"
            out += "<g class=\"lane\(broker ? " broker-lane" : "")\" data-lane=\"\(HTMLEscaping.escape(name))\">"
            out += "<rect x=\"0\" y=\"\(n(top))\" width=\"\(n(width))\" height=\"\(n(Self.laneHeight))\" fill=\"\(fill)\"/>"
            out += "<line x1=\"\(n(Self.labelWidth))\" y1=\"\(n(top + Self.laneHeight / 2))\" x2=\"\(n(width - 20))\" y2=\"\(n(top + Self.laneHeight / 2))\" stroke=\"#c8c8c8\"/>"
            let label = broker ? "broker (apply points)" : HTMLEscaping.shorten(name, to: 26)
            out += "<text class=\"lane-label\" x=\"8\" y=\"\(n(top + Self.laneHeight / 2 + 4))\"><title>\(HTMLEscaping.escape(broker ? "apply points A(c): where the broker applies each commit, placed as the witness schedule orders them" : name))</title>\(HTMLEscaping.escape(label))</text>"
            out += "</g>\n"
        }
        return out
    }

    private func axis(height: Double) -> String {
        var out = "<g class=\"axis\">"
        let title = layout.axis == .timestamps ? "ts (ns)" : "schedule step"
        out += "<text class=\"axis-title\" x=\"8\" y=\"20\">\(title)</text>"
        var lastLabelled = -Double.infinity
        for tick in layout.ticks {
            let position = x(tick.x)
            out += "<line x1=\"\(n(position))\" y1=\"26\" x2=\"\(n(position))\" y2=\"\(n(height - arrowRoom))\" stroke=\"#e4e4e4\" stroke-dasharray=\"2,4\"/>"
            if !tick.label.isEmpty && position - lastLabelled >= 56 {
                out += "<text class=\"tick\" x=\"\(n(position))\" y=\"20\" text-anchor=\"middle\">\(HTMLEscaping.escape(tick.label))</text>"
                lastLabelled = position
            }
        }
        for omission in layout.omissions {
            let position = x(omission.x)
            out += "<g class=\"omission\"><title>\(omission.count) point(s) of the history not drawn here</title>"
            out += "<rect x=\"\(n(position - 10))\" y=\"26\" width=\"20\" height=\"\(n(height - arrowRoom - 26))\" fill=\"url(#omitted)\"/>"
            out += "<text class=\"tick\" x=\"\(n(position))\" y=\"20\" text-anchor=\"middle\">\u{22EF} \(omission.count) not drawn</text></g>"
        }
        for pause in layout.pauses {
            out += "<text class=\"pause\" x=\"\(n(x(pause)))\" y=\"20\" text-anchor=\"middle\"><title>a long pause, drawn shortened</title>\u{2248}</text>"
        }
        return out + "</g>\n"
    }

    /// Thin lines from each commit's send to its apply point to its ack, to show where `A(c)` fell.
    private func connectors() -> String {
        var position: [HTMLTimelineLayout.Subject: (Double, Double)] = [:]
        for mark in layout.marks { position[mark.subject] = (x(mark.x), y(lane: mark.lane)) }
        var out = "<g class=\"connectors\" fill=\"none\" stroke=\"#9e9e9e\" stroke-dasharray=\"3,3\">"
        for (index, commit) in history.commits.enumerated() {
            guard let apply = position[.apply(index)] else { continue }
            let before = (commit.send ?? commit.build).flatMap { position[.event($0)] }
            let after = commit.ack.flatMap { position[.event($0)] }
            var path = ""
            if let before { path += "M\(n(before.0)),\(n(before.1)) L\(n(apply.0)),\(n(apply.1))" }
            if let after { path += (path.isEmpty ? "M\(n(apply.0)),\(n(apply.1))" : "") + " L\(n(after.0)),\(n(after.1))" }
            if !path.isEmpty { out += "<path d=\"\(path)\"/>" }
        }
        return out + "</g>\n"
    }

    private func draw(_ mark: HTMLTimelineLayout.Mark) -> String {
        let cx = x(mark.x), cy = y(lane: mark.lane)
        let (kind, label, sublabel, tooltip, color, attributes) = describe(mark.subject)
        var classes = "mark \(kind)"
        if mark.highlighted { classes += " highlighted" }
        if focus != nil && !mark.highlighted { classes += " context" }
        var out = "<g class=\"\(classes)\"\(attributes)>"
        out += "<title>\(HTMLEscaping.escape(tooltip))</title>"
        if mark.highlighted {
            out += "<circle cx=\"\(n(cx))\" cy=\"\(n(cy))\" r=\"14\" fill=\"#ffd54f\" stroke=\"#c62828\" stroke-width=\"2.5\"/>"
        }
        if case .apply = mark.subject {
            out += "<rect x=\"\(n(cx - 8))\" y=\"\(n(cy - 8))\" width=\"16\" height=\"16\" transform=\"rotate(45 \(n(cx)) \(n(cy)))\" fill=\"\(color)\"/>"
        } else {
            out += "<circle cx=\"\(n(cx))\" cy=\"\(n(cy))\" r=\"8\" fill=\"\(color)\"/>"
        }
        out += "<text class=\"label\" x=\"\(n(cx))\" y=\"\(n(cy - 18))\" text-anchor=\"middle\">\(HTMLEscaping.escape(HTMLEscaping.shorten(label, to: 15)))</text>"
        if !sublabel.isEmpty {
            out += "<text class=\"sublabel\" x=\"\(n(cx))\" y=\"\(n(cy + 26))\" text-anchor=\"middle\">\(HTMLEscaping.escape(HTMLEscaping.shorten(sublabel, to: 15)))</text>"
        }
        return out + "</g>\n"
    }

    /// CSS kind, label, sublabel, hover text, fill colour and data attributes of a mark.
    private func describe(_ subject: HTMLTimelineLayout.Subject) -> (String, String, String, String, String, String) {
        switch subject {
        case .event(let index):
            let event = history.events[index]
            let id = event.commit ?? event.fetch ?? ""
            var label = "\(event.kind.rawValue) \(id)"
            var color = switch event.kind {
            case .build: "#1e88e5"
            case .send: "#fb8c00"
            case .ack: "#43a047"
            case .apply: "#8e24aa"
            case .fetch, .fetched: "#00897b"
            case .meta: "#757575"
            }
            if case .ack(_, let status, _) = event.payload {
                label = "ack \(status.rawValue) \(id)"
                if status == .fail { color = "#e53935" } else if status == .unknown { color = "#9e9e9e" }
            }
            var sublabel = history.files.count > 1 ? "\(history.files[event.file].split(separator: "/").last ?? ""):\(event.line)" : "line \(event.line)"
            if let focus, let offset = event.offsets?.first(where: { $0.0 == focus.key.partition })?.1 {
                sublabel += " \u{00B7} \(offset)"
            }
            let tooltip = "\(history.location(of: index))\n\(TraceLineWriter.line(event, history: history))"
            let attributes = " data-line=\"\(event.line)\" data-kind=\"\(event.kind.rawValue)\" data-id=\"\(HTMLEscaping.escape(id))\""
            return (event.kind.rawValue, label, sublabel, tooltip, color, attributes)
        case .apply(let index):
            let commit = history.commits[index]
            var tooltip = "A(\(commit.id)): the broker applies commit \(commit.id) of group \(commit.group)"
            for (partition, offset) in commit.offsets {
                let status = switch history.applyStatus(of: index, on: partition) {
                case .applied: "applied"
                case .maybe: "may apply"
                case .notApplied: "not applied"
                }
                tooltip += "\n\(partition) = \(offset) (\(status))"
            }
            var sublabel = focus == nil ? commit.offsets.map { "\($0.0.partition):\($0.1)" }.joined(separator: " ") : ""
            var color = "#8e24aa"
            if let focus, let offset = commit.offset(for: focus.key.partition), commit.group == focus.key.group {
                sublabel = "\(focus.key.partition) = \(offset)"
                switch history.applyStatus(of: index, on: focus.key.partition) {
                case .applied: break
                case .maybe: color = "#ce93d8"; sublabel += "?"
                case .notApplied: color = "#bdbdbd"; sublabel += " \u{2717}"
                }
            }
            return ("apply-point", "apply \(commit.id)", sublabel, tooltip, color, " data-id=\"\(HTMLEscaping.escape(commit.id))\"")
        case .read(let index):
            let fetch = history.fetches[index]
            let read = focus.flatMap { focus in fetch.results.first { $0.0 == focus.key.partition }.map { "\($0.0) = \($0.1)" } } ?? ""
            let results = fetch.results.map { "\n\($0.0) = \($0.1)" }.joined()
            return ("read-point", "read \(fetch.id)", read, "R(\(fetch.id)): fetch \(fetch.id) of group \(fetch.group) reads the register\(results)",
                    "#00897b", " data-id=\"\(HTMLEscaping.escape(fetch.id))\"")
        }
    }

    /// The arrow from the earlier commit's apply point to the later one's, labelled `from -> to`.
    private func arrow() -> String {
        guard let focus, let laterID = focus.counterexample.laterCommit,
              let later = history.commitIndex[laterID],
              let end = layout.marks.first(where: { $0.subject == .apply(later) }) else { return "" }
        let baseline = y(lane: layout.brokerLane) + 32
        let x2 = x(end.x)
        let x1: Double
        var label = "\(focus.counterexample.fromOffset.map(String.init) ?? "?") -> \(focus.counterexample.toOffset.map(String.init) ?? "?")"
        if let earlierID = focus.counterexample.earlierCommit, let earlier = history.commitIndex[earlierID],
           let start = layout.marks.first(where: { $0.subject == .apply(earlier) }) {
            x1 = x(start.x)
        } else {
            x1 = Self.labelWidth + 8
            label = "initial " + label
        }
        let depth = Self.arrowDepth - 30
        let path = "M\(n(x1)),\(n(baseline)) C\(n(x1)),\(n(baseline + depth)) \(n(x2)),\(n(baseline + depth)) \(n(x2)),\(n(baseline))"
        var out = "<g class=\"regression-arrow\" data-from=\"\(HTMLEscaping.escape(focus.counterexample.earlierCommit ?? ""))\" data-to=\"\(HTMLEscaping.escape(laterID))\">"
        out += "<title>\(HTMLEscaping.escape(focus.counterexample.summary))</title>"
        out += "<path d=\"\(path)\" fill=\"none\" stroke=\"#c62828\" stroke-width=\"2.5\" marker-end=\"url(#arrowhead)\"/>"
        out += "<text class=\"arrow-label\" x=\"\(n((x1 + x2) / 2))\" y=\"\(n(baseline + depth * 0.75 + 14))\" text-anchor=\"middle\">\(HTMLEscaping.escape(label))</text>"
        return out + "</g>\n"
    }

    /// A coordinate with at most one decimal, as SVG needs no more.
    private func n(_ value: Double) -> String {
        let tenths = (value * 10).rounded()
        return tenths.truncatingRemainder(dividingBy: 10) == 0 ? String(Int(tenths) / 10) : String(tenths / 10)
    }
}
