import Foundation
#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers
import NIOCore

/// Who may connect to a listener of `record` or `proxy`, and the rule that keeps a trace honest:
/// whoever can connect can write lines (or commits) that a CI job later trusts.
///
/// A loopback address or a Unix socket is reachable only from this machine (and a Unix socket
/// only by its owner, see ``OwnerOnlyFiles``). Anything else needs an explicit `--allow-remote`
/// and then a way to tell writers apart: TLS with client certificates, or (for `record`) TLS
/// and a token every client sends first.
public enum ListenerAccess {
    /// How a listener authenticates its clients.
    public struct Protection: Sendable {
        public var tls: TLSListenerSettings?
        /// Set when clients must send `auth TOKEN` as their first line (`record` only).
        public var hasToken: Bool

        public init(tls: TLSListenerSettings?, hasToken: Bool = false) {
            self.tls = tls
            self.hasToken = hasToken
        }
    }

    /// Whether only this machine can reach `address`: a Unix socket, `localhost`, 127.0.0.0/8 or ::1.
    ///
    /// Host names other than `localhost` count as remote: what they resolve to can change.
    public static func isLocal(_ address: ListenAddress) -> Bool {
        switch address {
        case .unix: return true
        case let .tcp(host, _):
            if host == "localhost" { return true }
            var v4 = in_addr(), v6 = in6_addr()
            if inet_pton(AF_INET, host, &v4) == 1 {
                return UInt32(bigEndian: v4.s_addr) >> 24 == 127
            }
            if inet_pton(AF_INET6, host, &v6) == 1 {
                let bytes = withUnsafeBytes(of: v6) { Array($0) }
                if bytes == [UInt8](repeating: 0, count: 15) + [1] { return true }  // ::1
                // ::ffff:127.x.y.z, an IPv4 loopback address written as IPv6.
                return bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF && bytes[12] == 127
            }
            return false
        }
    }

    /// Checks the rule for one listener; the error says what is missing and why.
    ///
    /// - Parameters:
    ///   - option: the option that named the address (`--listen`), for the message.
    ///   - tokenAllowed: whether a token is an accepted alternative to client certificates.
    public static func check(_ address: ListenAddress, option: String, allowRemote: Bool, protection: Protection,
                             tokenAllowed: Bool) throws {
        guard !isLocal(address) else { return }
        let ways = tokenAllowed ? "--tls-client-ca (client certificates) or --token-file" : "--tls-client-ca (client certificates)"
        guard allowRemote else {
            throw ListenerAccessError(
                "\(option) \(address) is not a loopback address: anyone who can reach it could write the trace. "
                    + "Listen on 127.0.0.1:PORT or unix:PATH, or pass --allow-remote with --tls-cert, --tls-key and \(ways)")
        }
        guard let tls = protection.tls else {
            throw ListenerAccessError("--allow-remote (\(option) \(address)) needs TLS: --tls-cert and --tls-key, and \(ways)")
        }
        guard tls.verifiesClients || (tokenAllowed && protection.hasToken) else {
            throw ListenerAccessError("--allow-remote (\(option) \(address)) needs a way to know the writers: \(ways)")
        }
    }
}

/// A listener that would let anyone write the trace.
public struct ListenerAccessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Files and sockets only their owner may use: Unix sockets (0600) and trace files (never
/// world-writable).
public enum OwnerOnlyFiles {
    private static let umaskLock = NIOLock()

    /// Runs `bind`, which creates the Unix socket at `path`, under umask 077 so the socket is
    /// owner-only from its first moment, then sets it to 0600.
    ///
    /// The umask is process-wide; the lock keeps two binds from restoring each other's value.
    /// Files other threads create in that instant get owner-only modes too, never wider ones.
    public static func bindingUnixSocket<T>(at path: String, _ bind: () throws -> T) throws -> T {
        let result = try umaskLock.withLock { () throws -> T in
            let previous = umask(0o077)
            defer { umask(previous) }
            return try bind()
        }
        guard chmod(path, 0o600) == 0 else {
            throw ListenerAccessError("cannot make the socket \(path) owner-only: \(String(cString: strerror(errno)))")
        }
        return result
    }

    /// Creates the trace file at `path` with mode 0640 unless it exists; an existing file that is
    /// world-writable loses that bit. Returns a note when it changed an existing file's mode.
    ///
    /// The writers open the file afterwards (truncating or appending), which keeps its mode.
    @discardableResult
    public static func prepareTraceFile(at path: String) throws -> String? {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else {
            throw ListenerAccessError("cannot open trace \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw ListenerAccessError("cannot stat trace \(path): \(String(cString: strerror(errno)))")
        }
        let mode = status.st_mode & 0o7777
        guard mode & 0o002 != 0 else { return nil }
        guard fchmod(descriptor, mode & ~0o002) == 0 else {
            throw ListenerAccessError("trace \(path) is world-writable and its mode cannot be changed: \(String(cString: strerror(errno)))")
        }
        return "trace \(path) was world-writable; it no longer is (mode \(String(mode & ~0o002, radix: 8)))"
    }
}
