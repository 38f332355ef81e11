/// Renders a report as one self-contained HTML page: the verdict per key, then a timeline per key
/// that failed, with one lane per (proc, thread), the broker's apply points, the counterexample's
/// events highlighted and the regressing pair joined by an arrow.
///
/// The page loads nothing at view time (no scripts, fonts or styles from the network; hover text is
/// SVG `<title>`), so it can be attached to a CI run or a bug report and opened anywhere.
public enum HTMLReporter {
    /// The most points one timeline draws; larger histories are cut down around the evidence.
    public static let pointLimit = 240
    /// The most failing keys that get a timeline of their own; the rest are listed in the table.
    public static let figureLimit = 8

    public static func render(history: History, report: Report) -> String {
        var page = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>commitcheck: \(report.verdict.rawValue)</title>
        <style>\(style)</style>
        </head>
        <body>
        <header>
        <h1>commitcheck report <span class="verdict \(report.verdict.rawValue)">\(report.verdict.rawValue)</span></h1>
        <p class="traces">\(report.traces.map(HTMLEscaping.escape).joined(separator: ", "))</p>
        </header>

        """
        page += keyTable(report)
        if !report.warnings.isEmpty {
            page += "<section class=\"warnings\"><h2>Warnings</h2><ul>"
            for warning in report.warnings { page += "<li>\(HTMLEscaping.escape(warning))</li>" }
            page += "</ul></section>\n"
        }

        let graph: OrderGraph
        do { graph = try OrderGraph(history: history) } catch {
            page += "<p class=\"note\">No timeline: \(HTMLEscaping.escape(error.description))</p>\n</body>\n</html>\n"
            return page
        }
        let failing = report.keys.filter { $0.counterexample != nil && $0.group != nil && $0.topic != nil && $0.partition != nil }
        if failing.isEmpty {
            page += "<section class=\"key-figure\"><h2>The history</h2>\n"
            page += figure(history: history, graph: graph, focus: nil)
            page += "</section>\n"
        }
        for result in failing.prefix(figureLimit) {
            let key = PartitionKey(group: result.group!, partition: TopicPartition(topic: result.topic!, partition: result.partition!))
            let counterexample = result.counterexample!
            page += "<section class=\"key-figure\" id=\"\(anchor(result))\">\n"
            page += "<h2>\(HTMLEscaping.escape(result.keyDescription)), \(result.property.rawValue) <span class=\"verdict \(result.verdict.rawValue)\">\(result.verdict.rawValue)</span></h2>\n"
            page += "<p class=\"summary\">\(HTMLEscaping.escape(counterexample.summary))</p>\n"
            page += figure(history: history, graph: graph, focus: (key, counterexample))
            if !counterexample.narrative.isEmpty {
                page += "<details open><summary>The story</summary><pre class=\"narrative\">"
                page += counterexample.narrative.map(HTMLEscaping.escape).joined(separator: "\n")
                page += "</pre></details>\n"
            }
            if let schedule = counterexample.schedule, !schedule.isEmpty {
                page += "<p class=\"schedule\">Witness schedule: \(schedule.map(HTMLEscaping.escape).joined(separator: " \u{2192} "))</p>\n"
            }
            page += "</section>\n"
        }
        if failing.count > figureLimit {
            page += "<p class=\"note\">\(failing.count - figureLimit) more failing key(s) are listed in the table above without a timeline.</p>\n"
        }
        page += legend
        page += "</body>\n</html>\n"
        return page
    }

    private static func figure(history: History, graph: OrderGraph, focus: (key: PartitionKey, counterexample: Counterexample)?) -> String {
        let layout = HTMLTimelineLayout(history: history, graph: graph, focus: focus, limit: pointLimit)
        var out = "<p class=\"note\">"
        switch layout.axis {
        case .timestamps:
            out += "Time axis: <code>ts</code>, short gaps widened and long pauses (\u{2248}) shortened; apply points sit where a consistent schedule puts them."
        case .scheduleOrder(let reason):
            out += "Time axis: one step per point of a consistent schedule (\(HTMLEscaping.escape(reason)))."
        }
        if layout.drawnEvents < layout.totalEvents {
            out += " Showing \(layout.drawnEvents) of \(layout.totalEvents) events: the evidence, the commits on this key and the events nearest them."
        }
        out += " Hover a mark for its JSON line.</p>\n"
        out += "<div class=\"scroll\">\n" + HTMLTimelineSVG(history: history, layout: layout, focus: focus).render() + "</div>\n"
        return out
    }

    private static func keyTable(_ report: Report) -> String {
        var out = "<section class=\"keys\"><h2>Keys</h2>\n<table>\n<thead><tr><th>key</th><th>property</th><th>verdict</th><th>engine</th><th>why</th></tr></thead>\n<tbody>\n"
        for result in report.keys {
            let why = result.counterexample?.summary ?? result.reason ?? ""
            let name = HTMLEscaping.escape(result.keyDescription)
            let key = result.counterexample == nil ? name : "<a href=\"#\(anchor(result))\">\(name)</a>"
            out += "<tr class=\"key \(result.verdict.rawValue)\"><td>\(key)</td><td>\(result.property.rawValue)</td>"
            out += "<td><span class=\"verdict \(result.verdict.rawValue)\">\(result.verdict.rawValue)</span></td>"
            out += "<td>\(HTMLEscaping.escape(result.engine ?? ""))</td><td>\(HTMLEscaping.escape(why))</td></tr>\n"
        }
        let counts = Dictionary(grouping: report.keys, by: \.verdict).sorted { $0.key > $1.key }
        out += "</tbody>\n</table>\n<p class=\"totals\">\(report.keys.count) key(s): "
        out += counts.map { "\($0.value.count) \($0.key.rawValue)" }.joined(separator: ", ")
        return out + "</p></section>\n"
    }

    /// A fragment id for a key's section, made of safe characters only.
    private static func anchor(_ result: KeyResult) -> String {
        let text = "key-" + result.keyDescription + "-" + result.property.rawValue
        return String(text.unicodeScalars.map { scalar -> Character in
            scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "-" ? Character(scalar) : "_"
        })
    }

    private static let legend = """
    <section class="legend"><h2>Legend</h2><ul>
    <li><span class="dot" style="background:#1e88e5"></span>build</li>
    <li><span class="dot" style="background:#fb8c00"></span>send</li>
    <li><span class="dot" style="background:#43a047"></span>ack ok (<span class="dot" style="background:#e53935"></span>fail, <span class="dot" style="background:#9e9e9e"></span>unknown)</li>
    <li><span class="diamond" style="background:#8e24aa"></span>apply point on the broker lane (pale: may apply; grey: not applied)</li>
    <li><span class="dot" style="background:#00897b"></span>fetch / fetched / read point</li>
    <li><span class="dot halo"></span>evidence of the counterexample; other events are faded</li>
    <li><span class="arrow-sample">\u{2192}</span>the regression: the earlier commit's apply point to the later one's</li>
    <li>dashed grey: a commit's send, apply point and ack</li>
    <li>under a mark: its trace line, then the offset it carries for the key</li>
    </ul></section>

    """

    private static let style = """
    body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #212121; }
    h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 24px 0 6px; }
    .traces, .note, .totals { color: #616161; margin: 4px 0; }
    table { border-collapse: collapse; } th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid #e0e0e0; }
    .verdict { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff; background: #757575; }
    .verdict.holds { background: #2e7d32; } .verdict.violated { background: #c62828; }
    .verdict.possible { background: #ef6c00; } .verdict.unknown { background: #616161; }
    .summary { font-weight: 600; }
    .scroll { overflow-x: auto; border: 1px solid #e0e0e0; border-radius: 4px; }
    svg.timeline { display: block; font: 12px system-ui, sans-serif; }
    svg .lane-label { font-weight: 600; fill: #424242; } svg .broker-lane .lane-label { fill: #6a1b9a; }
    svg .tick, svg .axis-title, svg .pause { fill: #757575; font-size: 11px; }
    svg .label { fill: #212121; } svg .sublabel { fill: #616161; font-size: 11px; }
    svg .highlighted .label { font-weight: 700; }
    svg .context { opacity: 0.45; }
    svg .mark:hover { opacity: 1; cursor: default; }
    svg .arrow-label { fill: #c62828; font-weight: 700; font-size: 13px; }
    pre.narrative { background: #fafafa; border: 1px solid #eee; padding: 8px; overflow-x: auto; }
    .legend ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 6px 18px; }
    .dot, .diamond { display: inline-block; width: 11px; height: 11px; border-radius: 50%; margin-right: 5px; vertical-align: -1px; }
    .diamond { border-radius: 0; transform: rotate(45deg) scale(0.85); }
    .dot.halo { background: #ffd54f; border: 2px solid #c62828; }
    .arrow-sample { color: #c62828; font-weight: 700; margin-right: 5px; }
    """
}
