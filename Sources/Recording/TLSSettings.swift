import Foundation
import NIOCore
import NIOSSL
import NIOTLS

/// TLS on a listener (`proxy`, `record`): the certificate it shows and, optionally, the CA that
/// its clients' certificates must chain to.
///
/// With `clientCAFile` set, a client that sends no certificate or one that does not verify is
/// refused during the handshake: that is how a listener on a non-loopback address decides who
/// may write a trace.
public struct TLSListenerSettings: Sendable {
    public var certificateFile: String
    public var keyFile: String
    public var clientCAFile: String?

    public init(certificateFile: String, keyFile: String, clientCAFile: String? = nil) {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.clientCAFile = clientCAFile
    }

    /// Whether clients must present a certificate signed by `clientCAFile`.
    public var verifiesClients: Bool { clientCAFile != nil }

    /// Loads the files and builds the context every accepted connection shares.
    ///
    /// Loading happens once, at start, so a missing or unreadable file stops the command with
    /// its name instead of failing each connection later.
    public func makeContext() throws -> NIOSSLContext {
        let chain = try TLSFiles.certificates(certificateFile, what: "certificate")
        let key = try TLSFiles.privateKey(keyFile)
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        if let clientCAFile {
            configuration.trustRoots = .certificates(try TLSFiles.certificates(clientCAFile, what: "client CA certificate"))
            // Client certificates name people and services, not hosts: verify the chain only.
            configuration.certificateVerification = .noHostnameVerification
            configuration.sendCANameList = true
        }
        return try TLSFiles.context(configuration, files: [certificateFile, keyFile] + (clientCAFile.map { [$0] } ?? []))
    }
}

/// TLS from the proxy to the brokers: which CAs to trust, whether the certificate must name the
/// broker's host, and the proxy's own certificate for brokers that ask for one.
public struct TLSUpstreamSettings: Sendable {
    /// PEM file of the CAs to trust; `nil` trusts the system's roots.
    public var caFile: String?
    public var certificateFile: String?
    public var keyFile: String?
    /// On by default: a certificate that does not name the host the proxy connects to is refused.
    public var verifiesHostname: Bool

    public init(caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil, verifiesHostname: Bool = true) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.verifiesHostname = verifiesHostname
    }

    public func makeContext() throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.certificateVerification = verifiesHostname ? .fullVerification : .noHostnameVerification
        if let caFile {
            configuration.trustRoots = .certificates(try TLSFiles.certificates(caFile, what: "CA certificate"))
        }
        switch (certificateFile, keyFile) {
        case let (certificate?, key?):
            configuration.certificateChain = try TLSFiles.certificates(certificate, what: "certificate").map { .certificate($0) }
            configuration.privateKey = .privateKey(try TLSFiles.privateKey(key))
        case (nil, nil):
            break
        default:
            throw TLSSetupError("a client certificate needs both its certificate and its key file")
        }
        return try TLSFiles.context(configuration, files: [caFile, certificateFile, keyFile].compactMap { $0 })
    }
}

/// A TLS file that cannot be used, or settings that do not fit together.
public struct TLSSetupError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

enum TLSFiles {
    static func certificates(_ path: String, what: String) throws -> [NIOSSLCertificate] {
        try readable(path, what: what)
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(path)
        } catch {
            throw TLSSetupError("\(path): not a PEM \(what) (\(error))")
        }
        guard !certificates.isEmpty else { throw TLSSetupError("\(path): no PEM \(what) in it") }
        return certificates
    }

    static func privateKey(_ path: String) throws -> NIOSSLPrivateKey {
        try readable(path, what: "private key")
        do {
            return try NIOSSLPrivateKey(file: path, format: .pem)
        } catch {
            throw TLSSetupError("\(path): not a PEM private key (\(error))")
        }
    }

    static func context(_ configuration: TLSConfiguration, files: [String]) throws -> NIOSSLContext {
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw TLSSetupError("cannot set up TLS with \(files.joined(separator: ", ")): \(error) (does the key belong to the certificate?)")
        }
    }

    private static func readable(_ path: String, what: String) throws {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw TLSSetupError("\(path): cannot read the \(what) file (missing or not readable)")
        }
    }
}

