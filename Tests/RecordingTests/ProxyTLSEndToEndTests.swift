import CommitCheck
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// TLS on both sides of `commitcheck proxy`, with real parts: kafka-python with
/// `security_protocol="SSL"`, the proxy, and a TLS broker. Tansu 0.6.0 cannot serve TLS (its
/// `--cert`/`--key` leave the listener plaintext), so the broker's TLS is a stand-in from real
/// parts: Python's `ssl` module terminating TLS in front of a plaintext Tansu (``TLSTerminator``).
/// Certificates come from a throwaway CA made by each test (``TestPKI``). Loopback only; every
/// process has a deadline.
@Suite(.serialized)
struct ProxyTLSEndToEndTests {
    /// What one recorded run leaves: the commits as (offsets, ack status) and the fetched values.
    struct Recorded: Equatable {
        var commits: [[Int]]
        var acks: [String]
        var fetched: [Int]
        var verdicts: [String: String]
    }

    static func recorded(_ trace: String) throws -> Recorded {
        let history = try TraceReader().read(paths: [trace])
        let acks = history.commits.map { commit in commit.ack.flatMap { history.events[$0].status }.map { "\($0)" } ?? "none" }
        let (_, keys) = try RecorderEndToEndTests.verdicts(trace)
        return Recorded(commits: history.commits.map { $0.offsets.map(\.1) }, acks: acks,
                        fetched: history.fetches.flatMap { $0.results.map(\.1) }, verdicts: keys)
    }

    /// Runs the regress scenario through a proxy and returns its trace and log.
    ///
    /// - Parameter tls: `nil` for plaintext everywhere; else the PKI whose `proxy` and `broker`
    ///   certificates serve the proxy's listener and the stand-in broker.
    static func run(tls pki: TestPKI?, clientCertificate: Bool = false) throws -> (trace: String, log: String, client: String) {
        let python = try Package.python()
        let proxyPort = try Package.freePort()
        let broker = try TansuBroker(python: python, advertised: "127.0.0.1:\(proxyPort)")
        var terminator: TLSTerminator?
        var arguments = ["proxy", "--listen", "127.0.0.1:\(proxyPort)"]
        if let pki {
            let stand = try TLSTerminator(python: python, upstreamPort: broker.port, cert: pki.cert("broker"), key: pki.key("broker"))
            terminator = stand
            arguments += ["--upstream", "127.0.0.1:\(stand.port)", "--upstream-tls", "--upstream-ca", pki.cert("ca"),
                          "--tls-cert", pki.cert("proxy"), "--tls-key", pki.key("proxy")]
            if clientCertificate { arguments += ["--tls-client-ca", pki.cert("ca")] }
        } else {
            arguments += ["--upstream", broker.bootstrap]
        }
        let trace = try Package.temporaryFile("proxy.jsonl")
        let proxy = try ChildProcess(Package.commitcheck, arguments + ["--out", trace])
        defer { proxy.stop() }
        try proxy.waitForError(timeout: 30) { $0.contains("listening on") }
        let script = try TLSScripts.file(TLSScripts.regressClient, name: "regress.py")
        var clientArguments = [script, "127.0.0.1:\(proxyPort)", "topic-tls", "group-tls"]
        if let pki {
            clientArguments.append(pki.cert("ca"))
            if clientCertificate { clientArguments += [pki.cert("client"), pki.key("client")] }
        }
        let client = try ChildProcess.run(python, clientArguments, timeout: 120)
        #expect(client.status == 0, "\(client.out) \(client.err) proxy: \(proxy.err)")
        proxy.signal(SIGTERM)
        #expect(try proxy.wait(timeout: 30) == 0)
        withExtendedLifetime((broker, terminator)) {}
        return (trace, proxy.err, client.out)
    }

    static func pki() throws -> TestPKI {
        let pki = try TestPKI()
        try pki.leaf("broker", names: ["DNS:localhost", "IP:127.0.0.1"])
        try pki.leaf("proxy", names: ["DNS:localhost", "IP:127.0.0.1"])
        try pki.leaf("client", names: ["DNS:client.test"])
        try pki.leaf("rogue-client", names: ["DNS:client.test"], ca: "rogue-ca")
        try pki.leaf("wrong-host", names: ["DNS:wrong.example"])
        try pki.leaf("expired-broker", names: ["DNS:localhost", "IP:127.0.0.1"], expired: true)
        return pki
    }

