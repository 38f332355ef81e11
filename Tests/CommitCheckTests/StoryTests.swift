import Foundation
import Testing
@testable import CommitCheck

/// What the story of a bad key says beyond the regressing pair.
@Suite struct StoryTests {
    @Test func joinedSaramaStoryNamesTheStaleBuild() throws {
        // Real Sarama v1.43.2: the shim's builds joined with the proxy's wire trace of the same run.
        let paths = ["recorded/sarama-1.43.2-clientbuild-run1.jsonl", "recorded/sarama-1.43.2-proxy-run1.jsonl"]
            .map { Fixtures.histories.appendingPathComponent($0).path }
        let report = try Verifier().verify(paths: paths)
        let bad = try #require(report.keys.first { $0.verdict == .violated })
        let story = try #require(bad.counterexample)
        let stale = try #require(story.narrative.first { $0.hasPrefix("stale snapshot:") })
        #expect(stale.contains("commit \(story.laterCommit!) was built ("))
        #expect(stale.contains("sarama-1.43.2-clientbuild-run1.jsonl:"))
        #expect(stale.contains("before commit \(story.earlierCommit!) was built"))
        // The proxy trace alone has no builds, so it tells no such thing.
        let alone = try Verifier().verify(paths: [paths[1]])
        #expect(alone.keys.compactMap(\.counterexample).allSatisfy { !$0.narrative.contains { $0.hasPrefix("stale snapshot:") } })
    }

    @Test func seedStoryNamesTheStaleSnapshot() throws {
        let report = try Verifier().verify(paths: [Fixtures.histories.appendingPathComponent("sarama-2940-seed.jsonl").path])
        let story = try #require(report.keys.first { $0.partition == 0 }?.counterexample)
        #expect(story.narrative.contains { $0.hasPrefix("stale snapshot: commit g1 was built") })
        #expect(story.largestDrop == 1 && story.guaranteedDrop == 1)
    }

    @Test func regressionSizeInEveryFormat() throws {
        // The calibrated simulator's run whose broker really went 3 -> 1 on orders/0.
        let path = Fixtures.histories.appendingPathComponent("simulated/unsynchronized-v1432-2p-seed1.jsonl").path
        let history = try TraceReader().read(paths: [path])
        let report = try Verifier().verify(history: history)
        let bad = try #require(report.keys.first { $0.partition == 0 && $0.property == .monotonic })
        let size = try #require(bad.counterexample?.largestDrop)
        #expect(size >= 2, "the broker's truth dropped by 2; the story's adjacent pair alone says less")
        let line = "regression size: up to \(size) offsets lost"
        #expect(try ReportFormat.text.render(report, failOn: .possible).contains(line))
        #expect(try ReportFormat.json.render(report, failOn: .possible).contains("\"largestDrop\" : \(size)"))
        #expect(try HTMLReporter.render(history: history, report: report).contains(line))
    }

    /// One connection, a commit acknowledged, a hundred other commits, then a stale one: the order is
    /// forced by "the ack came before the stale send" (three facts), not by a hundred FIFO steps.
    @Test func shortestReasonPrefersTheDirectFact() throws {
        var lines = [#"{"ev":"build","proc":"c","thread":"w","ts":1,"commit":"new","group":"g","offsets":{"t/0":50}}"#,
                     #"{"ev":"send","proc":"c","thread":"w","ts":2,"commit":"new","conn":"k"}"#,
                     #"{"ev":"ack","proc":"c","thread":"w","ts":3,"commit":"new","status":"ok"}"#]
        for index in 0..<100 {
            let ts = 10 + index * 3
            lines.append(#"{"ev":"build","proc":"c","thread":"w","ts":\#(ts),"commit":"o\#(index)","group":"g","offsets":{"t/1":\#(index)}}"#)
            lines.append(#"{"ev":"send","proc":"c","thread":"w","ts":\#(ts + 1),"commit":"o\#(index)","conn":"k"}"#)
            lines.append(#"{"ev":"ack","proc":"c","thread":"w","ts":\#(ts + 2),"commit":"o\#(index)","status":"ok"}"#)
        }
        lines.append(#"{"ev":"build","proc":"c","thread":"w","ts":1000,"commit":"stale","group":"g","offsets":{"t/0":40}}"#)
        lines.append(#"{"ev":"send","proc":"c","thread":"w","ts":1001,"commit":"stale","conn":"k"}"#)
        lines.append(#"{"ev":"ack","proc":"c","thread":"w","ts":1002,"commit":"stale","status":"ok"}"#)
        let history = try TraceReader().read(bytes: Array(lines.joined(separator: "\n").utf8), name: "fifo.jsonl")
        let report = try Verifier().verify(history: history)
        let bad = try #require(report.keys.first { $0.verdict == .violated })
        let example = try #require(bad.counterexample)
        let forced = try #require(example.evidence?.forced)
        #expect(forced.count <= 3, "\(forced.map(\.reason))")
        #expect(!forced.contains { $0.reason == .fifo }, "\(forced.map(\.reason))")
        #expect(forced.first?.from.role == .apply && forced.first?.from.commit == "new")
        #expect(forced.last?.to.role == .apply && forced.last?.to.commit == "stale")
        // The text tells the same chain: a heading, where it starts, one line per step.
        let heading = try #require(example.narrative.firstIndex { $0.hasPrefix("why the order is forced") })
        let told = example.narrative[(heading + 2)...].prefix { $0.hasPrefix("  then (") }
        #expect(told.count == forced.count)
        #expect(!example.narrative.contains { $0.contains("connection FIFO") })
        // The page lists the same steps, from the typed evidence.
        let page = try HTMLReporter.render(history: history, report: report)
        #expect(page.contains("Why the order is forced (\(forced.count) step"))
    }
}
