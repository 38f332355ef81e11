import Foundation
import Testing
@testable import CommitCheck

/// The command's exit codes and output formats (DESIGN §5).
@Suite struct CommandTests {
    @Test func exitCodes() throws {
        #expect(try Fixtures.run(["verify", "histories/sarama-2940-seed.jsonl"]).code == 1)
        #expect(try Fixtures.run(["verify", "histories/sarama-commit-mutex.jsonl"]).code == 0)
        #expect(try Fixtures.run(["verify", "histories/sarama-broker-lock.jsonl"]).code == 0)
        #expect(try Fixtures.run(["verify", "histories/sarama-latent-race.jsonl"]).code == 1)
        #expect(try Fixtures.run(["verify", "--fail-on", "violated", "histories/sarama-latent-race.jsonl"]).code == 0)
        #expect(try Fixtures.run(["verify", "--fail-on", "violated", "histories/sarama-2940-seed.jsonl"]).code == 1)
        #expect(try Fixtures.run(["verify", "--engine", "nonsense", "histories/sarama-2940-seed.jsonl"]).code == 2)
        #expect(try Fixtures.run(["verify", "does-not-exist.jsonl"]).code == 2)
        #expect(try Fixtures.run(["verify"]).code == 2)
    }

    @Test func seedStoryTextTellsTheStory() throws {
        let result = try Fixtures.run(["verify", "histories/sarama-2940-seed.jsonl"])
        #expect(result.out.contains("12 -> 11"))
        #expect(result.out.contains("line 9"))
        #expect(result.out.contains("violated"))
    }

    @Test func jsonReportHasTheContractFields() throws {
        let result = try Fixtures.run(["verify", "--format", "json", "histories/sarama-2940-seed.jsonl"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any])
        #expect(object["format"] as? String == "commitcheck-report/1")
        #expect(object["verdict"] as? String == "violated")
        let keys = try #require(object["keys"] as? [[String: Any]])
        let p0 = try #require(keys.first { $0["partition"] as? Int == 0 })
        #expect(p0["group"] as? String == "billing")
        #expect(p0["topic"] as? String == "orders")
        #expect(p0["property"] as? String == "monotonic")
        #expect(p0["verdict"] as? String == "violated")
        #expect(p0["counterexample"] is [String: Any])
    }

    @Test func timeoutGivesUnknownAndExitThree() throws {
        // A key Z3 cannot settle in a millisecond: hundreds of commits in flight on one connection
        // without timestamps (open FIFO choices, no fetches). The budget must make it unknown.
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("slow.jsonl")
        try (HostileInputTests.stuckKeyLines().joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let result = try Fixtures.run(["verify", "--engine", "z3", "--timeout", "0.001", "--minimize-timeout", "1", file.path])
        #expect(result.code == 3, "\(result.out)\(result.err)")
        #expect(result.out.contains("monotonic: unknown"), "\(result.out)")
        #expect(result.out.contains("Verdict: unknown"), "\(result.out)")
    }
}

extension CommandTests {
    @Test func shardsPartitionTheKeys() throws {
        let path = Fixtures.histories.appendingPathComponent("two-groups.jsonl").path
        let all = try Verifier().verify(paths: [path]).keys.map(\.keyDescription).sorted()
        var union: [String] = []
        for index in 0..<3 {
            var options = VerifyOptions()
            options.shard = (index, 3)
            union += try Verifier(options: options).verify(paths: [path]).keys.map(\.keyDescription)
        }
        #expect(union.sorted() == all)
        // The shard of a key is FNV-1a of its text, the same on every machine: pinned values, so
        // that a change of the hash (which would split old and new shard runs) fails here.
        let key = { (group: String, topic: String, partition: Int) in PartitionKey(group: group, partition: TopicPartition(topic: topic, partition: partition)) }
        #expect(key("g", "t", 1).shard(of: 8) == Self.pinnedShard("g\u{0}t\u{0}1", of: 8))
        #expect(key("g", "t", 1).shard(of: 8) == 5)
        #expect(key("g", "t", 0).shard(of: 8) == 2)
        #expect(key("billing", "orders", 0).shard(of: 3) == 1)
        #expect(key("billing", "orders", 1).shard(of: 3) == 0)
    }

    /// FNV-1a 64 written out independently of the library.
    static func pinnedShard(_ text: String, of count: UInt64) -> Int {
        var hash: UInt64 = 14_695_981_039_346_656_037
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
        return Int(hash % count)
    }
}
