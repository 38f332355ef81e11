import Foundation
import Testing
@testable import CommitCheck

/// The structure of the HTML report: lanes, evidence, the arrow, hover text, escaping, size limits.
@Suite struct HTMLReportTests {
    @Test func seedStoryHasLanesEvidenceAndArrow() throws {
        let (history, report) = try HTMLFixtures.verify("sarama-2940-seed.jsonl")
        let page = HTMLReporter.render(history: history, report: report)
        for lane in ["consumer-1/G0", "consumer-1/G1", "broker"] {
            #expect(page.contains("data-lane=\"\(lane)\""), "lane \(lane)")
        }
        let failing = try #require(report.keys.first { $0.counterexample != nil })
        let counterexample = try #require(failing.counterexample)
        // Exactly the counterexample's lines are highlighted; the seed's story rests on lines 7, 8, 9.
        #expect(Set(HTMLFixtures.highlightedLines(page)) == Set(counterexample.lines))
        #expect(Set(counterexample.lines).isSuperset(of: [7, 8, 9]))
        let earlier = try #require(counterexample.earlierCommit), later = try #require(counterexample.laterCommit)
        #expect(page.contains("<g class=\"regression-arrow\" data-from=\"\(earlier)\" data-to=\"\(later)\">"))
        let from = try #require(counterexample.fromOffset), to = try #require(counterexample.toOffset)
        #expect(page.contains(">\(from) -&gt; \(to)</text>"))
        // Every key is listed with its verdict, including those that hold.
        for key in report.keys {
            #expect(page.contains("<tr class=\"key \(key.verdict.rawValue)\"><td>"))
            #expect(page.contains(HTMLEscaping.escape(key.keyDescription)))
        }
    }

    @Test func pageLoadsNothingFromOutside() throws {
        let (history, report) = try HTMLFixtures.verify("sarama-2940-seed.jsonl")
        let page = HTMLReporter.render(history: history, report: report)
        let withoutNamespace = page.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
        for forbidden in ["http://", "https://", "<script", "<link", "src=", "@import", "url(http"] {
            #expect(!withoutNamespace.contains(forbidden), "\(forbidden)")
        }
    }

