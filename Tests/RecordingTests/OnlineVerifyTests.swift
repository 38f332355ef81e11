import CommitCheck
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `commitcheck proxy --verify --metrics` against Tansu with a racy client: the regression is
/// reported online while the client still runs, the metrics page parses with prometheus_client's
/// text parser and counts what was recorded, and the report on exit is the one `verify` gives.
@Suite(.serialized)
struct OnlineVerifyTests {
    @Test func proxyReportsTheRegressionWhileTheClientRuns() throws {
        let python = try Package.python()
        let broker = try TansuBroker(python: python)
        let proxyPort = try Package.freePort(), metricsPort = try Package.freePort()
        let trace = try Package.temporaryFile("online.jsonl")
        let findings = trace + ".findings.jsonl"
        let proxy = try ChildProcess(Package.commitcheck, ["proxy", "--listen", "127.0.0.1:\(proxyPort)", "--upstream", broker.bootstrap,
                                                           "--rewrite-brokers", "--out", trace, "--verify", "--findings", findings,
                                                           "--metrics", "127.0.0.1:\(metricsPort)"])
        defer { proxy.stop() }
        try proxy.waitForError(timeout: 30) { $0.contains("listening on") }
        let client = try ChildProcess.run(python, [
            Package.root.appendingPathComponent("Tests/EndToEnd/online_racy_client.py").path,
            "--bootstrap", "127.0.0.1:\(proxyPort)", "--topic", "t-online", "--group", "g-online",
            "--findings", findings, "--metrics", "127.0.0.1:\(metricsPort)", "--seconds", "60",
        ], timeout: 180)
        #expect(client.status == 0, "\(client.out) \(client.err)")
        let last = client.out.split(separator: "\n").last.map(String.init) ?? ""
        let json = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any], "\(client.out) \(client.err)\n\(proxy.err)")

        // The finding came while the client was still committing.
        let regressedAt = try #require(json["regressedAt"] as? Double)
        let foundAt = try #require(json["foundAt"] as? Double, "no online finding within 60 s; proxy said:\n\(proxy.err)")
        let stoppedAt = try #require(json["stoppedAt"] as? Double)
        #expect(foundAt < stoppedAt)
        print("online finding \(String(format: "%.3f", foundAt - regressedAt)) s after the regressing commit returned")
        let finding = try #require(json["finding"] as? [String: Any])
        #expect(finding["group"] as? String == "g-online")
        #expect(finding["topic"] as? String == "t-online")
        #expect(finding["partition"] as? Int == 0)
        #expect(finding["property"] as? String == "monotonic")
        #expect(proxy.err.contains("VIOLATED g-online t-online/0 monotonic"), "\(proxy.err)")

        // The scrape, parsed by prometheus_client: what was recorded and decided so far.
        let metrics = try #require(json["metrics"] as? [String: Double])
        let commits = metrics["commitcheck_commits_recorded_total"] ?? 0
        #expect(commits >= 3, "\(metrics)")
        #expect((metrics["commitcheck_trace_bytes_total"] ?? 0) > 100)
        #expect(metrics["commitcheck_keys"] == 2)
        #expect((metrics["commitcheck_keys_by_verdict{verdict=violated}"] ?? 0) >= 1, "\(metrics)")
        #expect(metrics["commitcheck_online_checking"] == 1)
        #expect(metrics["commitcheck_open_commits"] != nil)

        // On exit: the report verify gives on the written trace.
        proxy.signal(SIGTERM)
        #expect(try proxy.wait(timeout: 60) == 0)
        withExtendedLifetime(broker) {}
        let onExit = try JSONReporter.decode(Array(try Data(contentsOf: URL(fileURLWithPath: findings + ".report.json"))))
        let verified = try Verifier().verify(paths: [trace])
        #expect(onExit.keys.map { "\($0.keyDescription) \($0.property.rawValue) \($0.verdict.rawValue)" }
                == verified.keys.map { "\($0.keyDescription) \($0.property.rawValue) \($0.verdict.rawValue)" })
        #expect(verified.keys.contains { $0.partition == 0 && $0.property == .monotonic && $0.verdict == .violated })
        #expect(proxy.err.contains("the written trace verifies as"))
        // The report on exit takes verify's default path (a small trace is held whole)...
        #expect(onExit.path?.name == "whole-history" && onExit.path?.reason?.contains("under 256 MB") == true,
                "\(onExit.path?.description ?? "no path")")
        // ...and the proxy's trace (one clock, commits on one connection) qualifies for streaming,
        // with the same verdicts.
        guard case .report(let streamed) = try StreamingVerifier(options: VerifyOptions(), mode: .on).stream(path: trace) else {
            Issue.record("the proxy's trace does not stream")
            return
        }
        #expect(streamed.keys.map { "\($0.keyDescription) \($0.property.rawValue) \($0.verdict.rawValue)" }
                == verified.keys.map { "\($0.keyDescription) \($0.property.rawValue) \($0.verdict.rawValue)" })
    }
}
