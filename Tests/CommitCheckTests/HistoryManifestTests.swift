import Foundation
import Testing
@testable import CommitCheck

/// Every shipped history gets the verdicts its manifest expects, from both engines.
@Suite struct HistoryManifestTests {
    struct Expectation: CustomTestStringConvertible, Sendable {
        var file: String, key: PartitionKey, property: Property, verdict: Verdict
        var testDescription: String { "\(file) \(key) \(property.rawValue): \(verdict.rawValue)" }
    }

    static let expectations: [Expectation] = (try? Fixtures.manifest(Fixtures.histories.appendingPathComponent("MANIFEST.tsv")))?.map {
        Expectation(file: $0[0], key: PartitionKey(group: $0[1], partition: TopicPartition(topic: $0[2], partition: Int($0[3])!)),
                    property: Property(rawValue: $0[4])!, verdict: Verdict(rawValue: $0[5])!)
    } ?? []

    @Test func manifestIsNotEmpty() {
        #expect(Self.expectations.count >= 20)
    }

    @Test(arguments: expectations)
    func verdictMatches(_ expectation: Expectation) throws {
        let path = Fixtures.histories.appendingPathComponent(expectation.file).path
        for engine in Engine.allCases {
            let report = try Verifier(options: VerifyOptions(engine: engine)).verify(paths: [path])
            let result = report.keys.first { $0.group == expectation.key.group && $0.topic == expectation.key.partition.topic
                && $0.partition == expectation.key.partition.partition && $0.property == expectation.property }
            #expect(result?.verdict == expectation.verdict, "engine \(engine.rawValue)")
            if expectation.verdict == .violated || expectation.verdict == .possible {
                #expect(result?.counterexample != nil)
            }
        }
    }

    @Test func everyHistoryFileIsInTheManifest() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Fixtures.histories.path).filter { $0.hasSuffix(".jsonl") }
        let listed = Set(Self.expectations.map(\.file))
        #expect(Set(files).subtracting(listed).isEmpty)
    }

    @Test func seedStoryShowsTwelveThenEleven() throws {
        let report = try Verifier().verify(paths: [Fixtures.histories.appendingPathComponent("sarama-2940-seed.jsonl").path])
        let p0 = try #require(report.keys.first { $0.partition == 0 })
        let example = try #require(p0.counterexample)
        #expect(example.fromOffset == 12 && example.toOffset == 11)
        #expect(example.earlierCommit == "g0-2" && example.laterCommit == "g1")
        // The first {P0:11} commit of G0 is not part of the story.
        #expect(!example.narrative.contains { $0.contains("g0-1") })
        #expect(example.lines.contains(8) && example.lines.contains(9))
    }
}
