import CommitRecorder
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Collects `commitcheck/1` lines that many clients stream over TCP or a Unix socket into one file.
///
/// Clients in any language connect, write JSON lines, and half-close when done; see
/// ``TraceLineHandler`` for the per-connection protocol. Lines of one connection keep their order in
/// the file; lines of different connections interleave in arrival order (each client's `proc`
/// keeps their clocks apart, so nothing is claimed across them). The collector adds nothing it
/// cannot know: no timestamps, no ids.
///
/// Stopping drains rather than drops: once connections stop arriving the listener closes, open ones
/// are read until their clients close them (or the drain timeout passes), then the file is synced.
///
/// Each read's accepted lines are handed to the operating system before the next read (a
/// collector killed with SIGKILL loses only lines it had not read yet), and a connection's `ok`
/// answer comes only after its lines are on disk.
public final class TraceCollector: Sendable {
    private let writer: DurableLineWriter
    /// Writes accepted lines and shows them to the line observer, in file order.
    let sink: TraceLineSink
    private let group: EventLoopGroup
    private let logSink: @Sendable (String) -> Void
    private let state = NIOLockedValueBox(State())

    private struct State {
        var statistics = CollectorStatistics()
        var open: [ObjectIdentifier: Channel] = [:]
        var allClosed: [EventLoopPromise<Void>] = []
        var serverChannel: Channel?
    }

    /// - Parameters:
    ///   - writer: where accepted lines go.
    ///   - log: receives one line per rejected input line, failure and finished connection.
    ///   - lineObserver: called once per written line (without its line end), in file order, after
    ///     the line was handed to the operating system. It runs on the collector's event loops
    ///     under the file's lock: keep it quick and non-blocking.
    public init(writer: DurableLineWriter, group: EventLoopGroup, log: @escaping @Sendable (String) -> Void,
                lineObserver: (@Sendable (String) -> Void)? = nil) {
        self.writer = writer
        self.sink = TraceLineSink(writer: writer, durability: .written, lineObserver: lineObserver)
        self.group = group
        self.logSink = log
    }

    /// Starts listening; returns the bound address (useful with port 0).
    ///
    /// - Parameters:
    ///   - tls: a TLS listener (with client certificates when it names a client CA).
    ///   - token: when set, each client's first line must be `auth TOKEN`.
    /// A Unix socket is created owner-only (0600). Who may listen where is the caller's check
    /// (``ListenerAccess``).
    @discardableResult
    public func start(listen address: ListenAddress, tls: TLSListenerSettings? = nil, token: CollectorToken? = nil) throws -> SocketAddress {
        let tlsContext = try tls?.makeContext()
        let trust = tls?.clientCAFile.map { "--tls-client-ca \($0)" } ?? "the trusted CAs"
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 512)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { [self] channel in
                register(channel)
                return channel.eventLoop.makeCompletedFuture {
                    let handlers = channel.pipeline.syncOperations
                    if let tlsContext {
                        let check = TLSPeerCheck()
                        let peer = channel.remoteAddress?.traceName ?? "unix client"
                        try handlers.addHandler(check.serverHandler(tlsContext))
                        try handlers.addHandler(TLSRefusalReporter(check: check, trust: trust) { [self] reason in
                            log("collector: TLS with client \(peer) refused: \(reason)")
                        })
                    }
                    if let token { try handlers.addHandler(TokenGateHandler(token: token) { [self] in log($0) }) }
                    try handlers.addHandler(TraceLineHandler(writer: writer, collector: self))
                }
            }
        let channel: Channel
        switch address {
        case let .tcp(host, port):
            channel = try bootstrap.bind(host: host, port: port).wait()
        case let .unix(path):
            channel = try OwnerOnlyFiles.bindingUnixSocket(at: path) {
                try bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).wait()
            }
        }
        state.withLockedValue { $0.serverChannel = channel }
        return channel.localAddress!
    }

    /// What the collector has done so far.
    public var statistics: CollectorStatistics { state.withLockedValue { $0.statistics } }

    /// Stops accepting, waits up to `drainTimeout` for open connections to finish, closes the rest,
    /// and syncs the file. Returns the final statistics.
    public func stop(drainTimeout: TimeAmount) throws -> CollectorStatistics {
        // Clients whose connection the kernel completed before the signal may still wait in the
        // listen backlog; closing the listener now would reset them and drop what they send. So
        // keep accepting until no connection has arrived for a fifth of a second (two seconds at
        // most), then close the listener.
        var seen = statistics.connections
        for _ in 0..<10 {
            usleep(200_000)
            let now = statistics.connections
            if now == seen { break }
            seen = now
        }
        try? state.withLockedValue({ $0.serverChannel })?.close().wait()
        let loop = group.next()
        let drained = loop.makePromise(of: Void.self)
        let alreadyEmpty = state.withLockedValue { state -> Bool in
            if state.open.isEmpty { return true }
            state.allClosed.append(drained)
            return false
        }
        if alreadyEmpty { drained.succeed(()) }
        let timeout = loop.scheduleTask(in: drainTimeout) { drained.fail(ChannelError.alreadyClosed) }
        do {
            try drained.futureResult.wait()
            timeout.cancel()
        } catch {
            let remaining = state.withLockedValue { state -> [Channel] in
                state.statistics.cutOff = state.open.count
                return Array(state.open.values)
            }
            log("collector: drain timeout: closing \(remaining.count) connection(s) still open; their whole lines are kept")
            for channel in remaining { try? channel.close().wait() }
        }
        try writer.flush(sync: true)
        return statistics
    }

    // MARK: - Called by the connection handlers

    func log(_ message: String) { logSink(message) }

    func add(written: Int = 0, rejected: Int = 0, metaDropped: Int = 0) {
        state.withLockedValue {
            $0.statistics.written += written
            $0.statistics.rejected += rejected
            $0.statistics.metaDropped += metaDropped
        }
    }

    private func register(_ channel: Channel) {
        state.withLockedValue {
            $0.open[ObjectIdentifier(channel)] = channel
            $0.statistics.connections += 1
        }
        channel.closeFuture.whenComplete { [self] _ in
            let promises = state.withLockedValue { state -> [EventLoopPromise<Void>] in
                state.open[ObjectIdentifier(channel)] = nil
                guard state.open.isEmpty else { return [] }
                defer { state.allClosed = [] }
                return state.allClosed
            }
            for promise in promises { promise.succeed(()) }
        }
    }

    func connectionEnded(peer: String, written: Int, rejected: Int) {
        if rejected > 0 { log("collector: \(peer) closed: \(written) line(s) written, \(rejected) rejected") }
    }
}
