import NIOCore

/// Where a collector or proxy listens: `HOST:PORT` (TCP) or `unix:PATH` (a Unix domain socket).
public enum ListenAddress: Sendable, Equatable, CustomStringConvertible {
    case tcp(host: String, port: Int)
    case unix(path: String)

    /// Parses `127.0.0.1:9000`, `[::1]:9000`, `localhost:0` or `unix:/tmp/commitcheck.sock`.
    public init?(parsing text: String) {
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst(5))
            guard !path.isEmpty else { return nil }
            self = .unix(path: path)
            return
        }
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else { return nil }
        self = .tcp(host: host, port: port)
    }

    public var description: String {
        switch self {
        case let .tcp(host, port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case let .unix(path): "unix:\(path)"
        }
    }
}

extension SocketAddress {
    /// `host:port` for IP addresses, `unix:path` for Unix sockets: how logs and traces name a peer.
    var traceName: String {
        switch self {
        case .v4, .v6: (ipAddress.map { self.protocol == .inet6 ? "[\($0)]" : $0 } ?? "?") + ":\(port ?? 0)"
        case .unixDomainSocket: "unix:\(pathname ?? "?")"
        }
    }
}
