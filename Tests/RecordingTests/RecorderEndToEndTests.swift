import CommitCheck
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Real parts: the Tansu broker, kafka-python consumers instrumented with the Python shim, the
/// collector, and `verify` on what it wrote.
@Suite(.serialized)
struct RecorderEndToEndTests {
    /// Runs one consumer program against a fresh broker, streaming to a collector; returns the trace.
    static func record(program: String, name: String) throws -> String {
        let python = try Package.python()
        let broker = try TansuBroker(python: python)
        let (collector, port, out) = try CollectorTests.startCollector()
        defer { collector.stop() }
        let run = try ChildProcess.run(python, [
            Package.root.appendingPathComponent("Tests/EndToEnd/\(program)").path,
            "--bootstrap", broker.bootstrap, "--topic", "orders-\(name)", "--group", "group-\(name)",
            "--collector", "127.0.0.1:\(port)",
        ], timeout: 180)
        #expect(run.status == 0, "\(program): \(run.out) \(run.err)")
        collector.signal(SIGTERM)
        #expect(try collector.wait(timeout: 60) == 0)
        #expect(collector.err.contains("0 rejected"), "\(collector.err)")
        withExtendedLifetime(broker) {}
        return out
    }

    /// Verifies `trace` and returns the verdict of every (key, property) in the JSON report.
    static func verdicts(_ trace: String) throws -> (overall: String, keys: [String: String]) {
        let result = try ChildProcess.run(Package.commitcheck, ["verify", "--format", "json", trace], timeout: 120)
        #expect(result.status != 2, "\(result.err)")
        let report = try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as! [String: Any]
        var keys: [String: String] = [:]
        for key in report["keys"] as! [[String: Any]] {
            keys["\(key["topic"]!)/\(key["partition"]!) \(key["property"]!)"] = key["verdict"] as? String
        }
        return (report["verdict"] as! String, keys)
    }

    @Test func sarama2940StyleCommitsFromSeveralThreadsCanGoBackwards() throws {
        let trace = try Self.record(program: "racy_consumer.py", name: "racy")
        let history = try TraceReader().read(paths: [trace])
        #expect(history.commits.count >= 40, "every worker commits every 4 of its 40 messages")
        #expect(!history.fetches.isEmpty, "committed() reads are recorded")
        let (overall, keys) = try Self.verdicts(trace)
        #expect(overall == "possible" || overall == "violated", "\(keys)")
        #expect(keys.filter { $0.key.hasSuffix("monotonic") }.values.contains { $0 != "holds" })
    }

    @Test func theFixedCommitHoldsOnEveryPartition() throws {
        let trace = try Self.record(program: "fixed_consumer.py", name: "fixed")
        let (overall, keys) = try Self.verdicts(trace)
        #expect(overall == "holds", "\(keys)")
        #expect(keys.count == 8, "4 partitions x (monotonic, linearizable): \(keys)")
    }
}
