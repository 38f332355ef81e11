import CommitCheck
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import Testing
@testable import Recording

/// ``ProxyGlueHandler`` with ``KafkaTrafficObserver`` on two `EmbeddedChannel`s, as ``KafkaProxy``
/// wires them: bytes go through unchanged, each trace line is in the file before the bytes it
/// describes leave the proxy, a trace that cannot be written closes the connection instead of
/// forwarding, and closing, half-closing and backpressure cross from one side to the other.
@Suite struct ProxyGlueHandlerTests {
    /// Notes, for every write that reaches it, what the trace file held at that moment.
    final class TraceAtWrite: ChannelOutboundHandler {
        typealias OutboundIn = ByteBuffer
        let path: String
        var seen: [(bytes: Int, trace: String)] = []
        var reads = 0

        init(path: String) { self.path = path }

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            let trace = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            seen.append((unwrapOutboundIn(data).readableBytes, trace))
            context.write(data, promise: promise)
        }

        func read(context: ChannelHandlerContext) {
            reads += 1
            context.read()
        }

        var closes: [CloseMode] = []

        func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
            closes.append(mode)
            context.close(mode: mode, promise: promise)
        }
    }

    final class Wire {
        let loop = EmbeddedEventLoop()
        let client: EmbeddedChannel
        let broker: EmbeddedChannel
        let recorder: ProxyTraceRecorder
        let path: String
        let log = TrafficObserverTests.Log()
        let clientSpy: TraceAtWrite
        let brokerSpy: TraceAtWrite
        let observer: KafkaTrafficObserver

        init(lineObserver: (@Sendable (String) -> Void)? = nil) throws {
            path = try Package.temporaryFile("glue.jsonl")
            recorder = try ProxyTraceRecorder(path: path, proc: "proxy", lineObserver: lineObserver)
            let log = self.log
            let state = ProxyRecordingState(recorder: recorder, brokerMap: [:], rewritesBrokers: false) { log.add($0) }
            observer = KafkaTrafficObserver(name: "conn-1", shared: state)
            let (clientSide, brokerSide) = ProxyGlueHandler.pair(
                clientBytes: observer.clientBytes, brokerBytes: observer.brokerBytes, ended: observer.ended)
            clientSpy = TraceAtWrite(path: path)
            brokerSpy = TraceAtWrite(path: path)
            client = EmbeddedChannel(loop: loop)
            broker = EmbeddedChannel(loop: loop)
            try client.pipeline.syncOperations.addHandlers([clientSpy, clientSide])
            try broker.pipeline.syncOperations.addHandlers([brokerSpy, brokerSide])
            try client.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 40000)).wait()
            try broker.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9092)).wait()
        }

        func outbound(_ channel: EmbeddedChannel) throws -> [UInt8] {
            try SASLPassThroughTests.Wire.drain(channel)
        }
    }

    @Test func eachLineIsInTheFileBeforeTheBytesItDescribesAreForwarded() throws {
        let wire = try Wire()
        for (index, offset) in [5, 7, 6].enumerated() {
            let (request, response) = SASLPassThroughTests.commit(correlation: Int32(index + 1), offset: Int64(offset))
            try wire.client.writeInbound(ByteBuffer(bytes: request))
            #expect(try wire.outbound(wire.broker) == request, "the request passes unchanged")
            try wire.broker.writeInbound(ByteBuffer(bytes: response))
            #expect(try wire.outbound(wire.client) == response, "the answer passes unchanged")
        }
        // When the request's bytes were written towards the broker the file already held its
        // send; when the answer was written towards the client, its ack.
        #expect(wire.brokerSpy.seen.count == 3 && wire.clientSpy.seen.count == 3)
        for index in 0..<3 {
            let commit = "conn-1-\(index + 1)"
            let atRequest = wire.brokerSpy.seen[index].trace
            let atResponse = wire.clientSpy.seen[index].trace
            #expect(atRequest.contains(#""ev":"send","proc":"proxy","thread":"conn-1""#) && atRequest.contains(#""commit":"\#(commit)""#))
            #expect(!atRequest.contains(#""ack""#) || index > 0)
            #expect(atResponse.contains(#""ev":"ack""#) && atResponse.contains(#""commit":"\#(commit)","status":"ok""#),
                    "ack of \(commit) written before its answer was forwarded: \(atResponse)")
        }
        try wire.recorder.close()
        let events = try TraceReader().read(paths: [wire.path]).events
        #expect(events.map(\.kind) == [.send, .ack, .send, .ack, .send, .ack])
    }

    @Test func aTraceThatCannotBeWrittenClosesTheConnectionInsteadOfForwarding() throws {
        let wire = try Wire()
        let (request, response) = SASLPassThroughTests.commit(correlation: 1, offset: 5)
        try wire.client.writeInbound(ByteBuffer(bytes: request))
        #expect(try wire.outbound(wire.broker) == request)
        try wire.recorder.close()  // every later line fails
        try wire.broker.writeInbound(ByteBuffer(bytes: response))
        #expect(try wire.outbound(wire.client).isEmpty, "an answer whose ack is not in the trace never reaches the client")
        #expect(!wire.client.isActive && !wire.broker.isActive, "both sides are closed")
        #expect(wire.log.all.contains { $0.contains("cannot write the trace") }, "\(wire.log.all)")
        #expect(wire.observer.traceFailed)
    }

    @Test func closingOneSideClosesTheOtherAndInFlightCommitsBecomeUnknown() throws {
        let wire = try Wire()
        let (request, _) = SASLPassThroughTests.commit(correlation: 9, offset: 3)
        try wire.client.writeInbound(ByteBuffer(bytes: request))
        _ = try wire.outbound(wire.broker)
        try wire.broker.close().wait()
        #expect(!wire.client.isActive, "the broker's close reaches the client")
        try wire.recorder.close()
        let events = try TraceReader().read(paths: [wire.path]).events
        #expect(events.map(\.kind) == [.send, .ack])
        #expect(events.last?.status == .unknown)
    }

    @Test func aHalfCloseIsPassedOnAsAHalfClose() throws {
        let wire = try Wire()
        wire.client.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        // An EmbeddedChannel cannot stay half-open: it closes entirely on close(mode: .output),
        // which then closes the client side too. What the glue asked for is the half close.
        #expect(wire.brokerSpy.closes.first == .output, "the client's end of input closes the broker side's output: \(wire.brokerSpy.closes)")
        #expect(wire.clientSpy.closes.allSatisfy { $0 == .all } && wire.brokerSpy.closes.filter { $0 == .input }.isEmpty)
    }

    @Test func readingStopsWhileThePartnerCannotTakeMoreAndResumesWhenItCan() throws {
        let wire = try Wire()
        wire.broker.isWritable = false
        wire.client.read()
        #expect(wire.clientSpy.reads == 0, "no read while the broker side is not writable")
        wire.broker.isWritable = true
        wire.broker.pipeline.fireChannelWritabilityChanged()
        #expect(wire.clientSpy.reads == 1, "the deferred read happens once the broker side is writable")
        wire.client.read()
        #expect(wire.clientSpy.reads == 2, "and reads go straight through afterwards")
    }

    @Test func theLineObserverSeesEveryLineInTraceOrderAfterItWasWritten() throws {
        let path = NIOLockedValueBox<String?>(nil)
        let observed = NIOLockedValueBox<[(line: String, inFile: Bool)]>([])
        let wire = try Wire { line in
            let file = path.withLockedValue { $0 }.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? ""
            observed.withLockedValue { $0.append((line, file.contains(line + "\n"))) }
        }
        path.withLockedValue { $0 = wire.path }
        for correlation in Int32(1)...20 {
            let (request, response) = SASLPassThroughTests.commit(correlation: correlation, offset: Int64(correlation))
            try wire.client.writeInbound(ByteBuffer(bytes: request))
            try wire.broker.writeInbound(ByteBuffer(bytes: response))
        }
        try wire.recorder.close()
        let fileLines = try String(contentsOfFile: wire.path, encoding: .utf8).split(separator: "\n").map(String.init)
        let seen = observed.withLockedValue { $0 }
        #expect(fileLines.count == 41, "meta, then a send and an ack per commit")
        #expect(seen.map(\.line) == fileLines, "every line, once, in file order (the meta line too)")
        let inFile = seen.dropFirst().allSatisfy { $0.inFile }
        #expect(inFile, "each line was in the file when the observer saw it")
        #expect(!seen.contains { $0.line.hasSuffix("\n") })
    }
}
