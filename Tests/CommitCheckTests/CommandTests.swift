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
        // A tiny budget on a Z3-decided history: Z3 either answers in time or says unknown.
        let result = try Fixtures.run(["verify", "--engine", "z3", "--timeout", "0.000001", "histories/sarama-commit-mutex.jsonl"])
        #expect(result.code == 0 || result.code == 3)
        if result.code == 3 { #expect(result.out.contains("unknown")) }
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
        #expect(PartitionKey(group: "g", partition: TopicPartition(topic: "t", partition: 1)).shard(of: 8)
                == PartitionKey(group: "g", partition: TopicPartition(topic: "t", partition: 1)).shard(of: 8))
    }
}
