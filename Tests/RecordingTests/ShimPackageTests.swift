import CommitCheckTestSupport
import Foundation
import Testing

/// The Python shim as a user gets it: `pip install ./shims/python` (with confluent-kafka, aiokafka
/// and kafka-python from PyPI) into a fresh virtual environment, its own unit tests run there, and
/// instrumented clients of each library against the real Tansu broker
/// (`Tests/EndToEnd/shim_clients.py`). Plain traces are verified with the built `commitcheck`;
/// the transaction and reset lines are read as JSON, field by field (the checker judges them once
/// the trace-format change has landed).
@Suite(.serialized)
struct ShimPackageTests {
    /// The fresh environment's python, made once per test run (pip's cache keeps it quick).
    static let environment = Result { try makeEnvironment() }

    static func makeEnvironment() throws -> String {
        let folder = try PackagePaths.temporaryDirectory("commitcheck-shim-venv")
        let venv = try ProcessRunner.run("/usr/bin/env", ["python3", "-m", "venv", folder.path], timeout: 120)
        guard venv.status == 0 else { throw ChildProcess.Failure("python3 -m venv: \(venv.err)") }
        let pip = folder.appendingPathComponent("bin/pip").path
        let install = try ProcessRunner.run(pip, [
            "install", "--quiet", "--disable-pip-version-check", "./shims/python",
            "confluent-kafka==2.16.1", "aiokafka==0.14.0", "kafka-python==3.0.12",
        ], directory: Package.root, timeout: 600)
        guard install.status == 0 else { throw ChildProcess.Failure("pip install ./shims/python: \(install.out)\(install.err)") }
        return folder.appendingPathComponent("bin/python").path
    }