    @Test func aTLSClientRecordsThroughATLSProxyToATLSBrokerTheSameTraceAsPlaintext() throws {
        let pki = try Self.pki()
        let secure = try Self.run(tls: pki, clientCertificate: true)
        #expect(secure.log.contains("(TLS, client certificates)") && secure.log.contains("(TLS), writing"), "\(secure.log)")
        let plain = try Self.run(tls: nil)
        let secureRecord = try Self.recorded(secure.trace), plainRecord = try Self.recorded(plain.trace)
        #expect(secureRecord.commits == [[12], [11]], "\(secure.log)")
        #expect(secureRecord == plainRecord)
        #expect(secureRecord.verdicts["topic-tls/0 monotonic"] == "violated")
        #expect(secureRecord.fetched == [11])
        // The trace is not world-writable (created 0640).
        let mode = try FileManager.default.attributesOfItem(atPath: secure.trace)[.posixPermissions] as? Int
        #expect(mode.map { $0 & 0o002 } == 0)
    }

    /// Starts a TLS proxy in front of a TLS stand-in broker and probes it once with Python `ssl`.
    ///
    /// - Parameters:
    ///   - brokerWantsCertificate: the stand-in broker requires a client certificate from the test CA.
    ///   - proxyArguments: more options for the proxy.
    static func probe(pki: TestPKI, brokerCert: String, clientCA: Bool, clientCert: String?,
                      brokerWantsCertificate: Bool = false, proxyArguments: [String] = []) throws -> (probe: String, log: String) {
        let python = try Package.python()
        let broker = try TansuBroker(python: python)
        let stand = try TLSTerminator(python: python, upstreamPort: broker.port, cert: pki.cert(brokerCert), key: pki.key(brokerCert),
                                      clientCA: brokerWantsCertificate ? pki.cert("ca") : nil)
        let proxyPort = try Package.freePort()
        let trace = try Package.temporaryFile("proxy.jsonl")
        let proxy = try ChildProcess(Package.commitcheck, [
            "proxy", "--listen", "127.0.0.1:\(proxyPort)", "--upstream", "127.0.0.1:\(stand.port)", "--out", trace,
            "--upstream-tls", "--upstream-ca", pki.cert("ca"), "--tls-cert", pki.cert("proxy"), "--tls-key", pki.key("proxy"),
        ] + (clientCA ? ["--tls-client-ca", pki.cert("ca")] : []) + proxyArguments)
        defer { proxy.stop() }
        try proxy.waitForError(timeout: 30) { $0.contains("listening on") }
        let script = try TLSScripts.file(TLSScripts.probe, name: "probe.py")
        let result = try ChildProcess.run(python, [script, "\(proxyPort)", pki.cert("ca")]
            + (clientCert.map { [pki.cert($0), pki.key($0)] } ?? []), timeout: 60)
        // Give the proxy a moment to log the refusal, then stop it.
        let deadline = Date().addingTimeInterval(5)
        while !proxy.err.contains("refused"), Date() < deadline { usleep(50_000) }
        proxy.signal(SIGTERM)
        #expect(try proxy.wait(timeout: 30) == 0)
        withExtendedLifetime((broker, stand)) {}
        return (result.out, proxy.err)
    }

    @Test func aClientWithAnUntrustedCertificateIsRefusedWhenClientsAreVerified() throws {
        let pki = try Self.pki()
        let rogue = try Self.probe(pki: pki, brokerCert: "broker", clientCA: true, clientCert: "rogue-client")
        #expect(!rogue.probe.contains("answered"), "\(rogue.probe)")
        #expect(rogue.log.contains("TLS with client 127.0.0.1:") && rogue.log.contains("is not signed by a CA in --tls-client-ca"), "\(rogue.log)")
        let anonymous = try Self.probe(pki: pki, brokerCert: "broker", clientCA: true, clientCert: nil)
        #expect(!anonymous.probe.contains("answered"), "\(anonymous.probe)")
        #expect(anonymous.log.contains("sent no certificate"), "\(anonymous.log)")
        // The control: the same probe with a trusted certificate gets Tansu's answer through both TLS sessions.
        let trusted = try Self.probe(pki: pki, brokerCert: "broker", clientCA: true, clientCert: "client")
        #expect(trusted.probe.contains("answered"), "\(trusted.probe) \(trusted.log)")
        #expect(!trusted.log.contains("refused"), "\(trusted.log)")
    }

