import CommitCheck
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import Recording

/// Who may write a trace: the listener rules of `record` and `proxy`, the owner-only socket and
/// trace file, the collector's token and its client certificates.
@Suite(.serialized)
struct ListenerAccessTests {
    @Test func loopbackAndUnixSocketsAreLocalEverythingElseIsNot() {
        for local in ["127.0.0.1:1", "127.8.9.10:1", "localhost:1", "[::1]:1", "[::ffff:127.0.0.1]:1", "unix:/tmp/x.sock"] {
            #expect(ListenerAccess.isLocal(ListenAddress(parsing: local)!), "\(local)")
        }
        for remote in ["0.0.0.0:1", "[::]:1", "10.1.2.3:1", "192.0.2.7:1", "example.com:1", "[::ffff:10.0.0.1]:1", "128.0.0.1:1"] {
            #expect(!ListenerAccess.isLocal(ListenAddress(parsing: remote)!), "\(remote)")
        }
    }

    /// Runs `commitcheck ARGS` that must stop before listening; returns its exit status and stderr.
    static func refused(_ arguments: [String]) throws -> (Int32, String) {
        let result = try ChildProcess.run(Package.commitcheck, arguments, timeout: 60)
        return (result.status, result.err)
    }

    @Test func recordOnANonLoopbackAddressNeedsAllowRemoteThenTLSAndAWayToKnowTheWriters() throws {
        let out = try Package.temporaryFile("never.jsonl")
        let (status, err) = try Self.refused(["record", "--listen", "0.0.0.0:0", "--out", out])
        #expect(status == 2)
        #expect(err.contains("--listen 0.0.0.0:0 is not a loopback address") && err.contains("--allow-remote"), "\(err)")
        #expect(!FileManager.default.fileExists(atPath: out), "nothing is created before the check")

        let (status2, err2) = try Self.refused(["record", "--listen", "0.0.0.0:0", "--out", out, "--allow-remote"])
        #expect(status2 == 2 && err2.contains("needs TLS"), "\(err2)")

        let pki = try TestPKI()
        try pki.leaf("collector", names: ["IP:127.0.0.1"])
        let tls = ["--tls-cert", pki.cert("collector"), "--tls-key", pki.key("collector")]
        let (status3, err3) = try Self.refused(["record", "--listen", "0.0.0.0:0", "--out", out, "--allow-remote"] + tls)
        #expect(status3 == 2 && err3.contains("--tls-client-ca") && err3.contains("--token-file"), "\(err3)")

        let (status4, err4) = try Self.refused(["record", "--listen", "127.0.0.1:0", "--out", out, "--tls-cert", pki.cert("collector")])
        #expect(status4 == 2 && err4.contains("--tls-key is missing"), "\(err4)")
    }

