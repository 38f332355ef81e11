import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// An operator's DeleteGroups (confluent-kafka's `AdminClient.delete_consumer_groups`) through
/// `commitcheck proxy` against Tansu: a reset to -1 of the partitions the group committed, with the
/// admin client's id, acked from Tansu's answer, and the read after it. Lines are read with
/// JSONSerialization (the checker reads resets once it learns them).
@Suite(.serialized)
struct ResetEndToEndTests {
    static let script = """
        import sys
        from confluent_kafka import Consumer, TopicPartition
        from confluent_kafka.admin import AdminClient, NewTopic
        bootstrap = sys.argv[1]
        admin = AdminClient({"bootstrap.servers": bootstrap, "client.id": "adminclient-1"})
        for topic, future in admin.create_topics([NewTopic("dt", 2, 1)]).items():
            future.result()
        consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "dg", "enable.auto.commit": False, "client.id": "app-1"})
        consumer.commit(offsets=[TopicPartition("dt", 0, 4), TopicPartition("dt", 1, 6)], asynchronous=False)
        consumer.close()
        for group, future in admin.delete_consumer_groups(["dg"]).items():
            future.result()
        consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "dg", "enable.auto.commit": False, "client.id": "app-1"})
        print("after", [p.offset for p in consumer.committed([TopicPartition("dt", 0), TopicPartition("dt", 1)], 10)])
        consumer.close()
        """

    @Test func deleteGroupsIsRecordedAsAResetOfTheGroupsPartitions() throws {
        let python = try Package.python()
        let proxyPort = try Package.freePort()
        let broker = try TansuBroker(python: python, advertised: "127.0.0.1:\(proxyPort)")
        let trace = try Package.temporaryFile("reset.jsonl")
        let proxy = try ChildProcess(Package.commitcheck, ["proxy", "--listen", "127.0.0.1:\(proxyPort)", "--upstream", broker.bootstrap, "--out", trace])
        defer { proxy.stop() }
        try proxy.waitForError(timeout: 30) { $0.contains("listening on") }
        let client = try ChildProcess.run(python, ["-c", Self.script, "127.0.0.1:\(proxyPort)"], timeout: 120)
        #expect(client.status == 0, "\(client.out) \(client.err)")
        proxy.signal(SIGTERM)
        #expect(try proxy.wait(timeout: 30) == 0)
        withExtendedLifetime(broker) {}
        // librdkafka prints "no committed offset" as -1001; the broker answered -1.
        #expect(client.out.contains("after [-1001, -1001]"), "the group's offsets are gone: \(client.out)")

        let lines = try TransactionRecordingTests.lines(trace)
        let sends = lines.filter { $0["ev"] as? String == "send" }
        #expect(sends.count == 2, "\(lines)")
        #expect(sends.map { TransactionRecordingTests.offsets($0) } == [["dt/0": 4, "dt/1": 6], ["dt/0": -1, "dt/1": -1]])
        #expect(sends.map { $0["reset"] as? Bool } == [nil, true])
        #expect(sends.map { $0["client"] as? String } == ["app-1", "adminclient-1"])
        let acks = lines.filter { $0["ev"] as? String == "ack" }
        #expect(acks.map { $0["commit"] as? String } == sends.map { $0["commit"] as? String })
        #expect(acks.allSatisfy { $0["status"] as? String == "ok" })
        let fetched = lines.filter { $0["ev"] as? String == "fetched" }.map { TransactionRecordingTests.offsets($0) }
        #expect(fetched.last == ["dt/0": -1, "dt/1": -1], "\(fetched)")
        #expect(!proxy.err.contains("without recording"), "\(proxy.err)")
    }
}