    @Test func aBrokerWhoseCertificateNamesAnotherHostIsRefusedByTheProxy() throws {
        let pki = try Self.pki()
        let wrong = try Self.probe(pki: pki, brokerCert: "wrong-host", clientCA: false, clientCert: nil)
        #expect(!wrong.probe.contains("answered"), "\(wrong.probe)")
        #expect(wrong.log.contains("TLS to broker 127.0.0.1:") && wrong.log.contains("its certificate does not name 127.0.0.1"), "\(wrong.log)")
        #expect(wrong.log.contains("wrong.example"), "the message shows the names the certificate has: \(wrong.log)")
        let expired = try Self.probe(pki: pki, brokerCert: "expired-broker", clientCA: false, clientCert: nil)
        #expect(!expired.probe.contains("answered"), "\(expired.probe)")
        #expect(expired.log.contains("TLS to broker") && expired.log.contains("expired"), "\(expired.log)")
    }

    @Test func hostnameVerificationCanBeTurnedOffAndTheProxyShowsItsCertificateToBrokersThatAsk() throws {
        let pki = try Self.pki()
        // The wrong host name is accepted only when asked for; the CA is still checked.
        let unchecked = try Self.probe(pki: pki, brokerCert: "wrong-host", clientCA: false, clientCert: nil,
                                       proxyArguments: ["--no-upstream-hostname-verification"])
        #expect(unchecked.probe.contains("answered"), "\(unchecked.probe) \(unchecked.log)")
        // A broker that requires a client certificate: refused without --upstream-cert, served with it.
        let without = try Self.probe(pki: pki, brokerCert: "broker", clientCA: false, clientCert: nil, brokerWantsCertificate: true)
        #expect(!without.probe.contains("answered"), "\(without.probe)")
        #expect(without.log.contains("it requires a certificate from the proxy"), "\(without.log)")
        let with = try Self.probe(pki: pki, brokerCert: "broker", clientCA: false, clientCert: nil, brokerWantsCertificate: true,
                                  proxyArguments: ["--upstream-cert", pki.cert("client"), "--upstream-key", pki.key("client")])
        #expect(with.probe.contains("answered"), "\(with.probe) \(with.log)")
    }

    @Test func aPlaintextBrokerIsRefusedNotUsedInClear() throws {
        // --upstream-tls against a broker that speaks plaintext: Tansu waits for a frame the
        // ClientHello never completes, the handshake times out (10 s), the proxy gives up; no fallback.
        let pki = try Self.pki()
        let python = try Package.python()
        let broker = try TansuBroker(python: python)
        let proxyPort = try Package.freePort()
        let proxy = try ChildProcess(Package.commitcheck, [
            "proxy", "--listen", "127.0.0.1:\(proxyPort)", "--upstream", broker.bootstrap, "--out", try Package.temporaryFile("p.jsonl"),
            "--upstream-tls", "--upstream-ca", pki.cert("ca"), "--tls-cert", pki.cert("proxy"), "--tls-key", pki.key("proxy"),
        ])
        defer { proxy.stop() }
        try proxy.waitForError(timeout: 30) { $0.contains("listening on") }
        let script = try TLSScripts.file(TLSScripts.probe, name: "probe.py")
        let result = try ChildProcess.run(python, [script, "\(proxyPort)", pki.cert("ca")], timeout: 60)
        #expect(!result.out.contains("answered"), "\(result.out)")
        let deadline = Date().addingTimeInterval(5)
        while !proxy.err.contains("refused"), Date() < deadline { usleep(50_000) }
        #expect(proxy.err.contains("TLS to broker \(broker.bootstrap) refused"), "\(proxy.err)")
        #expect(proxy.err.contains("does it speak TLS?"), "\(proxy.err)")
    }
}
