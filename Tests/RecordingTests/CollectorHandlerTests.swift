import CommitRecorder
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import Testing
@testable import Recording

/// The collector's per-connection handlers on `EmbeddedChannel`s: ``TraceLineHandler`` (vetting,
/// writing, answering) and ``TokenGateHandler`` (the `auth TOKEN` first line), without sockets.
@Suite struct CollectorHandlerTests {
    static func send(_ commit: String, offset: Int) -> String {
        #"{"ev":"send","proc":"p","thread":"t","commit":"\#(commit)","group":"g","offsets":{"t/0":\#(offset)}}"#
    }

    final class Collector {
        let path: String
        let writer: DurableLineWriter
        let collector: TraceCollector
        let log = TrafficObserverTests.Log()
        let observed = NIOLockedValueBox<[String]>([])

        init() throws {
            path = try Package.temporaryFile("collected.jsonl")
            writer = try DurableLineWriter(path: path)
            let log = self.log, observed = self.observed
            collector = TraceCollector(writer: writer, group: EmbeddedEventLoop(), log: { log.add($0) },
                                       lineObserver: { line in observed.withLockedValue { $0.append(line) } })
        }

        func channel(token: CollectorToken? = nil) throws -> EmbeddedChannel {
            let channel = EmbeddedChannel()
            if let token { try channel.pipeline.syncOperations.addHandler(TokenGateHandler(token: token) { _ in }) }
            try channel.pipeline.syncOperations.addHandler(TraceLineHandler(writer: writer, collector: collector))
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 50000)).wait()
            return channel
        }

        /// What the file holds now, without syncing or closing it.
        var fileLines: [String] {
            ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
    }

    static func answers(_ channel: EmbeddedChannel) throws -> String {
        var text = ""
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { text += String(buffer: buffer) }
        return text
    }

    @Test func goodLinesAreWrittenAsTheyArriveBadOnesAnsweredAndTheEndAcknowledged() throws {
        let sink = try Collector()
        let channel = try sink.channel()
        try channel.writeInbound(ByteBuffer(string: Self.send("a", offset: 1) + "\r\n" + #"{"ev":"bogus"}"# + "\n\n" + Self.send("b", offset: 2).prefix(20)))
        #expect(sink.fileLines == [Self.send("a", offset: 1)], "a whole good line is in the file right away (no flush, no close)")
        #expect(try Self.answers(channel).hasPrefix("error: line 2: "), "the bad line is answered with its number")
        try channel.writeInbound(ByteBuffer(string: String(Self.send("b", offset: 2).dropFirst(20))))
        #expect(sink.fileLines.count == 1, "an unfinished line waits for its end")
        channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        #expect(try Self.answers(channel) == "ok 2 1\n", "WRITTEN and REJECTED, after the last line without a line end")
        #expect(sink.fileLines == [Self.send("a", offset: 1), Self.send("b", offset: 2)])
        #expect(sink.collector.statistics.written == 2 && sink.collector.statistics.rejected == 1)
        #expect(!channel.isActive, "the collector closes after its answer")
    }

    @Test func aPlainMetaLineIsDroppedAndOneWithAClockRefused() throws {
        let sink = try Collector()
        let channel = try sink.channel()
        try channel.writeInbound(ByteBuffer(string: #"{"ev":"meta","format":"commitcheck/1"}"# + "\n"
            + #"{"ev":"meta","format":"commitcheck/1","clock":"wall"}"# + "\n"))
        #expect(sink.fileLines.isEmpty)
        #expect(try Self.answers(channel).contains("error: line 2: a meta line with a clock"))
        #expect(sink.collector.statistics.metaDropped == 1)
    }

    @Test func theLineObserverSeesExactlyTheFilesLinesInOrderAcrossConnections() throws {
        let sink = try Collector()
        let first = try sink.channel(), second = try sink.channel()
        for round in 0..<50 {
            try first.writeInbound(ByteBuffer(string: Self.send("a\(round)", offset: round) + "\n" + Self.send("b\(round)", offset: round) + "\n"))
            try second.writeInbound(ByteBuffer(string: #"{"ev":"nonsense"}"# + "\n" + Self.send("c\(round)", offset: round) + "\n"))
            #expect(sink.observed.withLockedValue { $0 } == sink.fileLines, "after round \(round) the observer has seen just what the file holds")
        }
        let observed = sink.observed.withLockedValue { $0 }
        #expect(observed.count == 150)
        #expect(observed.prefix(3) == [Self.send("a0", offset: 0), Self.send("b0", offset: 0), Self.send("c0", offset: 0)][...])
        #expect(!observed.contains { $0.contains("nonsense") }, "rejected lines are not observed")
    }

    @Test func theTokenGatePassesWhatFollowsAGoodAuthLineAndRefusesEverythingElse() throws {
        let token = CollectorToken("0123456789abcdef-token")
        let sink = try Collector()
        let good = try sink.channel(token: token)
        try good.writeInbound(ByteBuffer(string: "auth 0123456789abcdef-token\n" + Self.send("x", offset: 1) + "\n"))
        #expect(sink.fileLines == [Self.send("x", offset: 1)], "the auth line is not written; the line after it is")
        #expect(try Self.answers(good).isEmpty)

        let wrong = try sink.channel(token: token)
        try wrong.writeInbound(ByteBuffer(string: "auth not-the-token-at-all\n" + Self.send("y", offset: 2) + "\n"))
        #expect(try Self.answers(wrong).hasPrefix("error: authentication required"))
        #expect(!wrong.isActive)

        let none = try sink.channel(token: token)
        try none.writeInbound(ByteBuffer(string: Self.send("z", offset: 3) + "\n"))
        #expect(try Self.answers(none).hasPrefix("error: authentication required"))

        let split = try sink.channel(token: token)
        try split.writeInbound(ByteBuffer(string: "auth 0123456789"))
        try split.writeInbound(ByteBuffer(string: "abcdef-token\n" + Self.send("w", offset: 4) + "\n"))
        #expect(sink.fileLines == [Self.send("x", offset: 1), Self.send("w", offset: 4)], "an auth line split across reads works; refused clients wrote nothing")

        let long = try sink.channel(token: token)
        try long.writeInbound(ByteBuffer(string: String(repeating: "a", count: TokenGateHandler.maximumLength + 1)))
        #expect(!long.isActive, "a first line too long to be an auth line closes the connection")
    }
}
