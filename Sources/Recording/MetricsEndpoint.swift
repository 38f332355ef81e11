import NIOCore
import NIOHTTP1
import NIOPosix

/// A small HTTP server that answers `GET /metrics` with the Prometheus text exposition format.
///
/// The recorders' `--metrics HOST:PORT`: the page is rendered on each scrape by `render` (the
/// caller owns the metrics), so a scrape always shows the counts of that moment. Anything but
/// `GET /metrics` gets 404; it listens only where the caller asks (loopback unless told otherwise).
public final class MetricsEndpoint: @unchecked Sendable {
    private let group: EventLoopGroup
    private let render: @Sendable () -> [UInt8]
    private var channel: Channel?

    public init(group: EventLoopGroup, render: @escaping @Sendable () -> [UInt8]) {
        self.group = group
        self.render = render
    }

    /// Starts listening; returns the bound address (port 0 picks one).
    @discardableResult
    public func start(host: String, port: Int) throws -> SocketAddress {
        let render = self.render
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(MetricsHandler(render: render))
                }
            }
        let channel = try bootstrap.bind(host: host, port: port).wait()
        self.channel = channel
        return channel.localAddress!
    }

    public func stop() {
        try? channel?.close().wait()
    }
}

/// Answers one HTTP request at a time on a connection: the metrics page, or 404.
private final class MetricsHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let render: @Sendable () -> [UInt8]
    private var head: HTTPRequestHead?

    init(render: @escaping @Sendable () -> [UInt8]) { self.render = render }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request): head = request
        case .body: break
        case .end:
            guard let request = head else { return }
            head = nil
            let path = request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.uri
            let found = request.method == .GET && (path == "/metrics" || path == "/")
            let body = found ? render() : Array("not found: GET /metrics\n".utf8)
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: found ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain; charset=utf-8")
            headers.add(name: "Content-Length", value: String(body.count))
            if !request.isKeepAlive { headers.add(name: "Connection", value: "close") }
            let response = HTTPResponseHead(version: request.version, status: found ? .ok : .notFound, headers: headers)
            context.write(wrapOutboundOut(.head(response)), promise: nil)
            var buffer = context.channel.allocator.buffer(capacity: body.count)
            buffer.writeBytes(body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            let keepAlive = request.isKeepAlive
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                if !keepAlive { context.close(promise: nil) }
            }
        }
    }
}
