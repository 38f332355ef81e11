import ArgumentParser
import CommitRecorder
import Dispatch
import Foundation
import NIOCore
import NIOPosix
import Recording

struct ProxyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxy",
        abstract: "Forward Kafka traffic unchanged and record its OffsetCommit and OffsetFetch requests as a trace.",
        discussion: """
            Point clients at --listen instead of the broker. Clients must keep talking through the proxy \
            after Metadata/FindCoordinator: either have the broker advertise the proxy's address (Tansu: \
            --advertised-listener-url), or pass --rewrite-brokers so the proxy puts its own address in those \
            answers (for a cluster of several brokers, give each broker a listener with --broker). \
            A client that records build events joins the trace by putting "commitcheck:ID" in each \
            partition's commit metadata; then verify both files together. SIGINT or SIGTERM closes every \
            connection (commits still in flight are recorded as unknown), syncs the trace and exits 0.

            TLS: --tls-cert/--tls-key make every listener TLS (--tls-client-ca also requires client \
            certificates); --upstream-tls makes every broker connection TLS, verified against --upstream-ca \
            (else the system's roots) and, by default, against the broker's host name. A certificate that \
            does not verify closes that connection with the reason logged; nothing falls back to plaintext. \
            SASL passes through untouched. A listener on a non-loopback address needs --allow-remote, \
            --tls-cert/--tls-key and --tls-client-ca: whoever connects writes commits into the trace. \
            See specs/security.md.
            """
    )

    @Option(help: ArgumentHelp("Where clients connect: HOST:PORT (port 0 picks one) or unix:PATH.", valueName: "address"))
    var listen: String

    @Option(help: ArgumentHelp("The broker to forward to, HOST:PORT as it advertises itself.", valueName: "host:port"))
    var upstream: String

    @Option(help: ArgumentHelp("The trace file to write.", valueName: "file"))
    var out: String

    @Option(name: .customLong("broker"), help: ArgumentHelp("Another broker and the listener for it: HOST:PORT=LISTEN (repeatable).", valueName: "route"))
    var brokers: [String] = []

    @Flag(help: "Replace broker addresses in Metadata and FindCoordinator answers with the proxy's listeners.")
    var rewriteBrokers = false

    @Option(help: "The proc name the trace's events carry.")
    var proc = "proxy"

    @Flag(help: "Log only problems.")
    var quiet = false

    @OptionGroup(title: "TLS and access")
    var security: ProxySecurityOptions

    @OptionGroup(title: "Online checking and metrics")
    var online: OnlineVerificationOptions

    func routes() throws -> [KafkaProxy.Route] {
        func upstreamParts(_ text: String, _ option: String) throws -> (String, Int) {
            guard case let .tcp(host, port)? = ListenAddress(parsing: text), port > 0 else {
                throw ValidationError("\(option): expected HOST:PORT, got '\(text)'")
            }
            return (host, port)
        }
        guard let first = ListenAddress(parsing: listen) else {
            throw ValidationError("--listen: expected HOST:PORT or unix:PATH, got '\(listen)'")
        }
        let (host, port) = try upstreamParts(upstream, "--upstream")
        var routes = [KafkaProxy.Route(listen: first, upstreamHost: host, upstreamPort: port)]
        for text in brokers {
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let listenAddress = ListenAddress(parsing: parts[1]) else {
                throw ValidationError("--broker: expected HOST:PORT=LISTEN, got '\(text)'")
            }
            let (brokerHost, brokerPort) = try upstreamParts(parts[0], "--broker")
            routes.append(KafkaProxy.Route(listen: listenAddress, upstreamHost: brokerHost, upstreamPort: brokerPort))
        }
        return routes
    }

    func validate() throws {
        let routes = try routes()
        for route in routes {
            try ListeningService.checkAccess(route.listen, option: route.listen == routes[0].listen ? "--listen" : "--broker",
                                             allowRemote: security.allowRemote,
                                             protection: .init(tls: security.listenerTLS), tokenAllowed: false)
        }
    }

    func run() throws {
        let routes = try routes()
        let recorder: CommitRecorder
        do {
            if let note = try OwnerOnlyFiles.prepareTraceFile(at: out) { FileOutput.standardError("proxy: \(note)\n") }
            recorder = try CommitRecorder(path: out, proc: proc)
        } catch {
            throw FileOutput.failure("\(error)")
        }
        var proxy: KafkaProxy?
        let checker = online.make(tracePath: out, label: "proxy")
        try ListeningService.run { group in
            do { try checker?.start(group: group) } catch { throw FileOutput.failure("cannot serve --metrics: \(error)") }
            let printLine: @Sendable (String) -> Void = { FileOutput.standardError($0 + "\n") }
            let started = KafkaProxy(routes: routes, recorder: recorder, rewriteBrokerAddresses: rewriteBrokers, group: group,
                                     log: printLine, information: quiet ? nil : printLine,
                                     listenerTLS: security.listenerTLS, upstreamTLS: security.upstreamTLS)
            let bound: [SocketAddress]
            do {
                bound = try started.start()
            } catch let error as TLSSetupError {
                throw ListeningService.stop(error.description)
            } catch {
                throw FileOutput.failure("cannot listen: \(error)")
            }
            proxy = started
            if !quiet {
                for (route, address) in zip(routes, bound) {
                    FileOutput.standardError("proxy: listening on \(ListeningService.shown(route.listen, bound: address))"
                        + (security.listenerTLS == nil ? "" : security.listenerTLS!.verifiesClients ? " (TLS, client certificates)" : " (TLS)")
                        + ", forwarding to \(route.upstreamHost):\(route.upstreamPort)" + (security.upstreamTLS == nil ? "" : " (TLS)")
                        + ", writing \(out)\n")
                }
            }
        } stop: {
            try proxy!.stop()
            if let warning = proxy!.bypassWarning { FileOutput.standardError("warning: \(warning)\n") }
            if !quiet { FileOutput.standardError("proxy: stopped; trace written to \(out)\n") }
            _ = checker?.finish()
        }
    }
}

