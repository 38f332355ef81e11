import CommitCheckTestSupport
import Foundation
import Testing
@testable import CommitCheck
@testable import CommitCheckTool

/// The command's exit codes and output formats (specs/verdicts.md).
@Suite struct CommandTests {
    @Test func exitCodes() throws {
        #expect(try Fixtures.run(["verify", "histories/sarama-2940-seed.jsonl"]).code == 1)
        #expect(try Fixtures.run(["verify", "histories/sarama-commit-mutex.jsonl"]).code == 0)
        #expect(try Fixtures.run(["verify", "histories/sarama-broker-lock.jsonl"]).code == 0)
        #expect(try Fixtures.run(["verify", "histories/sarama-latent-race.jsonl"]).code == 1)
        #expect(try Fixtures.run(["verify", "--fail-on", "violated", "histories/sarama-latent-race.jsonl"]).code == 0)
        #expect(try Fixtures.run(["verify", "--fail-on", "violated", "histories/sarama-2940-seed.jsonl"]).code == 1)
        #expect(try Fixtures.run(["verify", "does-not-exist.jsonl"]).code == 2)
    }

    /// Usage errors are found while parsing, so they are checked in-process.
    @Test func usageErrorsExitTwo() {
        let engine = CommandLineOutcome(CommitCheckCommand.self, ["verify", "--engine", "nonsense", "histories/sarama-2940-seed.jsonl"])
        #expect(engine.exitCode == 2, "\(engine)")
        #expect(engine.message.contains("nonsense"), "\(engine)")
        let nothing = CommandLineOutcome(CommitCheckCommand.self, ["verify"])
        #expect(nothing.exitCode == 2, "\(nothing)")
        #expect(nothing.message.contains("Missing expected argument '<traces> ...'"), "\(nothing)")
        // The same lines with what they lack parse: the refusals above are about what was wrong.
        #expect(CommandLineOutcome(CommitCheckCommand.self, ["verify", "--engine", "z3", "histories/sarama-2940-seed.jsonl"]).exitCode == nil)
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
        // The shard of a key is FNV-1a 64 of "group\0topic\0partition", the same on every machine:
        // literal values (computed outside Swift), so that any change of the hash, which would
        // split old and new shard runs differently, fails here. `of: Int.max` shows the whole hash.
        let key = { (group: String, topic: String, partition: Int) in PartitionKey(group: group, partition: TopicPartition(topic: topic, partition: partition)) }
        #expect(key("g", "t", 1).shard(of: Int.max) == 0x2C28_78AA_F34A_A385)
        #expect(key("billing", "orders", 0).shard(of: Int.max) == 0x188C_DFB1_F664_F345)
        #expect(key("orders", "orders", 12).shard(of: Int.max) == 0x013B_A24F_EF38_0AB0)
        #expect(key("g", "t", 1).shard(of: 8) == 5)
        #expect(key("g", "t", 0).shard(of: 8) == 2)
        #expect(key("billing", "orders", 0).shard(of: 3) == 1)
        #expect(key("billing", "orders", 1).shard(of: 3) == 0)
    }
}