    /// `record` and `proxy` parse their listener options with one shared definition
    /// (`ListenerOptions`): the same mistakes get the same messages from both.
    @Test func bothCommandsRejectTheSameListenerMistakesWithTheSameMessages() throws {
        let out = try Package.temporaryFile("never.jsonl")
        let commands = [["record", "--out", out], ["proxy", "--upstream", "127.0.0.1:9092", "--out", out]]
        let mistakes: [([String], String)] = [
            (["--listen", "nowhere"], "--listen: expected HOST:PORT or unix:PATH, got 'nowhere'"),
            (["--listen", "127.0.0.1:0", "--tls-cert", "c.pem"], "--tls-key is missing: --tls-cert and --tls-key go together"),
            (["--listen", "127.0.0.1:0", "--tls-key", "k.pem"], "--tls-cert is missing: --tls-cert and --tls-key go together"),
            (["--listen", "127.0.0.1:0", "--tls-client-ca", "ca.pem"], "--tls-client-ca needs --tls-cert and --tls-key"),
        ]
        for command in commands {
            for (arguments, message) in mistakes {
                let (status, err) = try Self.refused(command + arguments)
                #expect(status == 2 && err.contains(message), "\(command[0]) \(arguments): \(err)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: out), "nothing is created before the checks")
    }

    @Test func theProxysListenerFollowsTheSameRule() throws {
        let out = try Package.temporaryFile("never.jsonl")
        let (status, err) = try Self.refused(["proxy", "--listen", "0.0.0.0:0", "--upstream", "127.0.0.1:9092", "--out", out])
        #expect(status == 2 && err.contains("is not a loopback address"), "\(err)")
        let (status2, err2) = try Self.refused(["proxy", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9092", "--out", out,
                                                "--broker", "127.0.0.1:9093=10.9.8.7:0"])
        #expect(status2 == 2 && err2.contains("--broker 10.9.8.7:0 is not a loopback address"), "\(err2)")
        let pki = try TestPKI()
        try pki.leaf("proxy", names: ["IP:127.0.0.1"])
        // A token is no way to know Kafka clients: only client certificates open a remote proxy.
        let (status3, err3) = try Self.refused(["proxy", "--listen", "0.0.0.0:0", "--upstream", "127.0.0.1:9092", "--out", out,
                                                "--allow-remote", "--tls-cert", pki.cert("proxy"), "--tls-key", pki.key("proxy")])
        #expect(status3 == 2 && err3.contains("--tls-client-ca") && !err3.contains("--token-file"), "\(err3)")
        // Upstream settings without --upstream-tls would silently mean plaintext: refused.
        let (status4, err4) = try Self.refused(["proxy", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9092", "--out", out,
                                                "--upstream-ca", pki.cert("ca")])
        #expect(status4 == 2 && err4.contains("--upstream-ca needs --upstream-tls"), "\(err4)")
        // A certificate file that is not one: exit 2 naming the file.
        let (status5, err5) = try Self.refused(["proxy", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9092", "--out", out,
                                                "--tls-cert", pki.path("proxy.ext"), "--tls-key", pki.key("proxy")])
        #expect(status5 == 2 && err5.contains(pki.path("proxy.ext")), "\(err5)")
    }

    @Test func theUnixSocketIsOwnerOnlyAndTheTraceIsNotWorldWritableEvenUnderUmask000() throws {
        let out = try Package.temporaryFile("collected.jsonl")
        let socketPath = (out as NSString).deletingLastPathComponent + "/collector.sock"
        let collector = try ChildProcess("/bin/sh", ["-c", "umask 000; exec \"$0\" record --listen unix:\"$1\" --out \"$2\"",
                                                     Package.commitcheck, socketPath, out])
        defer { collector.stop() }
        try collector.waitForError(timeout: 30) { $0.contains("listening on") }
        var status = stat()
        #expect(stat(socketPath, &status) == 0)
        #expect(status.st_mode & 0o777 == 0o600, "socket mode \(String(status.st_mode & 0o777, radix: 8))")
        #expect(stat(out, &status) == 0)
        #expect(status.st_mode & 0o777 == 0o640, "trace mode \(String(status.st_mode & 0o777, radix: 8))")
        collector.signal(SIGTERM)
        #expect(try collector.wait(timeout: 30) == 0)

        // An existing world-writable trace loses that bit.
        chmod(out, 0o666)
        let again = try ChildProcess(Package.commitcheck, ["record", "--listen", "127.0.0.1:0", "--out", out])
        defer { again.stop() }
        try again.waitForError(timeout: 30) { $0.contains("listening on") }
        #expect(stat(out, &status) == 0 && status.st_mode & 0o002 == 0)
        #expect(again.err.contains("was world-writable"), "\(again.err)")
        again.signal(SIGTERM)
        #expect(try again.wait(timeout: 30) == 0)
    }

    @Test func aTokenMustComeFirstAndOnlyItsHolderWrites() throws {
        let tokenFile = try Package.temporaryFile("token")
        let token = "t0ken-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: tokenFile, contents: Data((token + "\n").utf8), attributes: [.posixPermissions: 0o600])
        let (collector, port, out) = try CollectorTests.startCollector(["--token-file", tokenFile])
        defer { collector.stop() }
        #expect(collector.err.contains("(token)"), "\(collector.err)")

        let good = try LineClient(port: port)
        try good.write("auth \(token)\n" + CollectorTests.line(writer: 1, sequence: 1) + CollectorTests.line(writer: 1, sequence: 2))
        #expect(good.finish() == "ok 2 0\n")

        let wrong = try LineClient(port: port)
        try wrong.write("auth \(token)x\n" + CollectorTests.line(writer: 2, sequence: 1))
        #expect(wrong.finish().hasPrefix("error: authentication required"))

        let none = try LineClient(port: port)
        try none.write(CollectorTests.line(writer: 3, sequence: 1))
        #expect(none.finish().hasPrefix("error: authentication required"))

        collector.signal(SIGTERM)
        #expect(try collector.wait(timeout: 30) == 0)
        let history = try TraceReader().read(paths: [out])
        #expect(history.commits.map(\.id) == ["w1-1", "w1-2"])
        #expect(collector.err.contains("refused: wrong token") && collector.err.contains("refused: the first line is not `auth TOKEN`"), "\(collector.err)")
        #expect(!collector.err.contains(token), "the log never shows the token")

        // A token file others can read is refused (exit 2, naming it).
        chmod(tokenFile, 0o644)
        let (status, err) = try Self.refused(["record", "--listen", "127.0.0.1:0", "--out", out, "--token-file", tokenFile])
        #expect(status == 2 && err.contains(tokenFile) && err.contains("readable by every user"), "\(err)")
    }

    /// A Python `ssl` client that writes two lines to the collector, with or without a client certificate.
    static let tlsWriter = """
        import socket, ssl, sys, time
        port, ca, line = int(sys.argv[1]), sys.argv[2], sys.argv[3]
        context = ssl.create_default_context(cafile=ca)
        if len(sys.argv) > 5:
            context.load_cert_chain(sys.argv[4], sys.argv[5])
        try:
            tls = context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10), server_hostname="127.0.0.1")
            tls.sendall((line + "\\n").encode())
            tls.settimeout(1)
            try:
                answer = tls.recv(4096)
                print("answer", answer)
            except socket.timeout:
                print("sent")
            tls.close()
        except (ssl.SSLError, OSError) as error:
            print("refused:", error)
        """

    @Test func overTLSOnlyClientsWithACertificateFromTheCAWrite() throws {
        let pki = try TestPKI()
        try pki.leaf("collector", names: ["IP:127.0.0.1"])
        try pki.leaf("writer", names: ["DNS:writer.test"])
        try pki.leaf("rogue-writer", names: ["DNS:writer.test"], ca: "rogue-ca")
        let (collector, port, out) = try CollectorTests.startCollector([
            "--tls-cert", pki.cert("collector"), "--tls-key", pki.key("collector"), "--tls-client-ca", pki.cert("ca"),
        ])
        defer { collector.stop() }
        #expect(collector.err.contains("(TLS, client certificates)"), "\(collector.err)")
        let python = try Package.python()
        let script = try TLSScripts.file(Self.tlsWriter, name: "writer.py")
        func write(_ writer: Int, _ certificate: String?) throws -> String {
            let line = CollectorTests.line(writer: writer, sequence: 1).trimmingCharacters(in: .newlines)
            return try ChildProcess.run(python, [script, "\(port)", pki.cert("ca"), line]
                + (certificate.map { [pki.cert($0), pki.key($0)] } ?? []), timeout: 60).out
        }
        let trusted = try write(1, "writer")
        let rogue = try write(2, "rogue-writer")
        let anonymous = try write(3, nil)
        #expect(trusted.hasPrefix("sent"), "\(trusted)")
        #expect(!rogue.hasPrefix("sent"), "\(rogue)")
        #expect(!anonymous.hasPrefix("sent"), "\(anonymous)")
        collector.signal(SIGTERM)
        #expect(try collector.wait(timeout: 30) == 0)
        #expect(try TraceReader().read(paths: [out]).commits.map(\.id) == ["w1-1"])
        #expect(collector.err.contains("is not signed by a CA in --tls-client-ca"), "\(collector.err)")
        #expect(collector.err.contains("sent no certificate"), "\(collector.err)")
    }
}
