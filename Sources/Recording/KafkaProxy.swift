import CommitRecorder
import KafkaWire
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// A recording Kafka proxy: forwards every byte between clients and brokers and writes the
/// OffsetCommit, OffsetFetch, transaction (TxnOffsetCommit, EndTxn and the steps between) and
/// offset-deleting traffic it sees as a `commitcheck/1` trace.
///
/// Each route is a listener and the broker it forwards to. Clients find the group coordinator
/// through Metadata and FindCoordinator answers; they keep talking through the proxy when the
/// broker advertises the proxy's address, or when `rewriteBrokerAddresses` is on and every broker
/// they learn about has a route (its address in those answers is then replaced by the route's
/// listener).
///
/// With TLS, each side is its own TLS session: clients talk TLS to the proxy's listeners, the
/// proxy talks TLS to the brokers, and between the two the proxy sees (and records from) the
/// traffic in clear. A certificate that does not verify closes that connection with a logged
/// reason; nothing ever falls back to plaintext.
///
/// Every trace line is out of the process before the bytes it describes are forwarded (with
/// `.synced`, on disk): see ``ProxyTraceRecorder``. Connections live on several event loops, so
/// what the proxy itself changes after `start()` sits in a locked box.
public final class KafkaProxy: Sendable {
    /// A listener and the broker behind it (`host:port` as the broker advertises itself).
    public struct Route: Sendable {
        public var listen: ListenAddress
        public var upstreamHost: String
        public var upstreamPort: Int

        public init(listen: ListenAddress, upstreamHost: String, upstreamPort: Int) {
            self.listen = listen
            self.upstreamHost = upstreamHost
            self.upstreamPort = upstreamPort
        }
    }

    private let routes: [Route]
    private let group: EventLoopGroup
    private let recorder: ProxyTraceRecorder
    private let rewriteBrokerAddresses: Bool
    private let logSink: @Sendable (String) -> Void
    private let open = NIOLockedValueBox([ObjectIdentifier: Channel]())
    private let running = NIOLockedValueBox(Running())
    private let upstreamFailures: UpstreamFailureLog

    /// What `start()` sets up and `stop()` takes down.
    private struct Running {
        var servers: [Channel] = []
        var state: ProxyRecordingState?
    }

    private let information: (@Sendable (String) -> Void)?
    private let listenerTLS: TLSListenerSettings?
    private let upstreamTLS: TLSUpstreamSettings?

    /// Opens the trace file (truncating it) and writes its `meta` line; nothing listens yet.
    ///
    /// - Parameters:
    ///   - tracePath: the trace file; `proc` is the process name its lines carry.
    ///   - durability: `.written` (default): every line is handed to the operating system before
    ///     what it describes is forwarded, so a crash of the proxy loses nothing a client or broker
    ///     saw; `.synced` (`--fsync`): also on disk, so a power loss loses nothing either.
    ///   - lineObserver: called once per trace line (without its line end), in trace order, after
    ///     the line was written (and synced). It runs on the proxy's event loops under the trace's
    ///     lock: keep it quick and non-blocking.
    ///   - log: problems (undecodable frames, unproxied brokers, refused TLS handshakes).
    ///   - information: what is worth knowing once (the protocol versions clients use); `nil` drops it.
    ///   - listenerTLS: TLS on every listener (with client certificates when it names a client CA).
    ///   - upstreamTLS: TLS to every broker.
    ///   - upstreamFailureSummary: how often an outage of a broker is summarised in the log.
    public init(routes: [Route], tracePath: String, proc: String = "proxy", durability: TraceLineSink.Durability = .written,
                lineObserver: (@Sendable (String) -> Void)? = nil,
                rewriteBrokerAddresses: Bool, group: EventLoopGroup,
                log: @escaping @Sendable (String) -> Void, information: (@Sendable (String) -> Void)? = nil,
                listenerTLS: TLSListenerSettings? = nil, upstreamTLS: TLSUpstreamSettings? = nil,
                upstreamFailureSummary: TimeAmount = .seconds(10)) throws(RecorderError) {
        self.information = information
        self.listenerTLS = listenerTLS
        self.upstreamTLS = upstreamTLS
        self.routes = routes
        self.recorder = try ProxyTraceRecorder(path: tracePath, proc: proc, durability: durability, lineObserver: lineObserver)
        self.rewriteBrokerAddresses = rewriteBrokerAddresses
        self.group = group
        self.logSink = log
        self.upstreamFailures = UpstreamFailureLog(summaryInterval: upstreamFailureSummary)
    }

