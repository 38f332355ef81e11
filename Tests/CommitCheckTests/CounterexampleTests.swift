import Foundation
import Testing
@testable import CommitCheck

/// Minimal counterexamples re-verify to the same verdict and are 1-minimal (specs/verdicts.md, `counterexample.minimal`).
@Suite struct CounterexampleTests {
    static let bad = HistoryManifestTests.expectations.filter { $0.verdict == .violated || $0.verdict == .possible }

    func sameKey(_ result: KeyResult, _ key: PartitionKey, _ property: Property = .monotonic) -> Bool {
        result.group == key.group && result.topic == key.partition.topic && result.partition == key.partition.partition
            && result.property == property
    }

    @Test(arguments: bad)
    func subTraceReverifiesAndIsOneMinimal(_ expectation: HistoryManifestTests.Expectation) throws {
        let report = try Verifier().verify(paths: expectation.paths)
        let result = try #require(report.keys.first { sameKey($0, expectation.key, expectation.property) })
        let example = try #require(result.counterexample)
        #expect(example.minimal == true)
        let subTrace = try #require(example.subTrace)
        let sub = try TraceReader().read(bytes: Array(subTrace.utf8))
        let again = try Verifier().verify(history: sub)
        #expect(again.keys.first { sameKey($0, expectation.key, expectation.property) }?.verdict == expectation.verdict)
        // Dropping any one event lifts the verdict (or leaves input that is no longer valid).
        let lines = subTrace.split(separator: "\n").map(String.init)
        #expect(lines.count >= 2)
        for index in 1..<lines.count {
            var shorter = lines
            shorter.remove(at: index)
            let text = shorter.joined(separator: "\n") + "\n"
            guard let history = try? TraceReader().read(bytes: Array(text.utf8)) else { continue }
            let verdict = try Verifier().verify(history: history).keys.first { sameKey($0, expectation.key, expectation.property) }?.verdict
            #expect(verdict != expectation.verdict, "\(expectation.file): still \(expectation.verdict) without line \(index + 1)")
        }
        // Original line numbers travel with the events.
        #expect(lines.dropFirst().allSatisfy { $0.contains("\"orig_line\":") })
        // The story is about the sub-trace: a forced regression's two commits are in it.
        if expectation.verdict == .violated, expectation.property == .monotonic {
            for commit in [example.earlierCommit, example.laterCommit].compactMap({ $0 }) {
                #expect(subTrace.contains("\"commit\":\"\(commit)\""), "\(expectation.file): the story names \(commit), the evidence does not hold it")
            }
        }
    }

    @Test func seedStoryCounterexampleIsTheStory() throws {
        let report = try Verifier().verify(paths: [Fixtures.histories.appendingPathComponent("sarama-2940-seed.jsonl").path])
        let example = try #require(report.keys.first { $0.partition == 0 }?.counterexample)
        // G0's newer commit is sent and acked, then G1's stale one is sent and acked.
        #expect(example.lines == [7, 8, 9, 10])
        #expect(!(example.subTrace ?? "").contains("g0-1"))
        let steps = example.narrative.joined(separator: "\n")
        let order = ["sends commit g0-2", "applies commit g0-2", "gets ack ok for commit g0-2", "sends commit g1", "applies commit g1"]
        let positions = order.compactMap { steps.range(of: $0)?.lowerBound }
        #expect(positions.count == order.count && positions == positions.sorted())
    }

    @Test func oneFileHoldsOneSubTracePerBadKey() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // Two bad keys in one history: both groups regress.
        let trace = directory.appendingPathComponent("two.jsonl")
        let text = try String(contentsOf: Fixtures.histories.appendingPathComponent("two-groups.jsonl"), encoding: .utf8)
            .replacingOccurrences(of: #""offsets":{"orders/0":9}"#, with: #""offsets":{"orders/0":4}"#)
        try text.write(to: trace, atomically: true, encoding: .utf8)
        let file = directory.appendingPathComponent("ce.jsonl")
        let run = try Fixtures.run(["verify", trace.path, "--counterexample", file.path])
        #expect(run.code == 1)
        let again = try Verifier().verify(paths: [file.path])
        #expect(again.keys.filter { $0.verdict == .violated }.count == 2)
        #expect(Set(again.keys.filter { $0.verdict == .violated }.compactMap(\.group)) == ["audit", "billing"])
    }

    @Test func explainNamesTheMutexFacts() throws {
        var options = VerifyOptions()
        options.explain = true
        for engine in Engine.allCases {
            options.engine = engine
            let report = try Verifier(options: options).verify(paths: [Fixtures.histories.appendingPathComponent("sarama-commit-mutex.jsonl").path])
            let proof = try #require(report.keys.first { $0.partition == 0 }?.counterexample)
            // The ack of G1's commit (line 7) precedes G0's next commit (its build, line 8, or send,
            // line 9: the shortest chain names one clock fact): the mutex at work.
            #expect(proof.lines.contains(7) && (proof.lines.contains(8) || proof.lines.contains(9)), "engine \(engine.rawValue): \(proof.lines)")
        }
    }

    @Test func budgetExhaustedSaysNotMinimal() throws {
        var options = VerifyOptions()
        options.minimizeTimeout = 1e-9
        let report = try Verifier(options: options).verify(paths: [Fixtures.histories.appendingPathComponent("sarama-2940-seed.jsonl").path])
        let example = try #require(report.keys.first { $0.partition == 0 }?.counterexample)
        #expect(example.minimal == false)
        #expect(TextReporter.render(report).contains("not minimal"))
        #expect(TextReporter.render(report).contains("(not minimal: the minimisation budget ran out)"))
        #expect(!TextReporter.render(report).contains("turned off"))
    }

    @Test func minimisationTurnedOffSaysSoAndNotThatTheBudgetRanOut() throws {
        // Issue 30 item 5: --minimize-timeout 0 asks for no minimisation; no budget ran out.
        var options = VerifyOptions()
        options.minimizeTimeout = 0
        let path = Fixtures.histories.appendingPathComponent("sarama-2940-seed.jsonl").path
        let history = try TraceReader().read(paths: [path])
        let report = try Verifier(options: options).verify(history: history)
        let example = try #require(report.keys.first { $0.partition == 0 }?.counterexample)
        #expect(example.minimal == false)
        let text = try ReportFormat.text.render(report, failOn: .possible)
        #expect(text.contains("(not minimal: minimisation was turned off, --minimize-timeout 0)"), "\(text)")
        #expect(!text.contains("budget ran out"), "\(text)")
        let json = try ReportFormat.json.render(report, failOn: .possible)
        #expect(json.contains("\"minimizationOff\" : true"), "\(json)")
        let page = try HTMLReporter.render(history: history, report: report)
        #expect(!page.contains("budget ran out"))
        // The command line says the same.
        let run = try Fixtures.run(["verify", "--minimize-timeout", "0", path])
        #expect(run.code == 1)
        #expect(run.out.contains("minimisation was turned off") && !run.out.contains("budget ran out"), "\(run.out)")
    }
}
