import TraceFormat
import CommitRecorder
import NIOCore

/// One collector connection: splits the byte stream into lines, vets each, writes the good ones.
///
/// Each line is decoded with the checker's own ``TraceEventDecoder``, so what the collector writes
/// is what `verify` reads. A bad line is answered with `error: ...` on the same connection, logged,
/// and not written; the connection stays open. When the client half-closes (shuts down its writing
/// side), the collector writes any last line, syncs the file, answers `ok WRITTEN REJECTED` and
/// closes: a client that reads that answer knows its lines are on disk. The `ok` is the only
/// acknowledgement the protocol has; lines are written (`write(2)`) as each read is processed, so
/// even before it a collector killed with SIGKILL keeps every line it had read.
final class TraceLineHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Lines longer than this are refused (the trace format's own limit).
    static let maximumLineLength = 64 * 1024 * 1024

    private let writer: DurableLineWriter
    private let collector: TraceCollector
    private var pending: ByteBuffer?
    private var lineNumber = 0
    private var written = 0
    private var rejected = 0
    private var peer = "?"

    init(writer: DurableLineWriter, collector: TraceCollector) {
        self.writer = writer
        self.collector = collector
    }

    func channelActive(context: ChannelHandlerContext) {
        peer = context.remoteAddress?.traceName ?? "unix client"
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if var buffered = pending {
            buffered.writeBuffer(&incoming)
            pending = nil
            process(&buffered, context: context, atEnd: false)
        } else {
            process(&incoming, context: context, atEnd: false)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let event = event as? ChannelEvent, event == .inputClosed else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        if var rest = pending {
            pending = nil
            process(&rest, context: context, atEnd: true)
        }
        var answer = "ok \(written) \(rejected)\n"
        do {
            try writer.flush(sync: true)
        } catch {
            collector.log("collector: \(error)")
            answer = "error: \(error)\n"
        }
        let buffer = context.channel.allocator.buffer(string: answer)
        context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in context.close(promise: nil) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let rest = pending, rest.readableBytes > 0 {
            collector.log("collector: \(peer): connection ended inside line \(lineNumber + 1); its \(rest.readableBytes) bytes are not written")
        }
        pending = nil
        collector.connectionEnded(peer: peer, written: written, rejected: rejected)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        collector.log("collector: \(peer): \(error)")
        context.close(promise: nil)
    }

    /// Vets and writes every whole line in `buffer`; keeps an unfinished last line for later.
    private func process(_ buffer: inout ByteBuffer, context: ChannelHandlerContext, atEnd: Bool) {
        var good: [ByteBufferView] = []
        var replies: [String] = []
        while buffer.readableBytes > 0 {
            let view = buffer.readableBytesView
            let newline = view.firstIndex(of: UInt8(ascii: "\n"))
            guard newline != nil || atEnd else { break }
            let end = newline ?? view.endIndex
            var line = view[view.startIndex..<end]
            buffer.moveReaderIndex(forwardBy: end - view.startIndex + (newline == nil ? 0 : 1))
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            lineNumber += 1
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) { continue }
            switch vet(line) {
            case .write:
                good.append(line)
            case .drop:
                collector.add(metaDropped: 1)
            case .reject(let problem):
                rejected += 1
                replies.append("error: line \(lineNumber): \(problem)\n")
                collector.log("collector: \(peer) line \(lineNumber): \(problem) (not written)")
            }
        }
        if !good.isEmpty {
            do {
                try collector.sink.write(good)
                written += good.count
                collector.add(written: good.count)
            } catch {
                collector.log("collector: \(error)")
                replies.append("error: \(error)\n")
                rejected += good.count
            }
        }
        if !replies.isEmpty { collector.add(rejected: replies.count) }
        for reply in replies {
            context.write(wrapOutboundOut(context.channel.allocator.buffer(string: reply)), promise: nil)
        }
        if !replies.isEmpty { context.flush() }
        if buffer.readableBytes > Self.maximumLineLength {
            let message = "error: line \(lineNumber + 1): longer than \(Self.maximumLineLength) bytes; closing\n"
            collector.log("collector: \(peer) line \(lineNumber + 1): longer than \(Self.maximumLineLength) bytes; connection closed")
            collector.add(rejected: 1)
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: message))).whenComplete { _ in
                context.close(promise: nil)
            }
            return
        }
        if buffer.readableBytes > 0 {
            buffer.discardReadBytes()
            pending = buffer
        }
    }

    /// What to do with one line.
    private enum Vetting {
        case write
        /// A plain `meta` line: valid, but one file of many clients cannot hold several.
        case drop
        case reject(String)
    }

    /// Whether `line` may be written, and why not.
    private func vet(_ line: ByteBufferView) -> Vetting {
        let event: TraceEvent?
        do throws(TraceError) {
            event = try Self.decode(line, lineNumber: lineNumber)
        } catch {
            var message = error.message
            if let field = error.field { message = "field '\(field)': " + message }
            if let column = error.column { message = "column \(column): " + message }
            return .reject(message)
        }
        guard let event else { return .write }
        if event.kind == .meta {
            if let meta = event.meta, meta != TraceMeta() {
                return .reject("a meta line with a clock or initial offsets cannot go into a file shared by many clients; "
                    + "write it as its own file and pass that file to verify too")
            }
            return .drop
        }
        return .write
    }

    private static func decode(_ line: ByteBufferView, lineNumber: Int) throws(TraceError) -> TraceEvent? {
        var result: Result<TraceEvent?, TraceError>?
        line.withContiguousStorageIfAvailable { bytes in
            do throws(TraceError) {
                result = .success(try TraceEventDecoder.decode(line: bytes, lineNumber: lineNumber))
            } catch {
                result = .failure(error)
            }
        }
        if let result { return try result.get() }
        return try TraceEventDecoder.decode(line: Array(line), lineNumber: lineNumber)
    }
}