/// The TLS and access options of `proxy`; they only describe settings, the proxy applies them.
struct ProxySecurityOptions: ParsableArguments {
    @Option(help: ArgumentHelp("PEM certificate (chain) of the proxy's TLS listeners.", valueName: "file"))
    var tlsCert: String?

    @Option(help: ArgumentHelp("PEM private key of --tls-cert.", valueName: "file"))
    var tlsKey: String?

    @Option(help: ArgumentHelp("Require client certificates signed by a CA in this PEM file.", valueName: "file"))
    var tlsClientCa: String?

    @Flag(help: "Connect to the brokers with TLS.")
    var upstreamTls = false

    @Option(help: ArgumentHelp("PEM file of the CAs the brokers' certificates must chain to (default: the system's roots).", valueName: "file"))
    var upstreamCa: String?

    @Option(help: ArgumentHelp("PEM client certificate for brokers that ask for one.", valueName: "file"))
    var upstreamCert: String?

    @Option(help: ArgumentHelp("PEM private key of --upstream-cert.", valueName: "file"))
    var upstreamKey: String?

    @Flag(inversion: .prefixedNo, help: "Require each broker's certificate to name the host the proxy connects to.")
    var upstreamHostnameVerification = true

    @Flag(help: "Allow listening on a non-loopback address (needs --tls-cert, --tls-key and --tls-client-ca).")
    var allowRemote = false

    func validate() throws {
        try TLSOptionRules.pair(tlsCert, "--tls-cert", tlsKey, "--tls-key")
        if tlsClientCa != nil && tlsCert == nil { throw ValidationError("--tls-client-ca needs --tls-cert and --tls-key") }
        if !upstreamTls {
            for (value, name) in [(upstreamCa, "--upstream-ca"), (upstreamCert, "--upstream-cert"), (upstreamKey, "--upstream-key")] where value != nil {
                throw ValidationError("\(name) needs --upstream-tls (the broker connections are plaintext without it)")
            }
            if !upstreamHostnameVerification { throw ValidationError("--no-upstream-hostname-verification needs --upstream-tls") }
        }
        try TLSOptionRules.pair(upstreamCert, "--upstream-cert", upstreamKey, "--upstream-key")
    }

    var listenerTLS: TLSListenerSettings? {
        guard let tlsCert, let tlsKey else { return nil }
        return TLSListenerSettings(certificateFile: tlsCert, keyFile: tlsKey, clientCAFile: tlsClientCa)
    }

    var upstreamTLS: TLSUpstreamSettings? {
        guard upstreamTls else { return nil }
        return TLSUpstreamSettings(caFile: upstreamCa, certificateFile: upstreamCert, keyFile: upstreamKey,
                                   verifiesHostname: upstreamHostnameVerification)
    }
}

enum TLSOptionRules {
    /// A certificate without its key (or the reverse) is a mistake, never a reason to go plaintext.
    static func pair(_ first: String?, _ firstName: String, _ second: String?, _ secondName: String) throws {
        if (first == nil) != (second == nil) {
            throw ValidationError("\(first == nil ? firstName : secondName) is missing: \(firstName) and \(secondName) go together")
        }
    }
}
