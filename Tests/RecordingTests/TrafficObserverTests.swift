import CommitCheck
import CommitRecorder
import Foundation
import KafkaWire
import NIOCore
import Testing
import Workloads
@testable import Recording

/// The proxy's decoding and recording, fed frames directly (no sockets).
@Suite struct TrafficObserverTests {
    final class Log: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        func add(_ line: String) { lock.withLock { lines.append(line) } }
        var all: [String] { lock.withLock { lines } }
    }

    static func observer() throws -> (KafkaTrafficObserver, ProxyTraceRecorder, String, Log) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("observer-\(UUID().uuidString).jsonl").path
        let recorder = try ProxyTraceRecorder(path: path, proc: "proxy")
        let log = Log()
        let state = ProxyRecordingState(recorder: recorder, brokerMap: [:], rewritesBrokers: false) { log.add($0) }
        return (KafkaTrafficObserver(name: "conn-1", shared: state), recorder, path, log)
    }

    static func string(_ text: String, into buffer: inout ByteBuffer) {
        buffer.writeInteger(Int16(text.utf8.count))
        buffer.writeString(text)
    }

    /// An OffsetCommit v2 request frame (with its size) committing `offsets` on topic `t`.
    static func commitRequest(correlation: Int32, offsets: [(Int32, Int64)], metadata: String = "") -> ByteBuffer {
        var body = ByteBufferAllocator().buffer(capacity: 128)
        body.writeInteger(Int16(8)); body.writeInteger(Int16(2)); body.writeInteger(correlation)
        string("client", into: &body)
        string("g", into: &body)
        body.writeInteger(Int32(5)); string("member-1", into: &body); body.writeInteger(Int64(-1))
        body.writeInteger(Int32(1)); string("t", into: &body)
        body.writeInteger(Int32(offsets.count))
        for (partition, offset) in offsets {
            body.writeInteger(partition); body.writeInteger(offset); string(metadata, into: &body)
        }
        var frame = ByteBufferAllocator().buffer(capacity: body.readableBytes + 4)
        frame.writeInteger(Int32(body.readableBytes))
        frame.writeBuffer(&body)
        return frame
    }

    /// An OffsetCommit v2 response frame with one error code per partition.
    static func commitResponse(correlation: Int32, errors: [(Int32, Int16)]) -> ByteBuffer {
        var body = ByteBufferAllocator().buffer(capacity: 64)
        body.writeInteger(correlation)
        body.writeInteger(Int32(1)); string("t", into: &body)
        body.writeInteger(Int32(errors.count))
        for (partition, code) in errors { body.writeInteger(partition); body.writeInteger(code) }
        var frame = ByteBufferAllocator().buffer(capacity: body.readableBytes + 4)
        frame.writeInteger(Int32(body.readableBytes))
        frame.writeBuffer(&body)
        return frame
    }

    static func events(_ recorder: ProxyTraceRecorder, _ path: String) throws -> [TraceEvent] {
        try recorder.close()
        return try TraceReader().read(paths: [path]).events
    }

    @Test func errorCodesBecomeOkFailOrUnknownAcks() throws {
        let (observer, recorder, path, _) = try Self.observer()
        let cases: [[(Int32, Int16)]] = [
            [(0, 0), (1, 0)],          // all applied: ok
            [(0, 27), (1, 27)],        // REBALANCE_IN_PROGRESS everywhere: fail
            [(0, 0), (1, 22)],         // ILLEGAL_GENERATION on one: ok with errors
            [(0, 0), (1, 7)],          // REQUEST_TIMED_OUT: may have applied: unknown
            [(0, 0)],                  // a partition missing from the answer: unknown
        ]
        for (index, errors) in cases.enumerated() {
            let correlation = Int32(index + 1)
            let request = Self.commitRequest(correlation: correlation, offsets: [(0, 10 + Int64(index)), (1, 20)])
            #expect(observer.clientBytes(request) == [request])
            let response = Self.commitResponse(correlation: correlation, errors: errors)
            #expect(observer.brokerBytes(response) == [response])
        }
        let acks = try Self.events(recorder, path).filter { $0.kind == .ack }
        #expect(acks.map(\.status) == [.ok, .fail, .ok, .unknown, .unknown])
        #expect(acks[2].errors?.map(\.1) == ["ILLEGAL_GENERATION"])
        #expect(acks[2].errors?.map(\.0.partition) == [1])
    }

    @Test func requestsThatAreNeverAnsweredAreNotRemembered() throws {
        let (observer, recorder, _, _) = try Self.observer()
        // Produce v3 headers (api key 0) with a token body: with acks=0 no answer ever comes.
        for correlation in 1...10_000 {
            var body = ByteBufferAllocator().buffer(capacity: 32)
            body.writeInteger(Int16(0)); body.writeInteger(Int16(3)); body.writeInteger(Int32(correlation))
            Self.string("producer", into: &body)
            body.writeInteger(Int16(0))
            var frame = ByteBufferAllocator().buffer(capacity: body.readableBytes + 4)
            frame.writeInteger(Int32(body.readableBytes))
            frame.writeBuffer(&body)
            #expect(observer.clientBytes(frame) == [frame])
        }
        #expect(observer.inFlightCount == 0)
        // A commit is remembered until its answer.
        _ = observer.clientBytes(Self.commitRequest(correlation: 20_000, offsets: [(0, 1)]))
        #expect(observer.inFlightCount == 1)
        _ = observer.brokerBytes(Self.commitResponse(correlation: 20_000, errors: [(0, 0)]))
        #expect(observer.inFlightCount == 0)
        try recorder.close()
    }

    @Test func aConnectionThatDiesWithCommitsInFlightMakesThemUnknown() throws {
        let (observer, recorder, path, _) = try Self.observer()
        _ = observer.clientBytes(Self.commitRequest(correlation: 7, offsets: [(0, 5)], metadata: "commitcheck:client-7"))
        _ = observer.clientBytes(Self.commitRequest(correlation: 8, offsets: [(0, 6)]))
        observer.ended()
        let events = try Self.events(recorder, path)
        #expect(events.map(\.kind) == [.send, .send, .ack, .ack])
        #expect(events[0].commit == "client-7", "the id in the metadata joins a client's build")
        #expect(events[0].conn == "conn-1" && events[0].group == "g")
        #expect(events.filter { $0.kind == .ack }.allSatisfy { $0.status == .unknown })
    }

    @Test func malformedAndSplitFramesAreForwardedAsTheyAreAndNeverCrash() throws {
        let (observer, recorder, path, log) = try Self.observer()
        // A commit split into one-byte reads is still recorded once, whole.
        let request = Self.commitRequest(correlation: 1, offsets: [(0, 42)])
        for index in 0..<request.readableBytes {
            let piece = request.getSlice(at: index, length: 1)!
            #expect(observer.clientBytes(piece) == [piece])
        }
        // A commit whose body is cut short: forwarded, logged, not recorded.
        var truncated = Self.commitRequest(correlation: 2, offsets: [(0, 43)])
        let cut = truncated.readableBytes - 6
        truncated.setInteger(Int32(cut - 4), at: 0)
        let short = truncated.getSlice(at: 0, length: cut)!
        #expect(observer.clientBytes(short) == [short])
        // Random garbage both ways (a seeded generator): forwarded unchanged, never a trap.
        var generator = SplitMix64(seed: 2940)
        for _ in 0..<2_000 {
            var chunk = ByteBufferAllocator().buffer(capacity: 64)
            for _ in 0..<Int(generator.next() % 64) { chunk.writeInteger(UInt8(truncatingIfNeeded: generator.next())) }
            #expect(observer.brokerBytes(chunk) == [chunk])
        }
        var garbage = ByteBufferAllocator().buffer(capacity: 8)
        garbage.writeInteger(Int32(-5))
        #expect(observer.clientBytes(garbage) == [garbage])
        #expect(log.all.contains { $0.contains("undecodable") })
        #expect(log.all.contains { $0.contains("no longer decodable") })
        let events = try Self.events(recorder, path)
        #expect(events.filter { $0.kind == .send }.map { $0.offsets?.first?.1 } == [42])
    }
}
