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

    func validate() throws { _ = try routes() }

    func run() throws {
        let routes = try routes()
        let recorder: CommitRecorder
        do {
            recorder = try CommitRecorder(path: out, proc: proc)
        } catch {
            throw FileOutput.failure("\(error)")
        }
        var proxy: KafkaProxy?
        try ListeningService.run { group in
            let printLine: @Sendable (String) -> Void = { FileOutput.standardError($0 + "\n") }
            let started = KafkaProxy(routes: routes, recorder: recorder, rewriteBrokerAddresses: rewriteBrokers, group: group,
                                     log: printLine, information: quiet ? nil : printLine)
            let bound: [SocketAddress]
            do {
                bound = try started.start()
            } catch {
                throw FileOutput.failure("cannot listen: \(error)")
            }
            proxy = started
            if !quiet {
                for (route, address) in zip(routes, bound) {
                    FileOutput.standardError("proxy: listening on \(ListeningService.shown(route.listen, bound: address)), "
                        + "forwarding to \(route.upstreamHost):\(route.upstreamPort), writing \(out)\n")
                }
            }
        } stop: {
            try proxy!.stop()
            if let warning = proxy!.bypassWarning { FileOutput.standardError("warning: \(warning)\n") }
            if !quiet { FileOutput.standardError("proxy: stopped; trace written to \(out)\n") }
        }
    }
}
