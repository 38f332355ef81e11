import Foundation
import Testing
@testable import CommitCheck

/// The structure of the HTML report: figures drawn from typed evidence, the witness layout, escaping,
/// the size cap, the key list and the `--html` flag. What a reader sees is checked in a browser by
/// BrowserChecksTests.
@Suite struct HTMLReportTests {
    static func figure(_ history: History, _ result: KeyResult, limit: Int = HTMLReporter.pointLimit) throws -> HTMLFigure {
        let key = PartitionKey(group: try #require(result.group), partition: TopicPartition(topic: try #require(result.topic), partition: try #require(result.partition)))
        let builder = HTMLFigureBuilder(history: history, graph: try OrderGraph(history: history))
        return builder.figure(focus: HTMLFigureFocus(key: key, counterexample: try #require(result.counterexample)), limit: limit)
    }

    @Test func seedFigureIsDrawnFromTheTypedEvidence() throws {
        let (history, report) = try HTMLFixtures.verify("sarama-2940-seed.jsonl")
        let failing = try #require(report.keys.first { $0.verdict == .violated })
        let example = try #require(failing.counterexample)
        let evidence = try #require(example.evidence)
        let figure = try Self.figure(history, failing)
        #expect(figure.lanes.map(\.name) == ["consumer-1/G0", "consumer-1/G1", "broker"])
        // Exactly the evidence is highlighted: its events (by line) and the points the witness names.
        let highlighted = Set(figure.points.filter(\.evidence).map(\.id))
        let expected = Set(evidence.events.map(\.name) + evidence.witness.map(\.name) + evidence.forced.flatMap { [$0.from.name, $0.to.name] })
        #expect(highlighted == expected)
        #expect(Set(example.lines).isSuperset(of: [7, 8, 9]))
        // The regression arrow joins the pair's apply points; one arrow per forced step, with its reason.
        let regression = try #require(figure.arrows.first { $0.kind == "regression" })
        #expect(figure.points[regression.from].id == "apply \(example.earlierCommit!)")
        #expect(figure.points[regression.to].id == "apply \(example.laterCommit!)")
        #expect(regression.label == "12 \u{2192} 11")
        let steps = figure.arrows.filter { $0.kind != "regression" }
        #expect(steps.map(\.kind) == evidence.forced.map(\.reason.rawValue))
        #expect(steps.map(\.label) == evidence.forced.map(\.reason.label))
        // The figure opens on the evidence.
        let xs = figure.points.filter(\.evidence).map(\.x)
        #expect(figure.window == [xs.min()!, xs.max()!])
    }

    @Test func pageLoadsNothingFromOutside() throws {
        let (history, report) = try HTMLFixtures.verify("sarama-2940-seed.jsonl")
        let page = try HTMLReporter.render(history: history, report: report)
        for forbidden in ["http://", "https://", "<link", "src=", "@import", "//cdn", "fetch(", "XMLHttpRequest", "import("] {
            #expect(!page.contains(forbidden), "\(forbidden)")
        }
        #expect(page.matches(of: /url\((?!#|"#)/).isEmpty, "only in-page url(#...) references")
        #expect(page.matches(of: /<script(?! type="application\/json" class="figure-data")>?/).count == 1, "one inline script, the page's own")
    }

    @Test func hoverDetailIsEachEventsJSONLine() throws {
        let (history, report) = try HTMLFixtures.verify("sarama-2940-seed.jsonl")
        let failing = try #require(report.keys.first { $0.verdict == .violated })
        let figure = try Self.figure(history, failing)
        for (index, event) in history.events.enumerated() {
            let line = TraceLineWriter.line(event, history: history)
            let point = try #require(figure.points.first { $0.detail.hasPrefix(history.location(of: index) + " ") })
            #expect(point.detail.contains("\n" + line))
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["ev"] as? String == event.kind.rawValue)
            #expect(object["orig_line"] as? Int == event.line)
        }
    }

    /// Every drawn commit's apply point lies between its send and its ack, each lane runs in
    /// program order, and the regressing pair's apply points are in the witness's order.
    @Test(arguments: ["sarama-2940-seed.jsonl", "sarama-latent-race.jsonl", "wire-observed-apply.jsonl",
                      "two-groups.jsonl", "initial-offset.jsonl", "two-procs-wall.jsonl", "seed-unknown-ack.jsonl",
                      "fetch-decides-order.jsonl", "fetch-stale-read.jsonl", "recorded/kafka-python-racy.jsonl"])
    func layoutFollowsTheWitness(name: String) throws {
        let (history, report) = try HTMLFixtures.verify(name)
        for result in report.keys where result.counterexample != nil && result.verdict != .holds {
            let figure = try Self.figure(history, result, limit: 1000)
            var x: [String: Double] = [:]
            for point in figure.points where point.lane == figure.lanes.count - 1 || !point.id.hasPrefix("apply ") { x[point.id] = point.x }
            for commit in history.commits {
                let apply = try #require(x["apply \(commit.id)"], "\(name): apply point of \(commit.id)")
                if commit.send != nil { #expect(x["send \(commit.id)"]! < apply, "\(name): send before apply of \(commit.id)") }
                if commit.ack != nil { #expect(apply < x["ack \(commit.id)"]!, "\(name): apply before ack of \(commit.id)") }
            }
            for fetch in history.fetches {
                let read = try #require(x["read \(fetch.id)"])
                if fetch.fetch != nil { #expect(x["fetch \(fetch.id)"]! < read, "\(name): fetch before read of \(fetch.id)") }
                if fetch.fetched != nil { #expect(read < x["fetched \(fetch.id)"]!, "\(name): read before fetched of \(fetch.id)") }
            }
            for lane in figure.lanes.indices.dropLast() {
                let xs = figure.points.filter { $0.lane == lane }.map(\.x)
                #expect(xs == xs.sorted(), "\(name): program order in lane \(figure.lanes[lane].name)")
            }
            if let example = result.counterexample, let earlier = example.earlierCommit, let later = example.laterCommit, result.property == .monotonic {
                #expect(x["apply \(earlier)"]! < x["apply \(later)"]!, "\(name): witness order of the pair")
            }
            #expect(figure.drawnEvents == history.events.count)
        }
    }

    /// Lanes that share a long prefix say it once and keep the part that tells them apart.
    @Test func lanesShortenTheirSharedPrefixOnce() throws {
        let (history, report) = try HTMLFixtures.verify("recorded/kafka-python-racy.jsonl")
        let failing = try #require(report.keys.first { $0.verdict != .holds && $0.counterexample != nil })
        let figure = try Self.figure(history, failing)
        let prefix = try #require(figure.lanePrefix)
        #expect(prefix.hasPrefix("racy_consumer-"))
        let threads = figure.lanes.dropLast()
        #expect(threads.count >= 2)
        #expect(Set(threads.map(\.shown)).count == threads.count)
        for lane in threads { #expect(lane.shown == "\u{2026}" + lane.name.dropFirst(prefix.count)) }
        #expect(HTMLFigureBuilder.sharedPrefix(["a/1", "a/2"]) == nil, "too short to be worth it")
        #expect(HTMLFigureBuilder.sharedPrefix(["consumer-1/G0", "consumer-1/G1"]) == "consumer-1/")
        #expect(HTMLFigureBuilder.sharedPrefix(["payments/worker-1", "payments/worker-12"]) == "payments/", "a thread keeps its whole name")
        #expect(HTMLFigureBuilder.sharedPrefix(["payments-worker-1", "payments-worker-12"]) == "payments-worker-")
    }

    /// With one file per thread, line numbers repeat across files: evidence points carry their file,
    /// and the figure highlights exactly them.
    @Test func severalFilesResolveEvidenceByFileAndLine() throws {
        let seed = try String(contentsOf: HTMLFixtures.histories.appendingPathComponent("sarama-2940-seed.jsonl"), encoding: .utf8)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("commitcheck-html-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var paths: [String] = []
        for thread in ["G0", "G1"] {
            let file = directory.appendingPathComponent("\(thread).jsonl")
            try seed.split(separator: "\n").filter { $0.contains("\"thread\":\"\(thread)\"") }.joined(separator: "\n")
                .write(to: file, atomically: true, encoding: .utf8)
            paths.append(file.path)
        }
        let history = try TraceReader().read(paths: paths)
        let report = try Verifier().verify(history: history)
        let failing = try #require(report.keys.first { $0.verdict == .violated })
        let evidence = try #require(failing.counterexample?.evidence)
        #expect(Set(evidence.files) == Set(paths))
        let figure = try Self.figure(history, failing)
        let highlighted = figure.points.filter { $0.evidence && !$0.id.hasPrefix("apply ") }
        let expected = Set(evidence.events.map { "\($0.file!):\($0.line!)" })
        #expect(Set(highlighted.map { String($0.bottom.split(separator: " ").first ?? "") }).isSuperset(of: expected))
        #expect(figure.points.contains { $0.bottom.hasPrefix("\(paths[1]):1 \u{00B7} 11") })
    }

    @Test func untrustedNamesAreEscaped() throws {
        let proc = #"<b>"x"&'y'</b>"#
        let thread = "</script><script>alert(1)</script>"
        let quoted = proc.replacingOccurrences(of: "\"", with: "\\\"")
        let trace = """
        {"ev":"build","proc":"\(quoted)","thread":"\(thread)","ts":1,"commit":"c<1>","group":"g&h","offsets":{"t<x>/0":12}}
        {"ev":"send","proc":"\(quoted)","thread":"\(thread)","ts":2,"commit":"c<1>"}
        {"ev":"ack","proc":"\(quoted)","thread":"\(thread)","ts":3,"commit":"c<1>","status":"ok"}
        {"ev":"build","proc":"\(quoted)","thread":"\(thread)","ts":4,"commit":"c\\"2","group":"g&h","offsets":{"t<x>/0":11}}
        {"ev":"send","proc":"\(quoted)","thread":"\(thread)","ts":5,"commit":"c\\"2"}
        {"ev":"ack","proc":"\(quoted)","thread":"\(thread)","ts":6,"commit":"c\\"2","status":"ok"}
        """
        let (history, report) = try HTMLFixtures.verify(jsonl: trace)
        #expect(history.events.first?.proc == proc)
        #expect(report.keys.contains { $0.counterexample != nil })
        let page = try HTMLReporter.render(history: history, report: report)
        #expect(!page.contains("<script>alert"))
        #expect(!page.contains("</script><script>"))
        #expect(!page.contains("<b>"))
        #expect(!page.contains("c<1>"))
        #expect(page.contains("g&amp;h"))
        // The figure's data is JSON with <, > and & escaped: it cannot end its script element.
        let data = try #require(page.firstMatch(of: /<script type="application\/json" class="figure-data">([^<]*)<\/script>/)?.output.1)
        let figure = try #require(try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any])
        let lanes = try #require(figure["lanes"] as? [[String: Any]])
        #expect(lanes.first?["name"] as? String == proc + "/" + thread)
        #expect(data.contains("\\u003cb\\u003e"))
    }

    /// A long history is cut down around the evidence, and the page says so.
    @Test func largeHistoryIsCappedAroundTheEvidence() throws {
        var lines = [#"{"ev":"build","proc":"c","thread":"G1","ts":5,"commit":"stale","group":"g","offsets":{"t/0":1}}"#]
        let count = 3000
        for index in 0..<count {
            let ts = 10 + index * 30
            lines.append(#"{"ev":"build","proc":"c","thread":"G0","ts":\#(ts),"commit":"n\#(index)","group":"g","offsets":{"t/0":\#(index + 2)}}"#)
            lines.append(#"{"ev":"send","proc":"c","thread":"G0","ts":\#(ts + 10),"commit":"n\#(index)"}"#)
            lines.append(#"{"ev":"ack","proc":"c","thread":"G0","ts":\#(ts + 20),"commit":"n\#(index)","status":"ok"}"#)
        }
        lines.append(#"{"ev":"send","proc":"c","thread":"G1","ts":\#(10 + count * 30),"commit":"stale"}"#)
        lines.append(#"{"ev":"ack","proc":"c","thread":"G1","ts":\#(20 + count * 30),"commit":"stale","status":"ok"}"#)
        let (history, report) = try HTMLFixtures.verify(jsonl: lines.joined(separator: "\n"))
        let failing = try #require(report.keys.first { $0.counterexample != nil })
        let clock = ContinuousClock()
        var page = ""
        let elapsed = try clock.measure { page = try HTMLReporter.render(history: history, report: report) }
        #expect(elapsed < .seconds(20))
        let figure = try Self.figure(history, failing)
        let evidence = figure.points.filter(\.evidence)
        #expect(figure.points.count <= HTMLReporter.pointLimit + evidence.count)
        #expect(figure.points.count >= HTMLReporter.pointLimit / 2)
        #expect(page.contains("Showing \(figure.drawnEvents) of \(history.events.count) events"))
        #expect(Set(evidence.map(\.id)).isSuperset(of: ["apply stale", "send stale"]))
        #expect(!figure.omissions.isEmpty, "a mark where events are left out")
        print("HTML report of \(history.events.count) events: \(page.utf8.count) bytes, \(figure.points.count) points, rendered in \(elapsed)")
    }

    /// Every key is listed and linked, and every link has a target (no dead anchors).
    @Test func keyListLinksEveryKey() throws {
        let (history, report) = try HTMLFixtures.verify("recorded/kafka-python-racy.jsonl")
        let page = try HTMLReporter.render(history: history, report: report)
        let links = page.matches(of: /href="#([^"]+)"/).map { String($0.output.1) }
        let ids = Set(page.matches(of: /\sid="([^"]+)"/).map { String($0.output.1) })
        #expect(links.count >= report.keys.count)
        #expect(links.allSatisfy { ids.contains($0) }, "dead: \(links.filter { !ids.contains($0) })")
        for key in report.keys {
            #expect(page.contains("<tr class=\"key \(key.verdict.rawValue)\" data-verdict=\"\(key.verdict.rawValue)\""))
        }
    }

    @Test func commandWritesTheHTMLFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("commitcheck-html-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("report.html")
        let result = try HTMLFixtures.run(HTMLFixtures.executable.path, ["verify", "--html", file.path, "histories/sarama-2940-seed.jsonl"], seconds: 60)
        let (_, report) = try HTMLFixtures.verify("sarama-2940-seed.jsonl")
        #expect(report.verdict == .violated && result.code == 1, "the seed history is violated: exit 1")
        let page = try String(contentsOf: file, encoding: .utf8)
        #expect(page.hasPrefix("<!DOCTYPE html>"))
        #expect(page.contains("\"name\":\"consumer-1\\/G0\""))
        #expect(page.contains("\"kind\":\"regression\""))
    }
}
