import CommitCheck
import CommitRecorder
import Foundation
import NIOCore
import NIOEmbedded
import Testing
@testable import Recording

/// SASL through the proxy's real handlers: a client channel and a broker channel (two
/// `EmbeddedChannel`s on one loop) glued by ``ProxyGlueHandler`` with a ``KafkaTrafficObserver``,
/// as ``KafkaProxy`` wires them. SaslHandshake, SaslAuthenticate (classic and flexible
/// versions), re-authentication in the middle of a connection, and the legacy raw tokens after a
/// SaslHandshake v0 must all come out byte for byte, the commits around them must still be
/// recorded, and the credentials must appear in neither the trace nor the log.
@Suite struct SASLPassThroughTests {
    static let password = "pa55-w0rd-never-logged"

    final class Wire {
        let loop = EmbeddedEventLoop()
        let client: EmbeddedChannel
        let broker: EmbeddedChannel
        let recorder: ProxyTraceRecorder
        let path: String
        let log = TrafficObserverTests.Log()

        init() throws {
            path = FileManager.default.temporaryDirectory.appendingPathComponent("sasl-\(UUID().uuidString).jsonl").path
            recorder = try ProxyTraceRecorder(path: path, proc: "proxy")
            let log = self.log
            let state = ProxyRecordingState(recorder: recorder, brokerMap: [:], rewritesBrokers: false) { log.add($0) }
            let observer = KafkaTrafficObserver(name: "conn-1", shared: state)
            let (clientSide, brokerSide) = ProxyGlueHandler.pair(
                clientBytes: observer.clientBytes, brokerBytes: observer.brokerBytes, ended: observer.ended)
            client = EmbeddedChannel(handler: clientSide, loop: loop)
            broker = EmbeddedChannel(handler: brokerSide, loop: loop)
            try client.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 40000)).wait()
            try broker.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9092)).wait()
        }

        /// Everything the channel wrote since the last call, as bytes.
        static func drain(_ channel: EmbeddedChannel) throws -> [UInt8] {
            var bytes: [UInt8] = []
            while let buffer = try channel.readOutbound(as: ByteBuffer.self) { bytes += Array(buffer.readableBytesView) }
            return bytes
        }

        /// The client sends `frame`; returns what reached the broker.
        func request(_ frame: [UInt8]) throws -> [UInt8] {
            try client.writeInbound(ByteBuffer(bytes: frame))
            return try Self.drain(broker)
        }

        /// The broker answers `frame`; returns what reached the client.
        func response(_ frame: [UInt8]) throws -> [UInt8] {
            try broker.writeInbound(ByteBuffer(bytes: frame))
            return try Self.drain(client)
        }

        func trace() throws -> (events: [TraceEvent], text: String) {
            try recorder.close()
            let text = try String(contentsOfFile: path, encoding: .utf8)
            return (try TraceReader().read(paths: [path]).events, text)
        }
    }

    // MARK: - Frames

    static func int16(_ value: Int16) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }
    static func int32(_ value: Int32) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }
    static func int64(_ value: Int64) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }
    static func string(_ text: String) -> [UInt8] { int16(Int16(text.utf8.count)) + Array(text.utf8) }
    static func bytes(_ data: [UInt8]) -> [UInt8] { int32(Int32(data.count)) + data }
    static func compactBytes(_ data: [UInt8]) -> [UInt8] { [UInt8(data.count + 1)] + data }  // lengths < 127 here
    static func framed(_ body: [UInt8]) -> [UInt8] { int32(Int32(body.count)) + body }

    static func requestHeader(apiKey: Int16, version: Int16, correlation: Int32, flexible: Bool = false) -> [UInt8] {
        int16(apiKey) + int16(version) + int32(correlation) + string("sasl-client") + (flexible ? [0] : [])
    }

    static func handshakeRequest(version: Int16, correlation: Int32) -> [UInt8] {
        framed(requestHeader(apiKey: 17, version: version, correlation: correlation) + string("SCRAM-SHA-512"))
    }

    static func handshakeResponse(correlation: Int32) -> [UInt8] {
        framed(int32(correlation) + int16(0) + int32(1) + string("SCRAM-SHA-512"))
    }

    static func authenticateRequest(version: Int16, correlation: Int32, token: String) -> [UInt8] {
        let token = Array(token.utf8)
        if version >= 2 {
            return framed(requestHeader(apiKey: 36, version: version, correlation: correlation, flexible: true) + compactBytes(token) + [0])
        }
        return framed(requestHeader(apiKey: 36, version: version, correlation: correlation) + bytes(token))
    }

    static func authenticateResponse(version: Int16, correlation: Int32, token: String) -> [UInt8] {
        let token = Array(token.utf8)
        if version >= 2 {
            return framed(int32(correlation) + [0] + int16(0) + [0] + compactBytes(token) + int64(3_600_000) + [0])
        }
        return framed(int32(correlation) + int16(0) + int16(-1) + bytes(token) + (version >= 1 ? int64(3_600_000) : []))
    }

    static func commit(correlation: Int32, offset: Int64) -> (request: [UInt8], response: [UInt8]) {
        let request = TrafficObserverTests.commitRequest(correlation: correlation, offsets: [(0, offset)])
        let response = TrafficObserverTests.commitResponse(correlation: correlation, errors: [(0, 0)])
        return (Array(request.readableBytesView), Array(response.readableBytesView))
    }

    // MARK: - Tests

    @Test func saslHandshakeAuthenticateAndReauthenticationPassThroughByteForByte() throws {
        let wire = try Wire()
        let scram = "n,,n=alice,r=nonce-\(Self.password)"
        var exchanges: [(request: [UInt8], response: [UInt8])] = [
            (Self.handshakeRequest(version: 1, correlation: 1), Self.handshakeResponse(correlation: 1)),
            (Self.authenticateRequest(version: 1, correlation: 2, token: scram), Self.authenticateResponse(version: 1, correlation: 2, token: "r=nonce,s=salt,i=4096")),
            (Self.authenticateRequest(version: 1, correlation: 3, token: "c=biws,p=\(Self.password)"), Self.authenticateResponse(version: 1, correlation: 3, token: "v=signature")),
            Self.commit(correlation: 4, offset: 12),
            // Re-authentication (KIP-368) on the same connection, this time with flexible versions.
            (Self.handshakeRequest(version: 1, correlation: 5), Self.handshakeResponse(correlation: 5)),
            (Self.authenticateRequest(version: 2, correlation: 6, token: scram), Self.authenticateResponse(version: 2, correlation: 6, token: "r=nonce2,s=salt,i=4096")),
            (Self.authenticateRequest(version: 2, correlation: 7, token: "c=biws,p=\(Self.password)"), Self.authenticateResponse(version: 2, correlation: 7, token: "v=signature2")),
            Self.commit(correlation: 8, offset: 13),
        ]
        // One exchange split across reads at every byte: framing must not depend on chunking.
        let split = Self.authenticateRequest(version: 1, correlation: 9, token: "c=biws,p=\(Self.password)")
        for (request, response) in exchanges {
            #expect(try wire.request(request) == request)
            #expect(try wire.response(response) == response)
        }
        var forwarded: [UInt8] = []
        for byte in split { forwarded += try wire.request([byte]) }
        #expect(forwarded == split)
        exchanges.removeAll()

        let (events, text) = try wire.trace()
        let sends = events.filter { $0.kind == .send }
        #expect(sends.map { $0.offsets?.map(\.1) ?? [] } == [[12], [13]])
        #expect(events.filter { $0.kind == .ack }.map(\.status) == [.ok, .ok])
        #expect(!text.contains(Self.password) && !text.contains("alice"))
        #expect(!wire.log.all.joined().contains(Self.password), "\(wire.log.all)")
        #expect(wire.log.all.isEmpty, "SASL frames are ordinary frames: nothing to complain about: \(wire.log.all)")
    }

    @Test func legacyRawTokensAfterAHandshakeV0AreForwardedUntouchedAndNeverLogged() throws {
        let wire = try Wire()
        // SaslHandshake v0, then PLAIN's raw token (a size and the bytes, no Kafka header) and the
        // broker's empty raw answer, as clients before Kafka 1.0 authenticate.
        let plain = Self.framed([0] + Array("alice".utf8) + [0] + Array(Self.password.utf8))
        let exchanges: [(request: [UInt8], response: [UInt8])] = [
            (Self.handshakeRequest(version: 0, correlation: 1), Self.handshakeResponse(correlation: 1)),
            (plain, Self.int32(0)),
            Self.commit(correlation: 2, offset: 40),
        ]
        for (request, response) in exchanges {
            #expect(try wire.request(request) == request)
            #expect(try wire.response(response) == response)
        }
        let (events, text) = try wire.trace()
        #expect(events.filter { $0.kind == .send }.map { $0.offsets?.map(\.1) ?? [] } == [[40]])
        #expect(events.filter { $0.kind == .ack }.map(\.status) == [.ok])
        #expect(!text.contains(Self.password))
        // The raw token is not a Kafka request; the proxy may say it could not read it, but never
        // with its contents.
        #expect(!wire.log.all.joined().contains(Self.password), "\(wire.log.all)")
        #expect(!wire.log.all.joined().contains("alice"), "\(wire.log.all)")
    }
}
