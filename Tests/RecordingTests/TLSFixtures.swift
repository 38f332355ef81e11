import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PKI made with the `openssl` command for one test: a CA, a second CA nobody
/// trusts, and leaf certificates with chosen names.
final class TestPKI {
    let folder: URL
    private(set) var made: Set<String> = []

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("commitcheck-pki-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try makeCA("ca")
        try makeCA("rogue-ca")
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
    func cert(_ name: String) -> String { path("\(name).pem") }
    func key(_ name: String) -> String { path("\(name).key") }

    private func openssl(_ arguments: [String]) throws {
        let result = try ChildProcess.run("/usr/bin/openssl", arguments, timeout: 60)
        guard result.status == 0 else { throw ChildProcess.Failure("openssl \(arguments.first ?? ""): \(result.err)") }
    }

    private func makeCA(_ name: String) throws {
        try openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                     "-keyout", key(name), "-out", cert(name), "-days", "2", "-subj", "/CN=commitcheck test \(name)"])
    }

    /// A leaf certificate signed by `ca`, naming `names` (`DNS:x`, `IP:1.2.3.4`); an `expired`
    /// one is valid for no time at all (OpenSSL 3.0's `x509` cannot backdate), so it has expired
    /// by the time anything checks it.
    @discardableResult
    func leaf(_ name: String, names: [String], ca: String = "ca", expired: Bool = false) throws -> (cert: String, key: String) {
        let extensions = path("\(name).ext")
        try """
            subjectAltName=\(names.joined(separator: ","))
            basicConstraints=CA:FALSE
            keyUsage=digitalSignature
            extendedKeyUsage=serverAuth,clientAuth

            """.write(toFile: extensions, atomically: true, encoding: .utf8)
        try openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                     "-keyout", key(name), "-out", path("\(name).csr"), "-subj", "/CN=\(name)"])
        var arguments = ["x509", "-req", "-in", path("\(name).csr"), "-CA", cert(ca), "-CAkey", key(ca), "-set_serial", "\(Int.random(in: 1...1_000_000))",
                         "-out", cert(name), "-extfile", extensions]
        arguments += ["-days", expired ? "0" : "2"]
        try openssl(arguments)
        if expired { usleep(1_100_000) }
        made.insert(name)
        return (cert(name), key(name))
    }
}

/// Python programs the TLS tests run with the end-to-end environment's interpreter.
enum TLSScripts {
    /// A TLS-terminating stand-in for a broker: Tansu 0.6.0 takes `--cert`/`--key` but its
    /// listener stays plaintext (the two options even exclude each other), so the TLS broker of
    /// these tests is Python's `ssl` module in front of a plaintext Tansu, relaying bytes.
    static let terminator = """
        import socket, ssl, sys, threading
        listen_port, upstream_port, cert, key = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
        client_ca = sys.argv[5] if len(sys.argv) > 5 else None
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        if client_ca:
            context.load_verify_locations(client_ca)
            context.verify_mode = ssl.CERT_REQUIRED
        server = socket.create_server(("127.0.0.1", listen_port))
        def pump(source, target):
            try:
                while True:
                    data = source.recv(65536)
                    if not data:
                        break
                    target.sendall(data)
            except OSError:
                pass
            for s in (source, target):
                try:
                    s.close()
                except OSError:
                    pass
        def serve(raw):
            try:
                tls = context.wrap_socket(raw, server_side=True)
            except (ssl.SSLError, OSError) as error:
                print("refused:", error, flush=True)
                raw.close()
                return
            upstream = socket.create_connection(("127.0.0.1", upstream_port))
            threading.Thread(target=pump, args=(tls, upstream), daemon=True).start()
            threading.Thread(target=pump, args=(upstream, tls), daemon=True).start()
        print("ready", flush=True)
        while True:
            raw, _ = server.accept()
            threading.Thread(target=serve, args=(raw,), daemon=True).start()
        """

    /// kafka-python commits 12 then 11 on `topic`/0 for `group`, then reads the committed
    /// offset back (the proxy end-to-end tests' "regress" scenario), over TLS when given a CA.
    static let regressClient = """
        import sys
        from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
        from kafka.admin import NewTopic
        from kafka.structs import OffsetAndMetadata
        bootstrap, topic, group = sys.argv[1], sys.argv[2], sys.argv[3]
        settings = dict(bootstrap_servers=bootstrap, request_timeout_ms=20000)
        if len(sys.argv) > 4:
            settings.update(security_protocol="SSL", ssl_cafile=sys.argv[4], ssl_check_hostname=True)
        if len(sys.argv) > 6:
            settings.update(ssl_certfile=sys.argv[5], ssl_keyfile=sys.argv[6])
        admin = KafkaAdminClient(**settings)
        admin.create_topics([NewTopic(topic, 1, 1)])
        admin.close()
        consumer = KafkaConsumer(group_id=group, enable_auto_commit=False, **settings)
        tp = TopicPartition(topic, 0)
        consumer.commit({tp: OffsetAndMetadata(12, "", -1)})
        consumer.commit({tp: OffsetAndMetadata(11, "", -1)})
        print("committed", consumer.committed(tp))
        consumer.close(autocommit=False)
        """

    /// Opens one TLS connection to 127.0.0.1:PORT (trusting CA; with a client certificate when
    /// given), sends an ApiVersions request and prints what happened: `answered N bytes`,
    /// `closed`, or `refused: ...`. Bounded by a 20 s socket timeout (longer than the proxy's
    /// 10 s TLS handshake timeout, so the proxy gives up first).
    static let probe = """
        import socket, ssl, struct, sys
        port, ca = int(sys.argv[1]), sys.argv[2]
        context = ssl.create_default_context(cafile=ca)
        if len(sys.argv) > 4:
            context.load_cert_chain(sys.argv[3], sys.argv[4])
        request = struct.pack(">hhi", 18, 0, 1) + struct.pack(">h", 5) + b"probe"
        try:
            raw = socket.create_connection(("127.0.0.1", port), timeout=20)
            tls = context.wrap_socket(raw, server_hostname="127.0.0.1")
            tls.sendall(struct.pack(">i", len(request)) + request)
            answer = tls.recv(65536)
            print("answered %d bytes" % len(answer) if answer else "closed")
        except (ssl.SSLError, OSError) as error:
            print("refused:", error)
        """

    /// Writes a script to a temporary file and returns its path.
    static func file(_ text: String, name: String) throws -> String {
        let path = try Package.temporaryFile(name)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

/// A TLS stand-in broker (``TLSScripts/terminator``) on a loopback port, in front of `upstream`.
final class TLSTerminator {
    let port: Int
    let process: ChildProcess

    init(python: String, upstreamPort: Int, cert: String, key: String, clientCA: String? = nil) throws {
        port = try Package.freePort()
        let script = try TLSScripts.file(TLSScripts.terminator, name: "terminator.py")
        process = try ChildProcess(python, [script, "\(port)", "\(upstreamPort)", cert, key] + (clientCA.map { [$0] } ?? []))
        let deadline = Date().addingTimeInterval(30)
        while !process.out.contains("ready") {
            if Date() > deadline || !process.isRunning {
                process.stop()
                throw ChildProcess.Failure("the TLS stand-in did not start: \(process.err)")
            }
            usleep(20_000)
        }
    }

    deinit { process.stop() }
}
