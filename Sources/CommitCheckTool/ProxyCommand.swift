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
        // The generated usage is one line past 80 columns; this one is the same, on two.
        usage: """
        commitcheck proxy [<options>] --listen <address> --upstream <host:port>
          --out <file>
        """,
        discussion: """
            Point clients at --listen instead of the broker. Clients must keep talking through the proxy \
            after Metadata/FindCoordinator: either have the broker advertise the proxy's address (Tansu: \
            --advertised-listener-url), or pass --rewrite-brokers so the proxy puts its own address in those \
            answers (for a cluster of several brokers, give each broker a listener with --broker). \
            A client that records build events joins the trace by putting "commitcheck:ID" in each \
            partition's commit metadata; then verify both files together. SIGINT or SIGTERM closes every \
            connection (commits still in flight are recorded as unknown), syncs the trace and exits 0.

            Durability: every trace line is handed to the operating system (write(2)) before the bytes it \
            describes are forwarded, so a proxy that crashes or is killed has told no client of a commit \
            the trace lacks. --fsync also waits until the line is on disk (power loss), at a cost per line.

            TLS: --tls-cert/--tls-key make every listener TLS (--tls-client-ca also requires client \
            certificates); --upstream-tls makes every broker connection TLS, verified against --upstream-ca \
            (else the system's roots) and, by default, against the broker's host name. A certificate that \
            does not verify closes that connection with the reason logged; nothing falls back to plaintext. \
            SASL passes through untouched. A listener on a non-loopback address needs --allow-remote, \
            --tls-cert/--tls-key and --tls-client-ca: whoever connects writes commits into the trace. \
            See specs/security.md.
            """
    )

    @OptionGroup(title: "Listener")
    var listener: ListenerOptions

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

    @Flag(help: "Sync the trace to disk (fsync) before forwarding what each line describes: survives power loss, costs throughput.")
    var fsync = false

    @OptionGroup(title: "Broker TLS")
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
        let first = try listener.address()
        let (host, port) = try upstreamParts(upstream, "--upstream")
        var routes = [KafkaProxy.Route(listen: first, upstreamHost: host, upstreamPort: port)]
        for text in brokers {
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else {
                throw ValidationError("--broker: expected HOST:PORT=LISTEN, got '\(text)'")
            }
            let listenAddress = try ListenerOptions.parse(parts[1], option: "--broker (after =)")
            let (brokerHost, brokerPort) = try upstreamParts(parts[0], "--broker")
            routes.append(KafkaProxy.Route(listen: listenAddress, upstreamHost: brokerHost, upstreamPort: brokerPort))
        }
        return routes
    }

    func validate() throws {
        let routes = try routes()
        for route in routes {
            try ListeningService.checkAccess(route.listen, option: route.listen == routes[0].listen ? "--listen" : "--broker",
                                             allowRemote: listener.allowRemote,
                                             protection: .init(tls: listener.tls), tokenAllowed: false)
        }
    }

    func run() throws {
        let routes = try routes()
        do {
            if let note = try OwnerOnlyFiles.prepareTraceFile(at: out) { FileOutput.standardError("proxy: \(note)\n") }
        } catch {
            throw FileOutput.failure("\(error)")
        }
        let listenerTLS = listener.tls
        var proxy: KafkaProxy?
        let checker = online.make(tracePath: out, label: "proxy")
        try ListeningService.run { group in
            do { try checker?.start(group: group) } catch { throw FileOutput.failure("cannot serve --metrics: \(error)") }
            let printLine: @Sendable (String) -> Void = { FileOutput.standardError($0 + "\n") }
            let started: KafkaProxy
            do {
                started = try KafkaProxy(routes: routes, tracePath: out, proc: proc, durability: fsync ? .synced : .written,
                                         rewriteBrokerAddresses: rewriteBrokers, group: group,
                                         log: printLine, information: quiet ? nil : printLine,
                                         listenerTLS: listenerTLS, upstreamTLS: security.upstreamTLS)
            } catch {
                throw FileOutput.failure("\(error)")
            }
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
                        + (listenerTLS == nil ? "" : listenerTLS!.verifiesClients ? " (TLS, client certificates)" : " (TLS)")
                        + ", forwarding to \(route.upstreamHost):\(route.upstreamPort)" + (security.upstreamTLS == nil ? "" : " (TLS)")
                        + ", writing \(out)" + (fsync ? " (fsync per line)" : "") + "\n")
                }
            }
        } stop: {
            try proxy!.stop()
            if let warning = proxy!.bypassWarning { FileOutput.standardError("warning: \(warning)\n") }
            for line in proxy!.unrecordedSummary { FileOutput.standardError("warning: \(line)\n") }
            if !quiet { FileOutput.standardError("proxy: stopped; trace written to \(out)\n") }
            _ = checker?.finish()
        }
    }
}

/// The broker-side TLS options of `proxy` (the listener's are ``ListenerOptions``); they only
/// describe settings, the proxy applies them.
struct ProxySecurityOptions: ParsableArguments {
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

    func validate() throws {
        if !upstreamTls {
            for (value, name) in [(upstreamCa, "--upstream-ca"), (upstreamCert, "--upstream-cert"), (upstreamKey, "--upstream-key")] where value != nil {
                throw ValidationError("\(name) needs --upstream-tls (the broker connections are plaintext without it)")
            }
            if !upstreamHostnameVerification { throw ValidationError("--no-upstream-hostname-verification needs --upstream-tls") }
        }
        try TLSOptionRules.pair(upstreamCert, "--upstream-cert", upstreamKey, "--upstream-key")
    }

    var upstreamTLS: TLSUpstreamSettings? {
        guard upstreamTls else { return nil }
        return TLSUpstreamSettings(caFile: upstreamCa, certificateFile: upstreamCert, keyFile: upstreamKey,
                                   verifiesHostname: upstreamHostnameVerification)
    }
}
