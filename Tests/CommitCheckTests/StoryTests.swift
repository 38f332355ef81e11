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
        #expect(ReportFormat.text.render(report, failOn: .possible).contains(line))
        #expect(ReportFormat.json.render(report, failOn: .possible).contains("\"largestDrop\" : \(size)"))
        #expect(HTMLReporter.render(history: history, report: report).contains(line))
    }
}
