import CommitRecorder
import Foundation
import NIOCore
import Testing
@testable import Recording

/// Issue 17 item 10: a proxy that forwarded traffic but saw no consumer-group request says so.
@Suite struct ProxyBypassTests {
    /// A request frame with just a header (v1: api key, version, correlation id, client id).
    static func headerOnlyRequest(apiKey: Int16, correlation: Int32) -> ByteBuffer {
        var body = ByteBufferAllocator().buffer(capacity: 32)
        body.writeInteger(apiKey); body.writeInteger(Int16(0)); body.writeInteger(correlation)
        TrafficObserverTests.string("client", into: &body)
        var frame = ByteBufferAllocator().buffer(capacity: body.readableBytes + 4)
        frame.writeInteger(Int32(body.readableBytes))
        frame.writeBuffer(&body)
        return frame
    }

    static func state(rewrites: Bool) throws -> (ProxyRecordingState, String) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bypass-\(UUID().uuidString).jsonl").path
        let recorder = try ProxyTraceRecorder(path: path, proc: "proxy")
        return (ProxyRecordingState(recorder: recorder, brokerMap: [:], rewritesBrokers: rewrites) { _ in }, path)
    }

    @Test func trafficWithoutGroupRequestsIsReported() throws {
        let (state, path) = try Self.state(rewrites: false)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(state.bypassWarning == nil, "no traffic at all: nothing to say")
        let observer = KafkaTrafficObserver(name: "conn-1", shared: state)
        // ApiVersions, Metadata, FindCoordinator: a client finding its coordinator, then leaving.
        for (index, key) in [Int16(18), 3, 10].enumerated() {
            _ = observer.clientBytes(Self.headerOnlyRequest(apiKey: key, correlation: Int32(index)))
        }
        let warning = try #require(state.bypassWarning)
        #expect(warning.contains("forwarded 3 request(s)"))
        #expect(warning.contains("--rewrite-brokers"))
        #expect(warning.contains("advertises its own address"))
    }

    @Test func aCommitThroughTheProxySilencesIt() throws {
        let (state, path) = try Self.state(rewrites: true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let observer = KafkaTrafficObserver(name: "conn-1", shared: state)
        _ = observer.clientBytes(Self.headerOnlyRequest(apiKey: 3, correlation: 1))
        #expect(state.bypassWarning?.contains("--broker route") == true)
        _ = observer.clientBytes(TrafficObserverTests.commitRequest(correlation: 2, offsets: [(0, 5)]))
        #expect(state.bypassWarning == nil)
    }
}
