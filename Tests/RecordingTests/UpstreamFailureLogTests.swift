import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing
@testable import Recording

/// A broker outage is a few log lines, not one per client reconnect: the first failure, a summary
/// with the count at most every interval, and a line when the broker is back.
@Suite struct UpstreamFailureLogTests {
    @Test func firstFailureThenCountedSummariesThenRecovery() {
        let clock = NIOLockedValueBox(NIODeadline.uptimeNanoseconds(1_000_000_000))
        let log = UpstreamFailureLog(summaryInterval: .seconds(5)) { clock.withLockedValue { $0 } }
        func advance(_ amount: TimeAmount) { clock.withLockedValue { $0 = $0 + amount } }

        #expect(log.connected(broker: "b:9092") == nil, "a success without an outage says nothing")
        let first = log.failed(broker: "b:9092", reason: "connection refused")
        #expect(first?.contains("cannot reach broker b:9092: connection refused") == true, "\(String(describing: first))")
        // 40 attempts in 2 s (a client retrying every 50 ms): nothing more.
        var lines: [String] = []
        for _ in 0..<40 {
            advance(.milliseconds(50))
            if let line = log.failed(broker: "b:9092", reason: "connection refused") { lines.append(line) }
        }
        #expect(lines.isEmpty, "\(lines)")
        // 5 s after the first line, the next failure brings the summary with its count.
        advance(.milliseconds(3000))
        let summary = log.failed(broker: "b:9092", reason: "connection reset")
        #expect(summary?.contains("41 more failed connection(s) in the last 5.0 s") == true, "\(String(describing: summary))")
        #expect(summary?.contains("42 since the outage began") == true && summary?.contains("last: connection reset") == true)
        #expect(log.failed(broker: "b:9092", reason: "x") == nil, "the next summary waits another interval")
        // Another broker has its own outage.
        #expect(log.failed(broker: "c:9092", reason: "refused") != nil)
        advance(.seconds(1))
        let back = log.connected(broker: "b:9092")
        #expect(back?.contains("broker b:9092 reachable again after 6.0 s; 43 connection(s) failed in all, 1 since the last line") == true, "\(String(describing: back))")
        #expect(log.connected(broker: "b:9092") == nil, "only the first success after an outage is logged")
        #expect(log.failed(broker: "b:9092", reason: "refused")?.contains("cannot reach") == true, "a new outage starts with its first failure again")
    }

    /// The whole proxy: clients reconnecting quickly to a proxy whose broker is down.
    @Test func aProxyWhoseBrokerIsDownLogsTheOutageInAFewLines() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let brokerPort = try Package.freePort()  // nothing listens there (yet)
        let lines = Gathered()
        let proxy = try KafkaProxy(routes: [.init(listen: .tcp(host: "127.0.0.1", port: 0), upstreamHost: "127.0.0.1", upstreamPort: brokerPort)],
                                   tracePath: try Package.temporaryFile("outage.jsonl"), rewriteBrokerAddresses: false, group: group,
                                   log: { lines.add($0) }, upstreamFailureSummary: .milliseconds(500))
        let port = try #require(try proxy.start().first?.port)
        defer { try? proxy.stop() }
        func attempt() throws {
            let client = try LineClient(port: port)
            _ = client.finish()  // returns when the proxy closes the connection
        }
        let started = Date()
        for _ in 0..<40 {
            try attempt()
            usleep(25_000)
        }
        let elapsed = Date().timeIntervalSince(started)
        let during = lines.all
        #expect(during.first?.contains("cannot reach broker 127.0.0.1:\(brokerPort)") == true, "\(during)")
        // First line, then at most one summary per half second.
        #expect(during.count <= 1 + Int(elapsed / 0.5) + 1, "\(during.count) lines for 40 failed connections in \(elapsed) s: \(during)")
        #expect(during.count < 40)
        // The broker comes back (anything that accepts TCP will do for the proxy).
        let server = try ServerBootstrap(group: group).bind(host: "127.0.0.1", port: brokerPort).wait()
        defer { try? server.close().wait() }
        let client = try LineClient(port: port)
        let deadline = Date().addingTimeInterval(10)
        while !lines.all.contains(where: { $0.contains("reachable again") }) && Date() < deadline { usleep(10_000) }
        close(client.fd)
        #expect(lines.all.last?.contains("broker 127.0.0.1:\(brokerPort) reachable again") == true, "\(lines.all)")
    }
}
