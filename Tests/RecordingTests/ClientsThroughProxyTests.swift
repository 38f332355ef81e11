import CommitCheck
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Real clients from PyPI, unmodified, through `commitcheck proxy` against Tansu: confluent-kafka
/// (librdkafka), aiokafka (asyncio) and kafka-python's commit_async through the Python shim.
///
/// Each run is checked against an oracle that does not use the checker: the proxy's own lines in
/// wire order. On one coordinator connection the broker applies commits in the order it receives
/// them, so for every key the acked values in send order are the register's history: its last value
/// must equal what the client reads back from the broker, and `monotonic` must be `violated` exactly
/// when that history goes down (`holds` otherwise).
@Suite(.serialized)
struct ClientsThroughProxyTests {
    struct Run {
        var trace: String
        var clientTrace: String?
        var committed: [String: Int]
        var calls: Int
        var callbacks: [Any]
        var output: String
    }

    /// Starts Tansu, the proxy in front of it (rewriting broker addresses, so that a client of the
    /// proxy stays on it while the broker can still be asked directly), and one scenario of
    /// clients_through_proxy.py, which reads the committed offsets back from the broker itself.
    static func run(client: String, scenario: String, partitions: Int = 4, commits: Int = 20, extra: [String] = []) throws -> Run {
        let python = try Package.python()
        let proxyPort = try Package.freePort()
        let broker = try TansuBroker(python: python)
        let trace = try Package.temporaryFile("proxy.jsonl")
        let proxy = try ChildProcess(Package.commitcheck, ["proxy", "--listen", "127.0.0.1:\(proxyPort)", "--upstream", broker.bootstrap,
                                                           "--rewrite-brokers", "--out", trace])
        defer { proxy.stop() }
        try proxy.waitForError(timeout: 30) { $0.contains("listening on") }
        let name = "\(client)-\(scenario)".replacingOccurrences(of: "_", with: "-")
        let clientTrace = client == "kafka-python" ? try Package.temporaryFile("client.jsonl") : nil
        let result = try ChildProcess.run(python, [
            Package.root.appendingPathComponent("Tests/EndToEnd/clients_through_proxy.py").path,
            "--bootstrap", "127.0.0.1:\(proxyPort)", "--readback", broker.bootstrap, "--client", client, "--scenario", scenario,
            "--topic", "t-\(name)", "--group", "g-\(name)", "--partitions", "\(partitions)", "--commits", "\(commits)",
        ] + extra + (clientTrace.map { ["--client-trace", $0] } ?? []), timeout: 180)
        #expect(result.status == 0, "\(result.out) \(result.err)")
        proxy.signal(SIGTERM)
        #expect(try proxy.wait(timeout: 30) == 0)
        withExtendedLifetime(broker) {}
        let last = result.out.split(separator: "\n").last.map(String.init) ?? ""
        let json = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any], "\(result.out) \(result.err)")
        let committed = (json["committed"] as? [String: Any] ?? [:]).compactMapValues { ($0 as? NSNumber)?.intValue }
        return Run(trace: trace, clientTrace: clientTrace, committed: committed, calls: json["calls"] as? Int ?? -1,
                   callbacks: json["callbacks"] as? [Any] ?? [], output: result.out + result.err)
    }

    /// What the proxy's lines say happened, read without the checker.
    struct Wire {
        struct Commit { var id: String, offsets: [String: Int], conn: String?, status: String?, errors: [String: String] }
        var commits: [Commit] = []
        var fetches = 0

        init(_ path: String) throws {
            var acks: [String: (String, [String: String])] = [:]
            for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") {
                let event = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                switch event["ev"] as? String {
                case "send":
                    let offsets = (event["offsets"] as? [String: Any] ?? [:]).compactMapValues { ($0 as? NSNumber)?.intValue }
                    commits.append(Commit(id: event["commit"] as! String, offsets: offsets, conn: event["conn"] as? String, status: nil, errors: [:]))
                case "ack":
                    acks[event["commit"] as! String] = (event["status"] as! String, event["errors"] as? [String: String] ?? [:])
                case "fetch":
                    fetches += 1
                default:
                    break
                }
            }
            for index in commits.indices {
                if let (status, errors) = acks[commits[index].id] { commits[index].status = status; commits[index].errors = errors }
            }
        }

        /// Per key, the values the broker applied in order; nil for a key whose history the wire
        /// alone does not decide (an `unknown` or missing ack, or commits on several connections).
        func appliedHistories() -> [String: [Int]?] {
            var result: [String: [Int]?] = [:]
            let keys = Set(commits.flatMap(\.offsets.keys))
            for key in keys {
                let touching = commits.filter { $0.offsets[key] != nil }
                let decided = Set(touching.map(\.conn)).count == 1 && touching.allSatisfy { $0.status == "ok" || $0.status == "fail" }
                result[key] = decided ? touching.filter { $0.status == "ok" && $0.errors[key] == nil }.map { $0.offsets[key]! } : nil
            }
            return result
        }
    }

    /// The oracle: for every key the wire decides, the broker's value is the history's last, and
    /// `monotonic` is `violated` exactly when the history goes down. Returns the keys that regressed.
    @discardableResult
    static func checkAgainstTheWire(_ run: Run, expectDecided: Bool = true) throws -> (regressed: Set<String>, keys: [String: String]) {
        let wire = try Wire(run.trace)
        let (_, verdicts) = try RecorderEndToEndTests.verdicts(run.trace)
        var regressed: Set<String> = []
        for (key, history) in wire.appliedHistories() {
            guard let history else {
                #expect(!expectDecided, "\(key): the wire does not decide this key's history")
                continue
            }
            #expect(history.last == run.committed[key], "\(key): the trace's last applied value \(String(describing: history.last)) is not the broker's \(String(describing: run.committed[key]))")
            let down = zip(history, history.dropFirst()).contains { $1 < $0 }
            if down { regressed.insert(key) }
            #expect(verdicts["\(key) monotonic"] == (down ? "violated" : "holds"), "\(key): wire order \(history.prefix(30)); verdicts \(verdicts)")
        }
        #expect(Set(run.committed.keys).isSubset(of: Set(wire.appliedHistories().keys)), "every key the client read back was committed through the proxy")
        return (regressed, verdicts)
    }

    // MARK: confluent-kafka (librdkafka 2.16.0)

    @Test func confluentKafkaSynchronousCommitsHold() throws {
        let run = try Self.run(client: "confluent", scenario: "sync")
        let wire = try Wire(run.trace)
        #expect(wire.commits.count == run.calls, "every commit() reached the trace once")
        let (regressed, verdicts) = try Self.checkAgainstTheWire(run)
        #expect(regressed.isEmpty)
        // librdkafka reads the committed offsets on assign(): linearizable keys come with the fetch.
        #expect(verdicts.filter { $0.key.hasSuffix("monotonic") }.count == 4, "\(verdicts)")
        #expect(verdicts.values.allSatisfy { $0 == "holds" }, "\(verdicts)")
    }

    @Test func confluentKafkaAsynchronousCommitsAgreeWithTheWire() throws {
        let run = try Self.run(client: "confluent", scenario: "async")
        let wire = try Wire(run.trace)
        #expect(wire.commits.count == run.calls, "every commit() reached the trace once")
        #expect(run.callbacks.count == run.calls - 1, "every asynchronous commit's on_commit ran")
        try Self.checkAgainstTheWire(run)
    }

    @Test func confluentKafkaOneConsumerSharedByFourThreadsHolds() throws {
        let run = try Self.run(client: "confluent", scenario: "threads", commits: 10)
        let wire = try Wire(run.trace)
        #expect(wire.commits.count == run.calls)
        let (regressed, _) = try Self.checkAgainstTheWire(run)
        // Each thread commits only its own partition, waiting for each: nothing can go back.
        #expect(regressed.isEmpty)
    }

    /// librdkafka reorders asynchronous commits issued while the group coordinator is being found
    /// right after assign(): the commit issued as the coordinator connection comes up is sent
    /// before the ones queued earlier (wire order 14, 1, 2, ...), and on_commit reports the same
    /// order. The pause between commits makes the loop span that moment; up to three attempts.
    @Test func librdkafkaReordersAsyncCommitsRightAfterAssign() throws {
        var reproduced = 0, attempts = 0
        while attempts < 3 && reproduced == 0 {
            attempts += 1
            let run = try Self.run(client: "confluent", scenario: "after-assign", partitions: 2, commits: 200, extra: ["--pause-ms", "1"])
            let wire = try Wire(run.trace)
            #expect(wire.commits.count == run.calls, "every asynchronous commit reached the trace once")
            let (regressed, verdicts) = try Self.checkAgainstTheWire(run)
            // The callbacks report the wire's order.
            let topic = "t-confluent-after-assign/0"
            let reported = run.callbacks.compactMap { (($0 as? [String: Any])?["offsets"] as? [String: Any])?[topic] as? Int }
            #expect(reported == wire.commits.filter { $0.status == "ok" }.compactMap { $0.offsets[topic] }, "on_commit order is the wire order")
            if !regressed.isEmpty {
                reproduced += 1
                #expect(regressed == [topic, "t-confluent-after-assign/1"], "both partitions of the reordered commit go back")
                #expect(verdicts["\(topic) monotonic"] == "violated")
            }
        }
        print("librdkafka async commits after assign(): reordered on the wire in attempt \(attempts) of at most 3: \(reproduced == 1)")
        #expect(reproduced == 1, "librdkafka's reordering after assign() did not show in \(attempts) attempts")
    }

    // MARK: aiokafka 0.14.0

    @Test func aiokafkaSynchronousCommitsHold() throws {
        let run = try Self.run(client: "aiokafka", scenario: "sync")
        let wire = try Wire(run.trace)
        #expect(wire.commits.count == run.calls)
        let (regressed, verdicts) = try Self.checkAgainstTheWire(run)
        #expect(regressed.isEmpty)
        #expect(verdicts.filter { $0.key.hasSuffix("monotonic") }.values.allSatisfy { $0 == "holds" }, "\(verdicts)")
    }

    @Test func aiokafkaConcurrentCommitTasksAgreeWithTheWire() throws {
        let run = try Self.run(client: "aiokafka", scenario: "async")
        let wire = try Wire(run.trace)
        #expect(wire.commits.count >= run.calls, "every commit() reached the trace (retries add more)")
        try Self.checkAgainstTheWire(run)
    }

    @Test func aiokafkaOneTaskPerPartitionHolds() throws {
        let run = try Self.run(client: "aiokafka", scenario: "threads", commits: 10)
        let wire = try Wire(run.trace)
        #expect(wire.commits.count == run.calls)
        let (regressed, _) = try Self.checkAgainstTheWire(run)
        #expect(regressed.isEmpty)
    }

    // MARK: kafka-python commit_async through the Python shim

    /// A burst of commit_async() calls: kafka-python sends five (its in-flight limit per
    /// connection) and fails the rest with NodeNotReadyError before writing them. The shim records
    /// every call (build and send at the call) and every completion callback as an ack: `ok` for
    /// the ones the proxy saw, `fail` for the ones that never left the client.
    @Test func kafkaPythonCommitAsyncIsRecordedByTheShim() throws {
        let run = try Self.run(client: "kafka-python", scenario: "async")
        let clientTrace = try #require(run.clientTrace)
        let client = try TraceReader().read(paths: [clientTrace])
        // The first, synchronous commit plus one build per commit_async() call.
        #expect(client.commits.count == run.calls + 1, "\(run.output)")
        #expect(client.commits.allSatisfy { $0.build != nil && $0.send != nil })
        let outcomes = run.callbacks.compactMap { $0 as? String }
        #expect(outcomes.count == run.calls, "every callback ran: \(run.output)")
        #expect(client.commits.compactMap(\.ack).count == run.calls + 1, "one ack per completed call")
        let wire = try Wire(run.trace)
        let sent = outcomes.filter { $0 == "ok" }.count
        #expect(wire.commits.count == sent + 1, "the proxy saw the synchronous commit and every commit_async the shim acked ok")
        let text = try String(contentsOfFile: clientTrace, encoding: .utf8)
        let failed = text.components(separatedBy: "\"status\":\"fail\"").count - 1
        #expect(failed == outcomes.filter { $0 == "NodeNotReadyError" }.count, "calls that never left the client are acked fail")
        try Self.checkAgainstTheWire(run)
    }
}
