import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `commitcheck proxy` in front of Tansu says what it forwarded without recording: one warning per
/// kind when the first arrives, and every kind with its count when it stops (issue 30 item 3).
@Suite(.serialized)
struct ProxyUnrecordedSummaryTests {
    @Test func unrecordedRequestsAreWarnedAboutOnceAndSummedUpAtExit() throws {
        let python = try Package.python()
        let proxyPort = try Package.freePort()
        let broker = try TansuBroker(python: python, advertised: "127.0.0.1:\(proxyPort)")
        let trace = try Package.temporaryFile("unrecorded.jsonl")
        let proxy = try ChildProcess(Package.commitcheck, ["proxy", "--listen", "127.0.0.1:\(proxyPort)", "--upstream", broker.bootstrap, "--out", trace])
        defer { proxy.stop() }
        try proxy.waitForError(timeout: 30) { $0.contains("listening on") }
        // Two OffsetFetch v2 requests for all of group g's partitions (null topics), on one connection.
        let client = try LineClient(port: proxyPort)
        for correlation in Int32(1)...2 {
            try client.write(bytes: Array(TransactionRecordingTests.offsetFetchAllPartitions(correlation: correlation, group: "g").readableBytesView))
        }
        _ = client.finish()
        try proxy.waitForError(timeout: 30) { $0.contains("proxy: warning: forwarded") }
        proxy.signal(SIGTERM)
        #expect(try proxy.wait(timeout: 30) == 0)
        withExtendedLifetime(broker) {}
        let log = proxy.err
        let firsts = log.split(separator: "\n").filter { $0.hasPrefix("proxy: warning: forwarded") }
        #expect(firsts.count == 1, "one warning at the first of the kind: \(log)")
        #expect(firsts.first?.contains("OffsetFetch requests for all of a group's partitions") == true)
        let summary = log.split(separator: "\n").filter { $0.hasPrefix("warning: proxy: forwarded 2 OffsetFetch requests for all of a group's partitions without recording them") }
        #expect(summary.count == 1, "the summary at exit counts both: \(log)")
        #expect(summary.first?.contains("linearizable says nothing about what they returned") == true)
        #expect(try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").count == 1, "only the meta line")
    }
}