    @Test func hoverTextIsEachEventsJSONLine() throws {
        let (history, report) = try HTMLFixtures.verify("sarama-2940-seed.jsonl")
        let page = HTMLReporter.render(history: history, report: report)
        for (index, event) in history.events.enumerated() {
            let line = TraceLineWriter.line(event, history: history)
            #expect(page.contains("<title>\(HTMLEscaping.escape(history.location(of: index) + "\n" + line))</title>"))
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["ev"] as? String == event.kind.rawValue)
            #expect(object["proc"] as? String == event.proc)
            #expect(object["thread"] as? String ?? "main" == event.thread)
            #expect(object["commit"] as? String == event.commit)
            #expect(object["ts"] as? Int == event.ts)
            #expect(object["orig_line"] as? Int == event.line)
        }
    }

    /// Every drawn commit's apply point lies between its send and its ack, each lane runs in
    /// program order, and the regressing pair's apply points are in the witness's order.
    @Test(arguments: ["sarama-2940-seed.jsonl", "sarama-latent-race.jsonl", "wire-observed-apply.jsonl",
                      "two-groups.jsonl", "initial-offset.jsonl", "two-procs-wall.jsonl", "seed-unknown-ack.jsonl",
                      "fetch-decides-order.jsonl", "fetch-stale-read.jsonl"])
    func layoutFollowsTheWitness(name: String) throws {
        let (history, report) = try HTMLFixtures.verify(name)
        let graph = try OrderGraph(history: history)
        for result in report.keys {
            guard let counterexample = result.counterexample else { continue }
            let key = PartitionKey(group: result.group!, partition: TopicPartition(topic: result.topic!, partition: result.partition!))
            let layout = HTMLTimelineLayout(history: history, graph: graph, focus: (key, counterexample), limit: 1000)
            var x: [HTMLTimelineLayout.Subject: Double] = [:]
            for mark in layout.marks { x[mark.subject] = mark.x }
            for (index, commit) in history.commits.enumerated() {
                let apply = try #require(x[.apply(index)])
                if let send = commit.send { #expect(x[.event(send)]! < apply, "\(name): send before apply of \(commit.id)") }
                if let ack = commit.ack { #expect(apply < x[.event(ack)]!, "\(name): apply before ack of \(commit.id)") }
            }
            for (index, fetch) in history.fetches.enumerated() {
                let read = try #require(x[.read(index)])
                if let issued = fetch.fetch { #expect(x[.event(issued)]! < read, "\(name): fetch before read of \(fetch.id)") }
                if let answered = fetch.fetched { #expect(read < x[.event(answered)]!, "\(name): read before fetched of \(fetch.id)") }
            }
            for lane in layout.lanes.indices where lane != layout.brokerLane {
                let events = layout.marks.filter { $0.lane == lane }.compactMap { mark -> (Int, Double)? in
                    if case .event(let index) = mark.subject { return (index, mark.x) }
                    return nil
                }.sorted { $0.0 < $1.0 }
                #expect(events.map(\.1) == events.map(\.1).sorted(), "\(name): program order in lane \(layout.lanes[lane])")
            }
            if let later = counterexample.laterCommit.flatMap({ history.commitIndex[$0] }),
               let earlier = counterexample.earlierCommit.flatMap({ history.commitIndex[$0] }) {
                #expect(x[.apply(earlier)]! < x[.apply(later)]!, "\(name): witness order of the pair")
            }
            #expect(layout.drawnEvents == history.events.count)
        }
    }

    /// With one file per thread, line numbers repeat across files: only the points the witness
    /// schedule names are highlighted, and marks are labelled `file:line`.
    @Test func severalFilesHighlightTheWitnessPoints() throws {
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
        let counterexample = try #require(report.keys.first { $0.counterexample != nil }?.counterexample)
        let page = HTMLReporter.render(history: history, report: report)
        let schedule = try #require(counterexample.schedule)
        let highlighted = page.matches(of: /<g class="mark ([a-z-]+) [^"]*highlighted[^"]*"[^>]*data-id="([^"]*)"/)
            .map { "\($0.output.1 == "apply-point" ? "apply" : $0.output.1) \($0.output.2)" }
        #expect(Set(highlighted) == Set(schedule))
        #expect(page.contains(">G1.jsonl:1 \u{00B7} 11</text>"))
        #expect(page.contains("data-lane=\"consumer-1/G0\"") && page.contains("data-lane=\"consumer-1/G1\""))
    }

    @Test func untrustedNamesAreEscaped() throws {
        let proc = #"<b>"x"&'y'</b>"#
        let thread = "</svg><script>alert(1)</script>"
        let trace = """
        {"ev":"build","proc":"\(proc.replacingOccurrences(of: "\"", with: "\\\""))","thread":"\(thread)","ts":1,"commit":"c<1>","group":"g&h","offsets":{"t<x>/0":12}}
        {"ev":"send","proc":"\(proc.replacingOccurrences(of: "\"", with: "\\\""))","thread":"\(thread)","ts":2,"commit":"c<1>"}
        {"ev":"ack","proc":"\(proc.replacingOccurrences(of: "\"", with: "\\\""))","thread":"\(thread)","ts":3,"commit":"c<1>","status":"ok"}
        {"ev":"build","proc":"\(proc.replacingOccurrences(of: "\"", with: "\\\""))","thread":"\(thread)","ts":4,"commit":"c\\"2","group":"g&h","offsets":{"t<x>/0":11}}
        {"ev":"send","proc":"\(proc.replacingOccurrences(of: "\"", with: "\\\""))","thread":"\(thread)","ts":5,"commit":"c\\"2"}
        {"ev":"ack","proc":"\(proc.replacingOccurrences(of: "\"", with: "\\\""))","thread":"\(thread)","ts":6,"commit":"c\\"2","status":"ok"}
        """
        let (history, report) = try HTMLFixtures.verify(jsonl: trace)
        #expect(history.events.first?.proc == proc)
        #expect(report.keys.contains { $0.counterexample != nil })
        let page = HTMLReporter.render(history: history, report: report)
        #expect(!page.contains("<script"))
        #expect(!page.contains("<b>"))
        #expect(!page.contains("c<1>"))
        #expect(page.contains("data-lane=\"\(HTMLEscaping.escape(proc + "/" + thread))\""))
        #expect(page.contains("&lt;b&gt;&quot;x&quot;&amp;&#39;y&#39;&lt;/b&gt;"))
        #expect(page.contains("data-from=\"c&lt;1&gt;\" data-to=\"c&quot;2\""))
        // Each drawing is well-formed XML: nothing in the names broke out of its element or attribute.
        var rest = page[...]
        var drawings = 0
        while let start = rest.range(of: "<svg "), let end = rest.range(of: "</svg>", range: start.upperBound..<rest.endIndex) {
            let svg = String(rest[start.lowerBound..<end.upperBound])
            #expect(try HTMLFixtures.xmlProblem(svg) == nil)
            drawings += 1
            rest = rest[end.upperBound...]
        }
        #expect(drawings == 1)
        // The checker itself rejects what unescaped names would produce.
        #expect(try HTMLFixtures.xmlProblem("<svg><text>a <b>\"x\"</text></svg>") != nil)
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
        let counterexample = try #require(report.keys.first?.counterexample)
        let clock = ContinuousClock()
        var page = ""
        let elapsed = clock.measure { page = HTMLReporter.render(history: history, report: report) }
        #expect(elapsed < .seconds(20))
        let marks = page.components(separatedBy: "<g class=\"mark ").count - 1
        #expect(marks <= HTMLReporter.pointLimit)
        #expect(marks >= HTMLReporter.pointLimit / 2)
        #expect(page.contains("Showing \(page.components(separatedBy: "data-line=\"").count - 1) of \(history.events.count) events"))
        #expect(Set(HTMLFixtures.highlightedLines(page)) == Set(counterexample.lines))
        #expect(page.contains("data-to=\"stale\""))
        #expect(page.contains(" not drawn</text>"))
        print("HTML report of \(history.events.count) events: \(page.utf8.count) bytes, \(marks) marks, rendered in \(elapsed)")
    }

    @Test func commandWritesTheHTMLFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("commitcheck-html-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("report.html")
        let result = try HTMLFixtures.run(HTMLFixtures.executable.path, ["verify", "--html", file.path, "histories/sarama-2940-seed.jsonl"], seconds: 60)
        let (_, report) = try HTMLFixtures.verify("sarama-2940-seed.jsonl")
        #expect(result.code == report.exitCode().rawValue)
        let page = try String(contentsOf: file, encoding: .utf8)
        #expect(page.hasPrefix("<!DOCTYPE html>"))
        #expect(page.contains("data-lane=\"consumer-1/G0\""))
        #expect(page.contains("class=\"regression-arrow\""))
    }
}