    /// Runs one scenario of shim_clients.py against a fresh broker with the fresh environment's
    /// python, isolated (`-I`) so that only the installed package can be imported.
    static func run(_ client: String, name: String) throws -> (report: [String: Any], events: [[String: Any]], trace: String) {
        let python = try environment.get()
        let broker = try TansuBroker(python: try Package.python())
        let trace = try Package.temporaryFile("\(name).jsonl")
        let result = try ProcessRunner.run(python, [
            "-I", Package.root.appendingPathComponent("Tests/EndToEnd/shim_clients.py").path,
            "--client", client, "--bootstrap", broker.bootstrap,
            "--topic", "t-\(name)", "--group", "g-\(name)", "--out", trace,
        ], timeout: 240)
        withExtendedLifetime(broker) {}
        #expect(result.status == 0, "shim_clients.py --client \(client): \(result.out)\(result.err)")
        let last = try #require(result.out.split(separator: "\n").last { $0.hasPrefix("{") }, "no report: \(result.out)\(result.err)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
        #expect((report["shim"] as? String)?.contains("site-packages/commitcheck_recorder") == true,
                "the installed package, not the checkout: \(report["shim"] ?? "")")
        let rows = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n")
        #expect(rows.first?.contains(#""ev":"meta""#) == true)
        let events = try rows.dropFirst().map { row in
            try #require(try JSONSerialization.jsonObject(with: Data(row.utf8)) as? [String: Any], "not JSON: \(row)")
        }
        return (report, events, trace)
    }

    static func verify(_ trace: String) throws -> (status: Int32, out: String) {
        let result = try ProcessRunner.run(Package.commitcheck, ["verify", trace], timeout: 120)
        return (result.status, result.out + result.err)
    }

    /// The offset each key's last built commit carries: what a single-threaded, in-order consumer
    /// leaves committed.
    static func lastBuilt(_ events: [[String: Any]]) -> [String: Int] {
        var last: [String: Int] = [:]
        for event in events where event["ev"] as? String == "build" {
            for (key, offset) in event["offsets"] as? [String: Int] ?? [:] { last[key] = offset }
        }
        return last
    }

    @Test func theInstalledPackagePassesItsUnitTests() throws {
        let python = try Self.environment.get()
        let result = try ProcessRunner.run(python, ["-I", "-m", "unittest", "discover", "-s", "shims/python/tests"],
                                           directory: Package.root, timeout: 120)
        #expect(result.status == 0, "\(result.err)")
        let ran = result.err.split(separator: "\n").first { $0.hasPrefix("Ran ") }.flatMap { Int($0.split(separator: " ")[1]) }
        #expect((ran ?? 0) >= 14, "\(result.err)")
        #expect(result.err.contains("\nOK"), "\(result.err)")
    }

    @Test func aConfluentKafkaConsumersTraceVerifies() throws {
        let (report, events, trace) = try Self.run("confluent", name: "shim-confluent")
        let asyncCommits = try #require(report["async_commits"] as? Int)
        #expect(asyncCommits > 5 && (report["sync_commits"] as? Int ?? 0) > 2, "\(report)")
        #expect(report["own_callbacks"] as? Int == asyncCommits, "the application's on_commit still runs: \(report)")
        let builds = events.filter { $0["ev"] as? String == "build" }
        let acks = events.filter { $0["ev"] as? String == "ack" }
        #expect(builds.count == asyncCommits + (report["sync_commits"] as! Int))
        #expect(acks.count == builds.count, "every commit, asynchronous ones too (from on_commit), has its ack")
        #expect(acks.allSatisfy { $0["status"] as? String == "ok" })
        #expect(events.contains { $0["ev"] as? String == "fetched" }, "committed() is recorded")
        let broker = try #require(report["broker"] as? [String: Int])
        #expect(broker == ["t-shim-confluent/0": 30, "t-shim-confluent/1": 30])
        #expect(Self.lastBuilt(events) == broker, "the trace's last commits are what the broker holds")
        let verdict = try Self.verify(trace)
        #expect(verdict.status == 0, "\(verdict.out)")
    }

    @Test func eachOnCommitAcksTheCommitItAnswers() throws {
        // Several asynchronous commits in flight at once: every one gets exactly one ack, in the
        // order librdkafka's on_commit reported them, and nothing is claimed about their order
        // (no `conn`), so the shim's trace alone never says a regression happened.
        let (report, events, trace) = try Self.run("confluent-burst", name: "shim-burst")
        let order = try #require(report["callback_order"] as? [[Int]])
        #expect(order.count == 20, "\(report)")
        var offsetOfCommit: [String: Int] = [:]
        for event in events where event["ev"] as? String == "build" {
            offsetOfCommit[event["commit"] as! String] = (event["offsets"] as? [String: Int])?["t-shim-burst/0"]
        }
        let acked = events.filter { $0["ev"] as? String == "ack" }.compactMap { offsetOfCommit[$0["commit"] as? String ?? ""] }
        #expect(acked == [0] + order.map { $0[0] }, "acks follow on_commit: \(acked) vs \(order)")
        #expect(Set(events.filter { $0["ev"] as? String == "ack" }.compactMap { $0["commit"] as? String }).count == 21)
        #expect(events.allSatisfy { $0["conn"] == nil })
        #expect((report["broker"] as? [String: Int])?["t-shim-burst/0"] == order.last?.first)
        let verdict = try Self.verify(trace)
        #expect(verdict.status == 0 || verdict.status == 1, "\(verdict.out)")
        #expect(!verdict.out.contains("violated"), "the shim alone claims no order among commits in flight: \(verdict.out)")
    }

    @Test func anAiokafkaConsumersTraceVerifies() throws {
        let (report, events, trace) = try Self.run("aiokafka", name: "shim-aiokafka")
        let commits = try #require(report["commits"] as? Int)
        #expect(commits > 3)
        #expect(events.filter { $0["ev"] as? String == "build" }.count == commits)
        #expect(events.filter { $0["ev"] as? String == "ack" && $0["status"] as? String == "ok" }.count == commits)
        #expect(events.filter { $0["ev"] as? String == "fetched" }.count == 2, "committed() of each partition")
        let broker = try #require(report["broker"] as? [String: Int])
        #expect(broker == ["t-shim-aiokafka/0": 30, "t-shim-aiokafka/1": 30])
        #expect(Self.lastBuilt(events) == broker)
        let verdict = try Self.verify(trace)
        #expect(verdict.status == 0, "\(verdict.out)")
    }

    /// The transactions' lines: each staging is build (with its own `txn`), send, ack; each end
    /// and its answer follow. Returns the transaction ids in order.
    static func checkTransactions(_ events: [[String: Any]], steps: [(offset: Int, commit: Bool)], key: String) throws -> [String] {
        let builds = events.filter { $0["ev"] as? String == "build" }
        let txns = builds.compactMap { $0["txn"] as? String }
        #expect(txns.count == builds.count && Set(txns).count == txns.count, "one transaction id per transaction: \(txns)")
        for (index, step) in steps.enumerated() where index < txns.count {
            let txn = txns[index]
            let staged = try #require(builds[index]["commit"] as? String)
            #expect(builds[index]["offsets"] as? [String: Int] == [key: step.offset])
            let lines = events.filter { $0["commit"] as? String == staged || $0["txn"] as? String == txn }
            let summary = lines.map { [$0["ev"], $0["status"], $0["result"]].compactMap { $0 as? String }.joined(separator: " ") }
            #expect(summary == ["build", "send", "ack ok", "end \(step.commit ? "commit" : "abort")", "ended ok"], "\(txn): \(summary)")
        }
        return txns
    }

    @Test func confluentKafkaTransactionsAreStagedCommitsWithEnds() throws {
        let (report, events, _) = try Self.run("confluent-txn", name: "shim-ctxn")
        let steps = [(3, true), (10, false), (5, true), (2, false)].map { (offset: $0.0, commit: $0.1) }
        let txns = try Self.checkTransactions(events, steps: steps, key: "t-shim-ctxn/0")
        #expect(txns.count == 5, "four transactions and the fenced one")
        // What the reads saw after each transaction is what the fetched lines say.
        let fetched = events.filter { $0["ev"] as? String == "fetched" }.compactMap { ($0["offsets"] as? [String: Int])?["t-shim-ctxn/0"] }
        #expect(fetched == report["seen_after"] as? [Int])
        #expect((report["broker"] as? [String: Int])?["t-shim-ctxn/0"] == 5, "only committed transactions' offsets are visible")
        // The fenced producer's commit: an end asking to commit, answered as its error says.
        let fenced = try #require(txns.last)
        let ends = events.filter { $0["txn"] as? String == fenced && $0["ev"] as? String != "build" }
        #expect(ends.first?["ev"] as? String == "end" && ends.first?["result"] as? String == "commit")
        let ended = try #require(ends.last { $0["ev"] as? String == "ended" })
        if let error = report["fenced"] as? String {
            let refused = ["PRODUCER_FENCED", "INVALID_PRODUCER_EPOCH", "_FENCED"].contains(error) || report["fenced_abort"] as? Bool == true
            #expect(ended["status"] as? String == (refused ? "fail" : "unknown"), "\(ended) for \(error)")
            #expect(ended["error"] as? String == error)
        } else {
            #expect(ended["status"] as? String == "ok", "the commit returned without error: \(ended)")
        }
    }

    @Test func kafkaPythonTransactionsAreStagedCommitsWithEnds() throws {
        let (report, events, _) = try Self.run("kafka-python-txn", name: "shim-ktxn")
        let steps = [(3, true), (10, false), (5, true), (2, false)].map { (offset: $0.0, commit: $0.1) }
        let txns = try Self.checkTransactions(events, steps: steps, key: "t-shim-ktxn/0")
        #expect(txns.count == 4)
        #expect((report["broker"] as? [String: Int])?["t-shim-ktxn/0"] == 5)
        let fetched = events.filter { $0["ev"] as? String == "fetched" }.compactMap { ($0["offsets"] as? [String: Int])?["t-shim-ktxn/0"] }
        #expect(fetched == report["seen_after"] as? [Int])
    }

    @Test func resetsAreRecordedOnlyWhereTheApplicationAsked() throws {
        let (report, events, _) = try Self.run("resets", name: "shim-resets")
        let builds = events.filter { $0["ev"] as? String == "build" }
        let flags = builds.map { ($0["reset"] as? Bool) == true }
        // confluent (resets=True): 12, sought 4 (reset), 3, p1 6, marked 2 (reset);
        // kafka-python (resets=True): 12, seek_to_beginning 4 (reset), sought forward 20;
        // aiokafka (resets off): 12, sought 4 (plain), marked 1 (reset).
        #expect(flags == [false, true, false, false, true, false, true, false, false, false, true], "\(builds)")
        #expect(builds.allSatisfy { $0["txn"] == nil })
        let broker = try #require(report["broker"] as? [String: [String: Int]])
        #expect(broker["confluent"]?["t-shim-resets/0"] == 3 && broker["confluent"]?["t-shim-resets/1"] == 2)
        #expect(broker["kafka-python"]?["t-shim-resets/0"] == 20)
        #expect(broker["aiokafka"]?["t-shim-resets/0"] == 1)
    }
}
