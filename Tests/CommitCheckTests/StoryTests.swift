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
    ///
    /// That is the whole trace's order (minimisation off). The minimal counterexample keeps only the
    /// two commits, and in its own order one connection-FIFO step between them is the shortest
    /// chain (issue 30 item 2): never the hundred steps through commits it leaves out.
    @Test(arguments: [false, true])
    func shortestReasonPrefersTheDirectFact(_ minimize: Bool) throws {
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
        var options = VerifyOptions()
        options.minimize = minimize
        let report = try Verifier(options: options).verify(history: history)
        let bad = try #require(report.keys.first { $0.verdict == .violated })
        let example = try #require(bad.counterexample)
        let forced = try #require(example.evidence?.forced)
        #expect(forced.count <= 3, "\(forced.map(\.reason))")
        if minimize {
            #expect(forced.map(\.reason) == [.fifo], "\(forced.map(\.reason))")
            Self.expectChainWithinEvidence(example, "minimised")
        } else {
            #expect(!forced.contains { $0.reason == .fifo }, "\(forced.map(\.reason))")
            #expect(!example.narrative.contains { $0.contains("connection FIFO") })
        }
        #expect(forced.first?.from.role == .apply && forced.first?.from.commit == "new")
        #expect(forced.last?.to.role == .apply && forced.last?.to.commit == "stale")
        // The text tells the same chain: a heading, where it starts, one line per step.
        let heading = try #require(example.narrative.firstIndex { $0.hasPrefix("why the order is forced") })
        let told = example.narrative[(heading + 2)...].prefix { $0.hasPrefix("  then (") }
        #expect(told.count == forced.count)
        // The page lists the same steps, from the typed evidence.
        let page = try HTMLReporter.render(history: history, report: report)
        #expect(page.contains("Why the order is forced (\(forced.count) step"))
    }

    // MARK: Issue 30 item 2: the forced chain uses only the counterexample's events

    /// Checks that every end of every forced step is in the counterexample: an event by its line,
    /// an apply point by one of its commit's events. Returns the steps checked.
    @discardableResult
    static func expectChainWithinEvidence(_ example: Counterexample, _ label: String) -> [ForcedStep] {
        let forced = example.evidence?.forced ?? []
        let events = example.evidence?.events ?? []
        let lines = Set(example.lines)
        let commitsShown = Set(events.compactMap(\.commit))
        for step in forced {
            for end in [step.from, step.to] {
                switch end.role {
                case .event: #expect(end.line.map(lines.contains) == true, "\(label): step end \(end.name) line \(end.line ?? 0) is not in lines \(example.lines)")
                case .apply: #expect(end.commit.map(commitsShown.contains) == true, "\(label): step end \(end.name) is no commit of the evidence \(commitsShown.sorted())")
                case .read: #expect(events.contains { $0.fetch == end.fetch }, "\(label): step end \(end.name) is no fetch of the evidence")
                case .visible: #expect(events.contains { $0.txn == end.txn }, "\(label): step end \(end.name) is no transaction of the evidence")
                }
            }
        }
        return forced
    }

    @Test func recordedSaramaChainSkipsTheCommitTheMinimalTraceLeavesOut() throws {
        // The 1-minimal sub-trace of bv1432-1/4 is lines 20, 21, 24, 25 (commits conn-6-34 and
        // conn-6-36); conn-6-35 (lines 22, 23) lies between them on the connection but is not in it.
        let path = Fixtures.histories.appendingPathComponent("recorded/sarama-1.43.2-proxy-8p-50m.jsonl").path
        let report = try Verifier().verify(paths: [path])
        let key = try #require(report.keys.first { $0.topic == "bv1432-1" && $0.partition == 4 && $0.property == .monotonic })
        #expect(key.verdict == .violated)
        let example = try #require(key.counterexample)
        #expect(example.minimal == true)
        #expect(example.lines == [20, 21, 24, 25], "\(example.lines)")
        let forced = Self.expectChainWithinEvidence(example, "bv1432-1/4")
        #expect(forced.count == 1, "\(forced.map { "\($0.from.name) -\($0.reason)-> \($0.to.name)" })")
        #expect(forced.first?.reason == .fifo)
        #expect(forced.first?.from == EvidencePoint(role: .apply, commit: "conn-6-34"))
        #expect(forced.first?.to == EvidencePoint(role: .apply, commit: "conn-6-36"))
        let heading = try #require(example.narrative.firstIndex { $0.hasPrefix("why the order is forced") })
        #expect(example.narrative[heading] == "why the order is forced (1 step):", "\(example.narrative[heading])")
        #expect(!example.narrative.contains { $0.contains("conn-6-35") }, "\(example.narrative.joined(separator: "\n"))")
        let text = try ReportFormat.text.render(report, failOn: .possible)
        #expect(!text.contains("conn-6-35"))
    }

    /// One connection carries a high commit, an unrelated one, then a lower one of the same key:
    /// the whole trace orders them A -> B -> C by FIFO; the counterexample (A and C) by A -> C.
    static func fifoAroundAnUnrelatedCommit(between unrelated: Int) -> String {
        var lines = [#"{"ev":"meta","format":"commitcheck/1","clock":"monotonic"}"#,
                     #"{"ev":"send","proc":"proxy","thread":"k","ts":1,"commit":"a","conn":"k","group":"g","offsets":{"t/0":5}}"#,
                     #"{"ev":"ack","proc":"proxy","thread":"k","ts":2,"commit":"a","status":"ok"}"#]
        for index in 0..<unrelated {
            let ts = 10 + 2 * index
            lines.append(#"{"ev":"send","proc":"proxy","thread":"k","ts":\#(ts),"commit":"b\#(index)","conn":"k","group":"g","offsets":{"t/1":\#(index)}}"#)
            lines.append(#"{"ev":"ack","proc":"proxy","thread":"k","ts":\#(ts + 1),"commit":"b\#(index)","status":"ok"}"#)
        }
        lines.append(#"{"ev":"send","proc":"proxy","thread":"k","ts":1000,"commit":"c","conn":"k","group":"g","offsets":{"t/0":3}}"#)
        lines.append(#"{"ev":"ack","proc":"proxy","thread":"k","ts":1001,"commit":"c","status":"ok"}"#)
        return lines.joined(separator: "\n") + "\n"
    }

    @Test(arguments: [1, 3])
    func generatedChainUsesOnlyTheCounterexamplesCommits(_ unrelated: Int) throws {
        let history = try TraceReader().read(bytes: Array(Self.fifoAroundAnUnrelatedCommit(between: unrelated).utf8), name: "fifo.jsonl")
        let report = try Verifier().verify(history: history)
        let key = try #require(report.keys.first { $0.partition == 0 && $0.property == .monotonic })
        #expect(key.verdict == .violated)
        let example = try #require(key.counterexample)
        #expect(example.minimal == true)
        let forced = Self.expectChainWithinEvidence(example, "generated")
        #expect(forced.count == 1, "\(forced.map { "\($0.from.name) -\($0.reason)-> \($0.to.name)" })")
        #expect(forced.first?.from == EvidencePoint(role: .apply, commit: "a") && forced.first?.to == EvidencePoint(role: .apply, commit: "c"))
        #expect(!example.narrative.contains { $0.contains("commit b") }, "\(example.narrative.joined(separator: "\n"))")
        // Without minimisation the story rests on the whole trace, and the chain may use all of it.
        var options = VerifyOptions()
        options.minimize = false
        let whole = try Verifier(options: options).verify(history: history)
        let unminimised = try #require(whole.keys.first { $0.partition == 0 && $0.property == .monotonic }?.counterexample)
        #expect(unminimised.evidence?.forced.isEmpty == false)
    }

    @Test func randomChainsStayWithinTheirCounterexamples() throws {
        // Every violated key of many random histories: the chain shown rests on its evidence only.
        var chains = 0
        for seed in UInt64(0)..<UInt64(1_500) {
            guard let history = try? Fixtures.history(RandomHistory.make(seed: seed)),
                  let report = try? Verifier().verify(history: history) else { continue }
            for key in report.keys where key.verdict == .violated && key.property == .monotonic {
                guard let example = key.counterexample, example.minimal == true else { continue }
                if !Self.expectChainWithinEvidence(example, "seed \(seed) \(key.keyDescription)").isEmpty { chains += 1 }
            }
        }
        #expect(chains > 20, "only \(chains) chains checked")
    }
}
