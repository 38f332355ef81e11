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
}
