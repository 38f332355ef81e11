import Foundation
#if canImport(Glibc)
import Glibc
#endif
import NIOCore

/// The secret that `record --token-file` clients send as their first line: `auth TOKEN`.
public struct CollectorToken: Sendable {
    let bytes: [UInt8]

    /// Reads the token from `path` (surrounding white space dropped).
    ///
    /// The file must not be readable by others: a token anyone on the machine can read lets
    /// anyone write the trace. Reading it from a file keeps it out of `ps` and shell history.
    public init(file path: String) throws {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw ListenerAccessError("--token-file \(path): \(String(cString: strerror(errno)))")
        }
        guard status.st_mode & 0o004 == 0 else {
            throw ListenerAccessError("--token-file \(path) is readable by every user; chmod 600 it")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ListenerAccessError("--token-file \(path): cannot read it")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.utf8.count >= 16, !text.contains(where: { $0.isWhitespace }) else {
            throw ListenerAccessError("--token-file \(path): the token must be at least 16 characters without spaces")
        }
        self.init(text)
    }

    /// A token given directly (tests).
    public init(_ text: String) { bytes = Array(text.utf8) }

    /// Compares in time that does not depend on where the first difference is.
    func matches(_ candidate: [UInt8]) -> Bool {
        var difference = UInt8(candidate.count == bytes.count ? 0 : 1)
        for index in 0..<max(candidate.count, bytes.count) {
            let left = index < candidate.count ? candidate[index] : 0
            let right = index < bytes.count ? bytes[index] : 0
            difference |= left ^ right
        }
        return difference == 0
    }
}

/// The first handler of a collector connection when a token is required: reads the `auth TOKEN`
/// line, then steps aside and passes the rest of the stream on; anything else closes the
/// connection before a single trace line is read.
final class TokenGateHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// The longest first line accepted (an `auth` line is short; more is not a client of ours).
    static let maximumLength = 4096

    private let token: CollectorToken
    private let log: (String) -> Void
    private var buffered: ByteBuffer?
    private var refused = false

    init(token: CollectorToken, log: @escaping (String) -> Void) {
        self.token = token
        self.log = log
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused else { return }
        var incoming = unwrapInboundIn(data)
        if var previous = buffered {
            previous.writeBuffer(&incoming)
            incoming = previous
        }
        guard let newline = incoming.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if incoming.readableBytes > Self.maximumLength {
                refuse(context: context, reason: "first line longer than \(Self.maximumLength) bytes and not an auth line")
            } else {
                buffered = incoming
            }
            return
        }
        var line = Array(incoming.readableBytesView[incoming.readerIndex..<newline])
        incoming.moveReaderIndex(to: newline + 1)
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        let prefix = Array("auth ".utf8)
        guard line.starts(with: prefix), token.matches(Array(line.dropFirst(prefix.count))) else {
            refuse(context: context, reason: line.starts(with: prefix) ? "wrong token" : "the first line is not `auth TOKEN`")
            return
        }
        buffered = nil
        if incoming.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(incoming)) }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            // The client finished without authenticating: nothing it sent is a trace line.
            refuse(context: context, reason: "closed before sending `auth TOKEN`")
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func refuse(context: ChannelHandlerContext, reason: String) {
        guard !refused else { return }
        refused = true
        buffered = nil
        let peer = context.remoteAddress?.traceName ?? "unix client"
        log("collector: \(peer): refused: \(reason)")
        let answer = context.channel.allocator.buffer(string: "error: authentication required: send `auth TOKEN` first\n")
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(answer)).whenComplete { _ in channel.close(promise: nil) }
    }
}