/// The TLS handler for one connection, and a way to say why its handshake failed.
///
/// BoringSSL's own errors say only "CERTIFICATE_VERIFY_FAILED"; the proxy remembers which
/// certificate failed verification (through the per-certificate verification callback) so that a
/// refusal names the certificate and the likely reason: expired, not yet valid, or signed by a CA
/// that is not trusted.
final class TLSPeerCheck {
    /// The first certificate that failed verification, and the last one seen (the peer's own).
    private(set) var failed: NIOSSLCertificate?
    private(set) var leaf: NIOSSLCertificate?
    /// The host a client handler connects to (what the certificate must name).
    private(set) var expectedHost: String?

    private var callback: NIOSSLVerificationCallback {
        { [self] result, certificate in
            if result == .failed, failed == nil { failed = certificate }
            leaf = certificate
            return result
        }
    }

    func serverHandler(_ context: NIOSSLContext) throws -> NIOSSLServerHandler {
        try LegacyVerification.server(context: context, callback: callback)
    }

    /// A client handler for `host`: SNI and hostname checks use the name; an IP address is
    /// checked against the certificate's IP addresses (SNI cannot carry one).
    func clientHandler(_ context: NIOSSLContext, host: String) throws -> NIOSSLClientHandler {
        let isAddress = (try? SocketAddress(ipAddress: host, port: 0)) != nil
        expectedHost = host
        return try LegacyVerification.client(context: context, serverHostname: isAddress ? nil : host, callback: callback)
    }

    /// Why the handshake with `peer` failed, in words; `nil` for errors that are not a refusal
    /// (a peer that closed without a TLS goodbye).
    func explain(_ error: Error, trustedFrom trust: String) -> String? {
        if let error = error as? NIOSSLError, case .uncleanShutdown = error { return nil }
        let text = "\(error)"
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname {
            return "its certificate does not name \(expectedHost ?? "the host it was reached at"): it names \(leaf.map(Self.describe) ?? "nothing")"
        }
        if text.contains("CERTIFICATE_VERIFY_FAILED") {
            guard let failed else { return "its certificate does not verify (\(text))" }
            let now = time(nil)
            if failed.notValidAfter < now {
                return "its certificate \(Self.describe(failed)) expired at \(Self.date(failed.notValidAfter))"
            }
            if failed.notValidBefore > now {
                return "its certificate \(Self.describe(failed)) is not valid before \(Self.date(failed.notValidBefore))"
            }
            return "its certificate \(Self.describe(failed)) is not signed by a CA in \(trust)"
        }
        if text.contains("ALERT_CERTIFICATE_REQUIRED") {
            return "it requires a certificate from the proxy (--upstream-cert and --upstream-key)"
        }
        if text.contains("PEER_DID_NOT_RETURN_A_CERTIFICATE") {
            return "it sent no certificate, and one signed by a CA in \(trust) is required"
        }
        if text.contains("ALERT_UNKNOWN_CA") || text.contains("ALERT_BAD_CERTIFICATE") || text.contains("ALERT_CERTIFICATE") {
            return "it refused the certificate it was shown (\(text))"
        }
        if text.contains("EOF during handshake") {
            return "it closed the connection during the TLS handshake"
        }
        if text.contains("WRONG_VERSION_NUMBER") || text.contains("HTTP_REQUEST") || text.contains("UNEXPECTED_RECORD") {
            return "it does not speak TLS (\(text))"
        }
        return text
    }

    private static func describe(_ certificate: NIOSSLCertificate) -> String {
        let text = certificate.description
        guard text.hasPrefix("<NIOSSLCertificate;"), text.hasSuffix(">") else { return text }
        let fields = text.dropFirst("<NIOSSLCertificate;".count).dropLast().split(separator: ";")
        let kept = fields.filter { $0.hasPrefix("common_name=") || $0.hasPrefix("alternative_names=") }
        return "[" + (kept.isEmpty ? fields : kept).joined(separator: "; ").replacingOccurrences(of: "_", with: " ") + "]"
    }

    private static func date(_ time: time_t) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(time)))
    }
}