    /// Binds every route's listener; returns the bound addresses in route order.
    ///
    /// TLS files are loaded here, once: a file that cannot be used stops the start with its
    /// name (``TLSSetupError``). Unix sockets are created owner-only (0600).
    @discardableResult
    public func start() throws -> [SocketAddress] {
        let serverContext = try listenerTLS?.makeContext()
        let clientContext = try upstreamTLS?.makeContext()
        let clientTrust = listenerTLS?.clientCAFile.map { "--tls-client-ca \($0)" } ?? "the trusted CAs"
        let brokerTrust = upstreamTLS.map { $0.caFile.map { "--upstream-ca \($0)" } ?? "the system's trusted roots" } ?? ""
        // Bind first (port 0 picks a port), then tell the shared state where each broker is reached.
        var bootstraps: [(ServerBootstrap, Route)] = []
        let stateBox = NIOLockedValueBox<ProxyRecordingState?>(nil)
        for route in routes {
            let bootstrap = ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelOption(.allowRemoteHalfClosure, value: true)
                .childChannelOption(.autoRead, value: true)
                .childChannelInitializer { [self] inbound in
                    guard let state = stateBox.withLockedValue({ $0 }) else { return inbound.close() }
                    let name = state.nextConnectionName()
                    let peer = inbound.remoteAddress?.traceName ?? "a unix client"
                    if let serverContext {
                        do {
                            let check = TLSPeerCheck()
                            try inbound.pipeline.syncOperations.addHandler(check.serverHandler(serverContext))
                            try inbound.pipeline.syncOperations.addHandler(TLSRefusalReporter(check: check, trust: clientTrust) { reason in
                                state.log("proxy: \(name): TLS with client \(peer) refused: \(reason)")
                            })
                        } catch {
                            return inbound.eventLoop.makeFailedFuture(error)
                        }
                    }
                    return connect(inbound, name: name, peer: peer, to: route, state: state,
                                   tls: clientContext.map { ($0, brokerTrust) })
                }
            bootstraps.append((bootstrap, route))
        }
        var bound: [SocketAddress] = []
        var brokerMap: [String: (host: String, port: Int32)] = [:]
        for (bootstrap, route) in bootstraps {
            let channel: Channel
            switch route.listen {
            case let .tcp(host, port): channel = try bootstrap.bind(host: host, port: port).wait()
            case let .unix(path):
                channel = try OwnerOnlyFiles.bindingUnixSocket(at: path) {
                    try bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).wait()
                }
            }
            running.withLockedValue { $0.servers.append(channel) }
            let address = channel.localAddress!
            bound.append(address)
            if case let .tcp(host, _) = route.listen, let port = address.port {
                for spelling in Self.spellings(of: route.upstreamHost) {
                    brokerMap["\(spelling):\(route.upstreamPort)"] = (host, Int32(port))
                }
            }
        }
        let state = ProxyRecordingState(recorder: recorder, brokerMap: brokerMap, rewritesBrokers: rewriteBrokerAddresses,
                                        log: logSink, information: information)
        running.withLockedValue { $0.state = state }
        stateBox.withLockedValue { $0 = state }
        return bound
    }

    /// Stops listening and closes every connection (requests still in flight are recorded as
    /// `unknown`), then syncs the trace.
    public func stop() throws {
        let servers = running.withLockedValue { running in
            defer { running.servers = [] }
            return running.servers
        }
        for server in servers { try? server.close().wait() }
        let channels = open.withLockedValue { Array($0.values) }
        for channel in channels { try? channel.close().wait() }
        try recorder.close()
    }

    /// Set after a run that forwarded requests but saw no consumer-group request: how the
    /// clients may be bypassing the proxy (print it when stopping).
    public var bypassWarning: String? { running.withLockedValue { $0.state }?.bypassWarning }

    /// One line per kind of request the proxy forwarded without recording it (an OffsetFetch of all
    /// of a group's partitions, a request it could not decode, ...), with what that means for the
    /// verdicts; empty when everything forwarded is in the trace (print them when stopping).
    public var unrecordedSummary: [String] { running.withLockedValue { $0.state }?.unrecordedSummary ?? [] }

    /// Loopback has several spellings; a broker advertising any of them is the same broker.
    private static func spellings(of host: String) -> [String] {
        let loopback = ["127.0.0.1", "localhost", "::1"]
        return loopback.contains(host) ? loopback : [host]
    }

    private func connect(_ inbound: Channel, name: String, peer: String, to route: Route, state: ProxyRecordingState,
                         tls: (context: NIOSSLContext, trust: String)?) -> EventLoopFuture<Void> {
        track(inbound)
        return ClientBootstrap(group: inbound.eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .connectTimeout(.seconds(10))
            .channelInitializer { outbound in
                guard let tls else { return outbound.eventLoop.makeSucceededVoidFuture() }
                return outbound.eventLoop.makeCompletedFuture {
                    let check = TLSPeerCheck()
                    try outbound.pipeline.syncOperations.addHandler(check.clientHandler(tls.context, host: route.upstreamHost))
                    try outbound.pipeline.syncOperations.addHandler(TLSRefusalReporter(check: check, trust: tls.trust) { reason in
                        state.log("proxy: \(name) (\(peer)): TLS to broker \(route.upstreamHost):\(route.upstreamPort) refused: \(reason); closing the client")
                    })
                }
            }
            .connect(host: route.upstreamHost, port: route.upstreamPort)
            .flatMapError { [upstreamFailures] error in
                if let line = upstreamFailures.failed(broker: "\(route.upstreamHost):\(route.upstreamPort)", reason: "\(error) (\(name), \(peer))") {
                    state.log(line)
                }
                return inbound.close().flatMapThrowing { throw error }
            }
            .flatMapThrowing { [self] outbound in
                if let line = upstreamFailures.connected(broker: "\(route.upstreamHost):\(route.upstreamPort)") { state.log(line) }
                track(outbound)
                // Made here, on the connection's event loop, which is the only place it is used.
                let observer = KafkaTrafficObserver(name: name, shared: state)
                var endedOnce = false
                let (clientSide, brokerSide) = ProxyGlueHandler.pair(
                    clientBytes: observer.clientBytes,
                    brokerBytes: observer.brokerBytes,
                    ended: {
                        if !endedOnce { endedOnce = true; observer.ended() }
                    }
                )
                try inbound.pipeline.syncOperations.addHandler(clientSide)
                try outbound.pipeline.syncOperations.addHandler(brokerSide)
                // A broker connection that closed before the glue was in place (a refused TLS
                // handshake) never tells it: close the client here. (The client's channel becomes
                // active only after this initializer, so its handshake cannot have failed yet.)
                // Failing the initializer closes the client's channel.
                if !outbound.isActive { throw ChannelError.ioOnClosedChannel }
            }
    }

    private func track(_ channel: Channel) {
        open.withLockedValue { $0[ObjectIdentifier(channel)] = channel }
        channel.closeFuture.whenComplete { [open] _ in
            open.withLockedValue { $0[ObjectIdentifier(channel)] = nil }
        }
    }
}
