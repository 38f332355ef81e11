import CommitCheck
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Real parts: the Tansu broker, unmodified kafka-python clients, and `commitcheck proxy` between.
@Suite(.serialized)
struct ProxyEndToEndTests {
    struct Run {
        var trace: String
        var clientTrace: String?
        var proxyLog: String
        var clientOutput: String
    }

    /// Starts a broker and a proxy in front of it, runs one scenario of proxy_client.py through the
    /// proxy, stops the proxy, and returns its trace.
    ///
    /// - Parameter rewrite: `true` has the proxy rewrite broker addresses; `false` has the broker
    ///   advertise the proxy's address (the simple way).
    static func run(scenario: String, rewrite: Bool, garbageFirst: Bool = false) throws -> Run {
        let python = try Package.python()
        let proxyPort = try Package.freePort()
        let broker = try TansuBroker(python: python, advertised: rewrite ? nil : "127.0.0.1:\(proxyPort)")
        let trace = try Package.temporaryFile("proxy.jsonl")
        let proxy = try ChildProcess(Package.commitcheck, ["proxy", "--listen", "127.0.0.1:\(proxyPort)", "--upstream", broker.bootstrap, "--out", trace]
            + (rewrite ? ["--rewrite-brokers"] : []))
        defer { proxy.stop() }
        try proxy.waitForError(timeout: 30) { $0.contains("listening on") }
        if garbageFirst {
            // A frame with an OffsetCommit header and a body cut short, then a size no frame has:
            // the proxy logs both, forwards them, and keeps serving other connections.
            let garbage = try LineClient(port: proxyPort)
            var bytes: [UInt8] = [0, 0, 0, 14, 0, 8, 0, 2, 0, 0, 0, 9, 0, 1, 0x78, 0, 5, 0x67]
            bytes += [0xFF, 0xFF, 0xFF, 0xF0, 1, 2, 3]
            try garbage.write(bytes: bytes)
            _ = garbage.finish()
        }
        let clientTrace = scenario == "joined" ? try Package.temporaryFile("client.jsonl") : nil
        let client = try ChildProcess.run(python, [
            Package.root.appendingPathComponent("Tests/EndToEnd/proxy_client.py").path,
            "--bootstrap", "127.0.0.1:\(proxyPort)", "--scenario", scenario,
            "--topic", "topic-\(scenario)", "--group", "group-\(scenario)",
        ] + (clientTrace.map { ["--client-trace", $0] } ?? []), timeout: 120)
        #expect(client.status == 0, "\(client.out) \(client.err)")
        proxy.signal(SIGTERM)
        #expect(try proxy.wait(timeout: 30) == 0)
        withExtendedLifetime(broker) {}
        return Run(trace: trace, clientTrace: clientTrace, proxyLog: proxy.err, clientOutput: client.out)
    }

    @Test func commitsOf12Then11ThroughTheProxyAreViolated() throws {
        let run = try Self.run(scenario: "regress", rewrite: false)
        let history = try TraceReader().read(paths: [run.trace])
        #expect(history.commits.count == 2)
        #expect(history.commits.map { $0.offsets.map(\.1) } == [[12], [11]])
        #expect(history.commits.allSatisfy { $0.send != nil && $0.ack != nil })
        let (overall, keys) = try RecorderEndToEndTests.verdicts(run.trace)
        #expect(overall == "violated", "\(keys)")
        #expect(keys["topic-regress/0 monotonic"] == "violated")
        // The OffsetFetch of committed() is in the trace, with the value the broker returned.
        #expect(history.fetches.first?.results.map(\.1) == [11], "\(run.clientOutput)")
        #expect(keys["topic-regress/0 linearizable"] == "holds")
    }

    @Test func inOrderCommitsHoldWithBrokerAddressesRewrittenAfterGarbage() throws {
        let run = try Self.run(scenario: "ordered", rewrite: true, garbageFirst: true)
        #expect(run.proxyLog.contains("undecodable"), "\(run.proxyLog)")
        let history = try TraceReader().read(paths: [run.trace])
        #expect(history.commits.count == 10, "every commit went through the proxy: \(run.proxyLog)")
        let (overall, keys) = try RecorderEndToEndTests.verdicts(run.trace)
        #expect(overall == "holds", "\(keys)")
        #expect(keys.count == 4)
        #expect(Set(history.fetches.flatMap { $0.results.map(\.1) }) == [10, 20])
    }

    @Test func clientBuildsJoinTheProxysSendsThroughTheCommitMetadata() throws {
        let run = try Self.run(scenario: "joined", rewrite: true)
        let clientTrace = try #require(run.clientTrace)
        let history = try TraceReader().read(paths: [clientTrace, run.trace])
        #expect(history.commits.count == 2)
        for commit in history.commits {
            let build = try #require(commit.build), send = try #require(commit.send)
            #expect(history.events[build].file == 0 && history.events[send].file == 1)
        }
        let result = try ChildProcess.run(Package.commitcheck, ["verify", clientTrace, run.trace], timeout: 60)
        #expect(result.status == 1, "\(result.out) \(result.err)")
        #expect(result.out.contains("12 -> 11"))
    }
}