/// Reaches NIOSSL's per-certificate verification callback, which NIOSSL marks deprecated in
/// favour of callbacks that replace its verification altogether; here verification stays
/// BoringSSL's and the callback only watches, so the older hook is the right one. Calling it
/// through a protocol keeps the deprecation notice out of the build.
private protocol LegacyVerifyingServer {
    init(context: NIOSSLContext, verificationCallback: NIOSSLVerificationCallback?) throws
}

private protocol LegacyVerifyingClient {
    init(context: NIOSSLContext, serverHostname: String?, verificationCallback: NIOSSLVerificationCallback?) throws
}

extension NIOSSLServerHandler: LegacyVerifyingServer {}
extension NIOSSLClientHandler: LegacyVerifyingClient {}

private enum LegacyVerification {
    static func server(context: NIOSSLContext, callback: @escaping NIOSSLVerificationCallback) throws -> NIOSSLServerHandler {
        try make(NIOSSLServerHandler.self, context: context, callback: callback)
    }

    static func client(context: NIOSSLContext, serverHostname: String?, callback: @escaping NIOSSLVerificationCallback) throws -> NIOSSLClientHandler {
        try make(NIOSSLClientHandler.self, context: context, serverHostname: serverHostname, callback: callback)
    }

    private static func make<H: LegacyVerifyingServer>(_ type: H.Type, context: NIOSSLContext, callback: @escaping NIOSSLVerificationCallback) throws -> H {
        try H(context: context, verificationCallback: callback)
    }

    private static func make<H: LegacyVerifyingClient>(_ type: H.Type, context: NIOSSLContext, serverHostname: String?,
                                                       callback: @escaping NIOSSLVerificationCallback) throws -> H {
        try H(context: context, serverHostname: serverHostname, verificationCallback: callback)
    }
}

/// Sits behind a TLS handler and reports, once, why its handshake failed; passes data on.
///
/// A handshake that does not finish within `handshakeTimeout` (a peer that does not speak TLS and
/// waits for bytes that never come, or one that stalls on purpose) is a refusal too: the
/// connection is closed, so no connection is held open by a peer that never authenticates.
final class TLSRefusalReporter: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    static let defaultHandshakeTimeout = TimeAmount.seconds(10)

    private let check: TLSPeerCheck
    private let trust: String
    private let report: (String) -> Void
    private let handshakeTimeout: TimeAmount
    private var handshakeDone = false
    private var reported = false
    private var timeout: Scheduled<Void>?

    /// - Parameters:
    ///   - trust: where trusted CAs come from, for the message (`--upstream-ca FILE`, ...).
    ///   - report: receives the reason (without the peer's name: the caller adds that).
    init(check: TLSPeerCheck, trust: String, handshakeTimeout: TimeAmount = defaultHandshakeTimeout,
         report: @escaping (String) -> Void) {
        self.check = check
        self.trust = trust
        self.report = report
        self.handshakeTimeout = handshakeTimeout
    }

    func channelActive(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timeout = context.eventLoop.scheduleTask(in: handshakeTimeout) {
            let (handler, context) = loopBound.value
            handler.refuse(context: context, reason: "no TLS handshake within \(handler.handshakeTimeout.nanoseconds / 1_000_000_000) s (does it speak TLS?)")
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timeout?.cancel()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event {
            handshakeDone = true
            timeout?.cancel()
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// A refusal is reported here and closes the connection; a peer that left without a TLS
    /// goodbye is not news (the connection is closing anyway). Other errors go on.
    ///
    /// With TLS 1.3 a server refuses a client's certificate after the client has finished its
    /// side of the handshake: an alert that arrives later is a refusal too.
    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if let error = error as? NIOSSLError, case .uncleanShutdown = error { return }
        if !handshakeDone || "\(error)".contains("ALERT"), let reason = check.explain(error, trustedFrom: trust) {
            refuse(context: context, reason: reason)
            return
        }
        context.fireErrorCaught(error)
    }

    private func refuse(context: ChannelHandlerContext, reason: String) {
        timeout?.cancel()
        if !reported { report(reason) }
        reported = true
        context.close(promise: nil)
    }
}
