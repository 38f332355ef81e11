import Foundation

/// Renders a report as one self-contained HTML page that opens on the evidence.
///
/// Each bad key (up to ``figureLimit``) gets a timeline drawn from its typed ``Evidence``: the first
/// view is the window of the counterexample, idle time cut, the lanes that take part named in full,
/// the regression and the forced-order chain as labelled arrows; zoom, pan, "fit evidence" and "fit
/// all" explore the rest, and hovering a mark shows its file, line and JSON line. A key list with
/// filters links to every key. Nothing is loaded from anywhere (inline style and script), so the
/// file can be attached to a CI run or a bug report; its size is bounded by the figure and point
/// limits, not by the trace (a million-event trace makes a page of a few hundred kilobytes).
public enum HTMLReporter {
    /// The most points one timeline draws; on a larger history the evidence is drawn in full, then
    /// the key's commits and the events nearest the evidence, and the page says how many are shown.
    package static let pointLimit = 320
    /// The most bad keys that get a timeline of their own; the others get their story as text.
    package static let figureLimit = 8
    /// The most story lines written for a key (the text report has them all).
    static let storyLimit = 80

    /// The page; throws when a figure's data cannot be encoded (rather than drawing an empty figure).
    public static func render(history: History, report: Report) throws -> String {
        var page = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>commitcheck: \(report.verdict.rawValue)</title>
        <style>\(HTMLPageStyle.source)</style>
        </head>
        <body>
        <header>
        <h1>commitcheck <span class="verdict \(report.verdict.rawValue)">\(report.verdict.rawValue)</span>
        <span class="counts">\(HTMLEscaping.escape(tally(report)))</span> <a class="jump" href="#keys">all keys</a></h1>
        <p class="traces">\(report.traces.map { HTMLEscaping.escape($0) }.joined(separator: ", "))</p>
        </header>

        """
        let anchors = report.keys.indices.map { "k\($0)" }
        let bad = report.keys.indices.filter { report.keys[$0].verdict != .holds && report.keys[$0].counterexample != nil }
        var builder: HTMLFigureBuilder? = nil
        var graphProblem: String? = nil
        do { builder = HTMLFigureBuilder(history: history, graph: try OrderGraph(history: history)) } catch {
            graphProblem = error.description
        }
        if let graphProblem { page += "<p class=\"note\">No timeline: \(HTMLEscaping.escape(graphProblem))</p>\n" }
        var figures = 0
        for index in bad {
            let result = report.keys[index]
            let counterexample = result.counterexample!
            page += "<section class=\"key-figure\" id=\"\(anchors[index])\">\n"
            page += "<h2>\(HTMLEscaping.escape(result.keyDescription)) \u{00B7} \(result.property.rawValue) <span class=\"verdict \(result.verdict.rawValue)\">\(result.verdict.rawValue)</span></h2>\n"
            page += "<p class=\"summary\">\(HTMLEscaping.escape(counterexample.summary))</p>\n"
            if figures < figureLimit, let builder, let group = result.group, let topic = result.topic, let partition = result.partition {
                let key = PartitionKey(group: group, partition: TopicPartition(topic: topic, partition: partition))
                page += try figure(builder.figure(focus: HTMLFigureFocus(key: key, counterexample: counterexample), limit: pointLimit), number: figures)
                figures += 1
            } else if figures >= figureLimit {
                page += "<p class=\"note\">No timeline for this key: the page draws the first \(figureLimit) bad keys (the evidence below is complete).</p>\n"
            }
            page += evidenceText(counterexample)
            page += "</section>\n"
        }
        if bad.isEmpty, let builder {
            page += "<section class=\"key-figure\" id=\"history\"><h2>The history</h2>\n"
            page += "<p class=\"summary\">Every key holds; the first \(pointLimit) points of the history:</p>\n"
            page += try figure(builder.figure(focus: nil, limit: pointLimit), number: 0)
            page += "</section>\n"
        }
        page += keyList(report, anchors: anchors)
        if !report.warnings.isEmpty {
            page += "<section class=\"warnings\"><h2>Warnings</h2><ul>"
            for warning in report.warnings { page += "<li>\(HTMLEscaping.escape(warning))</li>" }
            page += "</ul></section>\n"
        }
        page += legend
        page += "<script>\(HTMLPageScript.source)</script>\n</body>\n</html>\n"
        return page
    }

    /// One figure: its toolbar, a note on what is drawn, the drawing (filled by the script), the
    /// hover detail, and the figure's data as JSON.
    static func figure(_ figure: HTMLFigure, number: Int) throws -> String {
        var note = "Time axis: \(figure.axisNote)."
        if let prefix = figure.lanePrefix { note += " Lanes: <code>\(HTMLEscaping.escape(prefix))\u{2026}</code>." }
        if let prefix = figure.idPrefix { note += " Commit ids: <code>\(HTMLEscaping.escape(prefix))\u{2026}</code>." }
        if figure.drawnEvents < figure.totalEvents {
            note += " Showing \(figure.drawnEvents) of \(figure.totalEvents) events: the evidence in full, then the key's commits and the events nearest the evidence; \u{22EF} marks where events are left out."
        }
        var out = "<div class=\"figure\" tabindex=\"0\" data-figure=\"\(number)\">\n"
        out += "<div class=\"toolbar\"><button class=\"fit-evidence\" title=\"e\">fit evidence</button><button class=\"fit-all\" title=\"a\">fit all</button>"
        out += "<button class=\"zoom-in\" title=\"+\">+</button><button class=\"zoom-out\" title=\"-\">\u{2212}</button>"
        out += "<span class=\"range\"></span><span class=\"hint\">wheel: zoom \u{00B7} drag or \u{2190} \u{2192}: pan \u{00B7} hover or click a mark for its line</span></div>\n"
        out += "<p class=\"note\">\(note)</p>\n"
        out += "<svg class=\"timeline\" role=\"img\" aria-label=\"timeline\"></svg>\n"
        out += "<pre class=\"details\">Hover or click a mark: its file and line, its JSON line, its offsets.</pre>\n"
        out += "<script type=\"application/json\" class=\"figure-data\">\(try json(figure))</script>\n</div>\n"
        return out
    }

    /// The figure's data for the script: JSON with `<`, `>` and `&` escaped, so that nothing in a
    /// trace can end the script element.
    static func json(_ figure: HTMLFigure) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(figure)
        var out = String.UnicodeScalarView()
        for scalar in String(decoding: data, as: UTF8.self).unicodeScalars {
            switch scalar {
            case "<": out.append(contentsOf: "\\u003c".unicodeScalars)
            case ">": out.append(contentsOf: "\\u003e".unicodeScalars)
            case "&": out.append(contentsOf: "\\u0026".unicodeScalars)
            case "\u{2028}": out.append(contentsOf: "\\u2028".unicodeScalars)
            case "\u{2029}": out.append(contentsOf: "\\u2029".unicodeScalars)
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    /// The forced chain, the story and the witness of a key, from its typed evidence.
    static func evidenceText(_ counterexample: Counterexample) -> String {
        var out = ""
        if let evidence = counterexample.evidence, !evidence.forced.isEmpty {
            out += "<div class=\"forced\"><h3>Why the order is forced (\(evidence.forced.count) step\(evidence.forced.count == 1 ? "" : "s"))</h3><ol>"
            for step in evidence.forced {
                out += "<li><span class=\"reason \(step.reason.rawValue)\">\(step.reason.label)</span>: \(HTMLEscaping.escape(describe(step.from))) \u{2192} \(HTMLEscaping.escape(describe(step.to)))</li>"
            }
            out += "</ol></div>\n"
        }
        if !counterexample.narrative.isEmpty {
            let lines = counterexample.narrative.prefix(storyLimit).map { HTMLEscaping.escape($0) }
            out += "<details class=\"story\"><summary>The story (\(counterexample.narrative.count) lines)</summary><pre class=\"narrative\">"
            out += lines.joined(separator: "\n")
            if counterexample.narrative.count > storyLimit {
                out += "\n\u{2026} \(counterexample.narrative.count - storyLimit) more lines: see the text report"
            }
            out += "</pre></details>\n"
        }
        if let witness = counterexample.evidence?.witness, !witness.isEmpty {
            out += "<p class=\"schedule\">Witness schedule: \(witness.map { HTMLEscaping.escape($0.name) }.joined(separator: " \u{2192} "))</p>\n"
        }
        return out
    }

    /// A typed point as one short phrase: `line 7 consumer-1/G1 send g1`, `A(g1)`.
    static func describe(_ point: EvidencePoint) -> String {
        switch point.role {
        case .event:
            let location = point.file.map { "\(($0 as NSString).lastPathComponent):\(point.line ?? 0)" } ?? "line \(point.line ?? 0)"
            let actor = point.thread == nil || point.thread == "main" ? point.proc ?? "" : "\(point.proc ?? "")/\(point.thread!)"
            return "\(location) \(actor) \(point.name)"
        case .apply: return "A(\(point.commit ?? ""))"
        case .read: return "R(\(point.fetch ?? ""))"
        case .visible: return "C(\(point.txn ?? ""))"
        }
    }

    /// `3 key(s): 1 violated, 2 holds`.
    static func tally(_ report: Report) -> String {
        let counts = [Verdict.violated, .possible, .unknown, .holds].compactMap { verdict -> String? in
            let count = report.keys.filter { $0.verdict == verdict }.count
            return count > 0 ? "\(count) \(verdict.rawValue)" : nil
        }
        return "\(report.keys.count) key(s): " + counts.joined(separator: ", ")
    }

    /// Every key, filterable by verdict and group. A bad key links to its section; a key that holds
    /// links to its own row, which holds its proof facts when `--explain` gave them.
    static func keyList(_ report: Report, anchors: [String]) -> String {
        var out = "<section class=\"keys\" id=\"keys\"><h2>Keys</h2>\n<div class=\"filters\"><label>verdict <select id=\"verdict-filter\">"
        out += "<option value=\"all\">all</option>"
        for verdict in [Verdict.violated, .possible, .unknown, .holds] { out += "<option value=\"\(verdict.rawValue)\">\(verdict.rawValue)</option>" }
        out += "</select></label> <label>group <input id=\"group-filter\" type=\"search\" placeholder=\"filter by group\"></label> <span id=\"key-count\"></span></div>\n"
        out += "<table id=\"key-list\">\n<thead><tr><th>key</th><th>property</th><th>verdict</th><th>engine</th><th>why</th></tr></thead>\n<tbody>\n"
        for (index, result) in report.keys.enumerated() {
            let bad = result.verdict != .holds && result.counterexample != nil
            let name = HTMLEscaping.escape(result.keyDescription)
            out += "<tr class=\"key \(result.verdict.rawValue)\" data-verdict=\"\(result.verdict.rawValue)\" data-group=\"\(HTMLEscaping.escape(result.group ?? result.register ?? ""))\""
            out += bad ? ">" : " id=\"\(anchors[index])\">"
            out += "<td><a href=\"#\(anchors[index])\">\(name)</a></td><td>\(result.property.rawValue)</td>"
            out += "<td><span class=\"verdict \(result.verdict.rawValue)\">\(result.verdict.rawValue)</span></td>"
            out += "<td>\(HTMLEscaping.escape(result.engine ?? ""))</td><td>"
            if result.verdict == .holds, let proof = result.counterexample {
                out += "\(HTMLEscaping.escape(result.reason ?? ""))<details><summary>proof facts</summary><pre>"
                out += proof.narrative.prefix(storyLimit).map { HTMLEscaping.escape($0) }.joined(separator: "\n") + "</pre></details>"
            } else {
                out += HTMLEscaping.escape(result.counterexample?.summary ?? result.reason ?? "")
                if result.verdict == .holds { out += " <span class=\"hint\">(proof facts: <code>--explain</code>)</span>" }
            }
            out += "</td></tr>\n"
        }
        return out + "</tbody>\n</table>\n</section>\n"
    }

    private static let legend = """
    <section class="legend"><h2>Legend</h2><ul>
    <li><span class="dot" style="background:#1e88e5"></span>build</li>
    <li><span class="dot" style="background:#fb8c00"></span>send</li>
    <li><span class="dot" style="background:#43a047"></span>ack ok (<span class="dot" style="background:#e53935"></span>fail, <span class="dot" style="background:#9e9e9e"></span>unknown)</li>
    <li><span class="diamond" style="background:#8e24aa"></span>apply point A(c) on the broker lane (pale: may apply; grey: not applied)</li>
    <li><span class="dot" style="background:#00897b"></span>fetch / fetched / read point R(f)</li>
    <li><span class="dot" style="background:#5e35b1"></span>C(T): where transaction T's staged offsets become visible (a staged commit's A(c) is where it was staged); <span class="dot" style="background:#f4511e"></span>end / <span class="dot" style="background:#7cb342"></span>ended: its EndTxn and answer</li>
    <li><span class="dot halo"></span>evidence of the counterexample; other events are faded</li>
    <li><span class="arrow-sample">\u{2192}</span>red: the regression; coloured: a forced step, labelled with its reason</li>
    <li>dashed grey: a commit's send, apply point and ack; \u{2248} cut idle time; \u{22EF} events left out</li>
    </ul></section>

    """
}
