import Foundation
import KafkaWire
import NIOCore
import NIOEmbedded
import Testing
@testable import Recording

/// The proxy's recording of transactions, resets and client ids, fed frames directly: two
/// observers sharing one proxy state stand for the group coordinator's and the transaction
/// coordinator's connections. Lines are read with JSONSerialization (the checker does not read the
/// transaction events yet).
@Suite struct TransactionRecordingTests {
    final class Proxy {
        let path: String
        let recorder: ProxyTraceRecorder
        let state: ProxyRecordingState
        let log = TrafficObserverTests.Log()
        /// The group coordinator's connection (conn-1) and the transaction coordinator's (conn-2).
        let group: KafkaTrafficObserver
        let coordinator: KafkaTrafficObserver
        private var correlation: Int32 = 0

        init() throws {
            path = try Package.temporaryFile("txn.jsonl")
            recorder = try ProxyTraceRecorder(path: path, proc: "proxy")
            let log = self.log
            state = ProxyRecordingState(recorder: recorder, brokerMap: [:], rewritesBrokers: false) { log.add($0) }
            group = KafkaTrafficObserver(name: state.nextConnectionName(), shared: state)
            coordinator = KafkaTrafficObserver(name: state.nextConnectionName(), shared: state)
        }

        /// Sends `request` through `observer` and, when given, its answer; returns the correlation id.
        @discardableResult
        func exchange<Request: KafkaCodableMessage, Response: KafkaCodableMessage>(
            _ observer: KafkaTrafficObserver, _ request: Request, version: Int16, client: String? = "txn-client",
            answer: Response?
        ) throws -> Int32 {
            correlation += 1
            let frame = try KafkaFrame.request(apiKey: Request.apiKey, version: version, correlationID: correlation,
                                               clientID: client, body: request.encode(version: version))
            #expect(observer.clientBytes(frame) == [frame], "requests pass unchanged")
            if let answer {
                let reply = try KafkaFrame.response(apiKey: Request.apiKey, version: version, correlationID: correlation,
                                                    body: answer.encode(version: version))
                #expect(observer.brokerBytes(reply) == [reply], "answers pass unchanged")
            }
            return correlation
        }

        func request<Request: KafkaCodableMessage>(_ observer: KafkaTrafficObserver, _ request: Request, version: Int16,
                                                   client: String? = "txn-client") throws -> Int32 {
            try exchange(observer, request, version: version, client: client, answer: Optional<EndTxnResponse>.none)
        }

        func respond<Response: KafkaCodableMessage>(_ observer: KafkaTrafficObserver, to correlation: Int32, _ answer: Response,
                                                    apiKey: KafkaAPIKey, version: Int16) throws {
            let reply = try KafkaFrame.response(apiKey: apiKey, version: version, correlationID: correlation,
                                                body: answer.encode(version: version))
            #expect(observer.brokerBytes(reply) == [reply])
        }

        /// The trace's lines after the meta line.
        func lines() throws -> [[String: Any]] {
            try recorder.close()
            return try TransactionRecordingTests.lines(path)
        }
    }

    static func lines(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst().map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    static func offsets(_ line: [String: Any]) -> [String: Int] {
        (line["offsets"] as? [String: Any] ?? [:]).compactMapValues { ($0 as? NSNumber)?.intValue }
    }

    typealias OCP = OffsetCommitRequest.Partition

    static func staging(_ session: (String, Int64, Int16), offset: Int64, partitions: [Int32] = [0], metadata: String? = "") -> TxnOffsetCommitRequest {
        TxnOffsetCommitRequest(transactionalID: session.0, groupID: "eos-group", producerID: session.1, producerEpoch: session.2,
                               topics: [.init(name: "tin", topicID: nil, partitions: partitions.map {
                                   OCP(partitionIndex: $0, committedOffset: offset, committedMetadata: metadata)
                               })])
    }

    static func stagingAnswer(_ codes: [(Int32, Int16)]) -> TxnOffsetCommitResponse {
        TxnOffsetCommitResponse(topics: [.init(name: "tin", topicID: nil, partitions: codes.map {
            KafkaPartitionResult(partitionIndex: $0.0, errorCode: $0.1)
        })])
    }

    static func addPartitions(_ session: (String, Int64, Int16)) -> AddPartitionsToTxnRequest {
        AddPartitionsToTxnRequest(transactions: [.init(transactionalID: session.0, producerID: session.1, producerEpoch: session.2,
                                                       topics: [.init(name: "tout", topicID: nil, partitionIndexes: [0])])])
    }

    static func addPartitionsAnswer(_ code: Int16) -> AddPartitionsToTxnResponse {
        AddPartitionsToTxnResponse(results: [.init(transactionalID: nil, topics: [
            .init(name: "tout", topicID: nil, partitions: [KafkaPartitionResult(partitionIndex: 0, errorCode: code)]),
        ])])
    }

    static func end(_ session: (String, Int64, Int16), commit: Bool) -> EndTxnRequest {
        EndTxnRequest(transactionalID: session.0, producerID: session.1, producerEpoch: session.2, committed: commit)
    }

    @Test("a transaction is joined across the two coordinators' connections by transactional id, producer id and epoch")
    func transactionsAreJoinedAcrossConnections() throws {
        let proxy = try Proxy()
        let first = ("eos", Int64(7), Int16(0))
        try proxy.exchange(proxy.coordinator, InitProducerIdRequest(transactionalID: "eos", transactionTimeoutMs: 10_000), version: 4,
                           answer: InitProducerIdResponse(errorCode: 0, producerID: 7, producerEpoch: 0))
        // Transaction 1: add a partition, add the group, stage offset 3 (on the group coordinator), commit.
        try proxy.exchange(proxy.coordinator, Self.addPartitions(first), version: 3, answer: Self.addPartitionsAnswer(0))
        try proxy.exchange(proxy.coordinator, AddOffsetsToTxnRequest(transactionalID: "eos", producerID: 7, producerEpoch: 0, groupID: "eos-group"),
                           version: 3, answer: AddOffsetsToTxnResponse(errorCode: 0))
        try proxy.exchange(proxy.group, Self.staging(first, offset: 3), version: 3, answer: Self.stagingAnswer([(0, 0)]))
        try proxy.exchange(proxy.coordinator, Self.end(first, commit: true), version: 3, answer: EndTxnResponse(errorCode: 0))
        // Transaction 2 starts with the next AddPartitionsToTxn; its acceptance completes transaction 1.
        try proxy.exchange(proxy.coordinator, Self.addPartitions(first), version: 3, answer: Self.addPartitionsAnswer(0))
        try proxy.exchange(proxy.coordinator, AddOffsetsToTxnRequest(transactionalID: "eos", producerID: 7, producerEpoch: 0, groupID: "eos-group"),
                           version: 3, answer: AddOffsetsToTxnResponse(errorCode: 0))
        try proxy.exchange(proxy.group, Self.staging(first, offset: 10), version: 3, answer: Self.stagingAnswer([(0, 0)]))
        try proxy.exchange(proxy.coordinator, Self.end(first, commit: false), version: 3, answer: EndTxnResponse(errorCode: 0))
        // A new epoch of the same transactional id completes transaction 2.
        try proxy.exchange(proxy.coordinator, InitProducerIdRequest(transactionalID: "eos", transactionTimeoutMs: 10_000, producerID: 7, producerEpoch: 0),
                           version: 4, answer: InitProducerIdResponse(errorCode: 0, producerID: 7, producerEpoch: 1))
        // The new epoch's first transaction is #1 of "eos@7.1".
        try proxy.exchange(proxy.group, Self.staging(("eos", 7, 1), offset: 5), version: 3, answer: Self.stagingAnswer([(0, 0)]))

        let lines = try proxy.lines()
        let events = lines.map { "\($0["ev"]!) \($0["commit"] ?? $0["txn"] ?? "")" }
        #expect(events == [
            "send conn-1-4", "ack conn-1-4", "end eos@7.0#1", "ended eos@7.0#1", "completed eos@7.0#1",
            "send conn-1-8", "ack conn-1-8", "end eos@7.0#2", "ended eos@7.0#2", "completed eos@7.0#2",
            "send conn-1-11", "ack conn-1-11",
        ])
        let sends = lines.filter { $0["ev"] as? String == "send" }
        #expect(sends.map { $0["txn"] as? String } == ["eos@7.0#1", "eos@7.0#2", "eos@7.1#1"])
        #expect(sends.allSatisfy { $0["conn"] as? String == "conn-1" && $0["group"] as? String == "eos-group" && $0["client"] as? String == "txn-client" })
        #expect(sends.map { Self.offsets($0) } == [["tin/0": 3], ["tin/0": 10], ["tin/0": 5]])
        #expect(sends.allSatisfy { $0["reset"] == nil })
        let ends = lines.filter { $0["ev"] as? String == "end" }
        #expect(ends.map { $0["result"] as? String } == ["commit", "abort"])
        #expect(ends.allSatisfy { $0["thread"] as? String == "conn-2" })
        let ended = lines.filter { $0["ev"] as? String == "ended" }
        #expect(ended.map { $0["status"] as? String } == ["ok", "ok"] && ended.allSatisfy { $0["error"] == nil })
    }

    @Test("a refused step completes nothing; a retried EndTxn ends the same transaction")
    func refusedStepsAndRetries() throws {
        let proxy = try Proxy()
        let session = ("eos", Int64(9), Int16(2))
        try proxy.exchange(proxy.group, Self.staging(session, offset: 4), version: 0, answer: Self.stagingAnswer([(0, 0)]))
        try proxy.exchange(proxy.coordinator, Self.end(session, commit: true), version: 0, answer: EndTxnResponse(errorCode: 51))  // CONCURRENT_TRANSACTIONS
        try proxy.exchange(proxy.coordinator, Self.end(session, commit: true), version: 0, answer: EndTxnResponse(errorCode: 0))
        // The next transaction's AddPartitionsToTxn is refused while the commit is in progress: no completed.
        try proxy.exchange(proxy.coordinator, Self.addPartitions(session), version: 0, answer: Self.addPartitionsAnswer(51))
        try proxy.exchange(proxy.coordinator, AddOffsetsToTxnRequest(transactionalID: "eos", producerID: 9, producerEpoch: 2, groupID: "eos-group"),
                           version: 0, answer: AddOffsetsToTxnResponse(errorCode: 51))
        // Accepted on the retry.
        try proxy.exchange(proxy.coordinator, Self.addPartitions(session), version: 0, answer: Self.addPartitionsAnswer(0))
        try proxy.exchange(proxy.group, Self.staging(session, offset: 6), version: 0, answer: Self.stagingAnswer([(0, 0)]))
        let lines = try proxy.lines()
        #expect(lines.map { "\($0["ev"]!) \($0["commit"] ?? $0["txn"] ?? "") \($0["status"] ?? "")" } == [
            "send conn-1-1 ", "ack conn-1-1 ok", "end eos@9.2#1 ", "ended eos@9.2#1 fail", "end eos@9.2#1 ", "ended eos@9.2#1 ok",
            "completed eos@9.2#1 ", "send conn-1-7 ", "ack conn-1-7 ok",
        ])
        #expect(lines[3]["error"] as? String == "CONCURRENT_TRANSACTIONS")
        #expect(lines[7]["txn"] as? String == "eos@9.2#2")
    }

    @Test("EndTxn answers: ok, fail for fencing and refusals, unknown otherwise and on a disconnect")
    func endTxnAnswers() throws {
        let proxy = try Proxy()
        let cases: [(Int16, String, String?)] = [
            (0, "ok", nil), (90, "fail", "PRODUCER_FENCED"), (47, "fail", "INVALID_PRODUCER_EPOCH"), (48, "fail", "INVALID_TXN_STATE"),
            (53, "fail", "TRANSACTIONAL_ID_AUTHORIZATION_FAILED"), (51, "fail", "CONCURRENT_TRANSACTIONS"), (16, "fail", "NOT_COORDINATOR"),
            (15, "fail", "COORDINATOR_NOT_AVAILABLE"), (14, "fail", "COORDINATOR_LOAD_IN_PROGRESS"), (49, "fail", "INVALID_PRODUCER_ID_MAPPING"),
            (7, "unknown", "REQUEST_TIMED_OUT"), (-1, "unknown", "UNKNOWN_SERVER_ERROR"), (120, "unknown", "TRANSACTION_ABORTABLE"),
            (999, "unknown", "999"),
        ]
        for (index, (code, _, _)) in cases.enumerated() {
            // One producer epoch per case, answered at a flexible and a classic version in turn.
            try proxy.exchange(proxy.coordinator, Self.end(("t", Int64(index), 0), commit: index % 2 == 0), version: index % 2 == 0 ? 3 : 1,
                               answer: EndTxnResponse(errorCode: code))
        }
        _ = try proxy.request(proxy.coordinator, Self.end(("t", 100, 0), commit: true), version: 5)
        proxy.coordinator.ended()
        let ended = try proxy.lines().filter { $0["ev"] as? String == "ended" }
        #expect(ended.map { $0["status"] as? String } == cases.map(\.1) + ["unknown"])
        #expect(ended.map { $0["error"] as? String } == cases.map(\.2) + [nil], "a disconnect has no error code")
        #expect(ended.last?["txn"] as? String == "t@100.0#1")
    }

    @Test("TxnOffsetCommit per-partition errors read exactly as OffsetCommit's")
    func stagedCommitAcks() throws {
        let proxy = try Proxy()
        let cases: [[(Int32, Int16)]] = [
            [(0, 0), (1, 0)],          // all staged: ok
            [(0, 27), (1, 27)],        // REBALANCE_IN_PROGRESS everywhere: fail
            [(0, 0), (1, 22)],         // ILLEGAL_GENERATION on one: ok with errors
            [(0, 0), (1, 7)],          // REQUEST_TIMED_OUT: may have been written: unknown
            [(0, 0)],                  // a partition missing from the answer: unknown
        ]
        for (index, codes) in cases.enumerated() {
            try proxy.exchange(proxy.group, Self.staging(("eos", 1, 0), offset: Int64(index), partitions: [0, 1]), version: index % 2 == 0 ? 3 : 2,
                               answer: Self.stagingAnswer(codes))
        }
        // The same codes answering plain OffsetCommits on the same proxy.
        for (index, codes) in cases.enumerated() {
            let correlation = Int32(100 + index)
            _ = proxy.group.clientBytes(TrafficObserverTests.commitRequest(correlation: correlation, offsets: [(0, 1), (1, 1)]))
            _ = proxy.group.brokerBytes(TrafficObserverTests.commitResponse(correlation: correlation, errors: codes))
        }
        let acks = try proxy.lines().filter { $0["ev"] as? String == "ack" }
        let staged = acks.prefix(cases.count), plain = acks.suffix(cases.count)
        #expect(staged.map { $0["status"] as? String } == ["ok", "fail", "ok", "unknown", "unknown"])
        #expect(staged.map { $0["status"] as? String } == plain.map { $0["status"] as? String })
        #expect(staged[2]["errors"] as? [String: String] == ["tin/1": "ILLEGAL_GENERATION"])
        #expect(plain[plain.startIndex + 2]["errors"] as? [String: String] == ["t/1": "ILLEGAL_GENERATION"])
    }

    @Test("OffsetDelete is a reset to -1, acked from its top-level and per-partition codes")
    func offsetDeleteIsAReset() throws {
        let proxy = try Proxy()
        let request = OffsetDeleteRequest(groupID: "g", topics: [.init(name: "t", topicID: nil, partitionIndexes: [0, 5])])
        func answer(_ top: Int16, _ codes: [Int16]) -> OffsetDeleteResponse {
            OffsetDeleteResponse(errorCode: top, topics: [.init(name: "t", topicID: nil, partitions: zip([Int32(0), 5], codes).map {
                KafkaPartitionResult(partitionIndex: $0.0, errorCode: $0.1)
            })])
        }
        try proxy.exchange(proxy.group, request, version: 0, answer: answer(0, [0, 0]))
        try proxy.exchange(proxy.group, request, version: 0, answer: answer(0, [0, 86]))   // GROUP_SUBSCRIBED_TO_TOPIC on one
        try proxy.exchange(proxy.group, request, version: 0, answer: answer(69, []))       // GROUP_ID_NOT_FOUND for all
        try proxy.exchange(proxy.group, request, version: 0, answer: answer(16, []))       // NOT_COORDINATOR: may have been written
        let lines = try proxy.lines()
        let sends = lines.filter { $0["ev"] as? String == "send" }
        #expect(sends.count == 4)
        #expect(sends.allSatisfy { Self.offsets($0) == ["t/0": -1, "t/5": -1] && $0["reset"] as? Bool == true })
        #expect(sends.allSatisfy { $0["group"] as? String == "g" && $0["client"] as? String == "txn-client" && $0["conn"] as? String == "conn-1" })
        let acks = lines.filter { $0["ev"] as? String == "ack" }
        #expect(acks.map { $0["status"] as? String } == ["ok", "ok", "fail", "unknown"])
        #expect(acks[1]["errors"] as? [String: String] == ["t/5": "GROUP_SUBSCRIBED_TO_TOPIC"])
    }

    @Test("DeleteGroups resets every partition seen of each group; a group never seen is counted as unrecorded")
    func deleteGroupsResetsSeenPartitions() throws {
        let proxy = try Proxy()
        // Group g has been seen committing t/0 and t/1 and reading t/2.
        _ = proxy.group.clientBytes(TrafficObserverTests.commitRequest(correlation: 50, offsets: [(0, 4), (1, 6)]))
        _ = proxy.group.brokerBytes(TrafficObserverTests.commitResponse(correlation: 50, errors: [(0, 0), (1, 0)]))
        _ = proxy.group.clientBytes(Self.offsetFetchV1(correlation: 51, group: "g", partitions: [2]))
        try proxy.exchange(proxy.group, DeleteGroupsRequest(groupNames: ["g", "never-seen"]), version: 2, answer: DeleteGroupsResponse(results: [
            .init(groupID: "g", errorCode: 0), .init(groupID: "never-seen", errorCode: 69),
        ]))
        try proxy.exchange(proxy.group, DeleteGroupsRequest(groupNames: ["g"]), version: 0,
                           answer: DeleteGroupsResponse(results: [.init(groupID: "g", errorCode: 68)]))  // NON_EMPTY_GROUP
        try proxy.exchange(proxy.group, DeleteGroupsRequest(groupNames: ["g"]), version: 1, answer: DeleteGroupsResponse(results: []))
        try proxy.exchange(proxy.group, DeleteGroupsRequest(groupNames: ["never-seen"]), version: 1,
                           answer: DeleteGroupsResponse(results: [.init(groupID: "never-seen", errorCode: 0)]))
        let lines = try proxy.lines()
        let resets = lines.filter { $0["ev"] as? String == "send" && $0["reset"] as? Bool == true }
        #expect(resets.map { $0["commit"] as? String } == ["conn-1-1-0", "conn-1-2", "conn-1-3"])
        #expect(resets.allSatisfy { Self.offsets($0) == ["t/0": -1, "t/1": -1, "t/2": -1] && $0["group"] as? String == "g" })
        let acks = lines.filter { $0["ev"] as? String == "ack" && ($0["commit"] as? String)?.hasPrefix("conn-1-") == true }
        #expect(acks.suffix(3).map { $0["status"] as? String } == ["ok", "fail", "unknown"])
        #expect(proxy.log.all.filter { $0.contains("DeleteGroups of groups whose partitions the proxy never saw") }.count == 1,
                "one warning at the first: \(proxy.log.all)")
        #expect(proxy.state.unrecordedSummary == [
            "proxy: forwarded 2 DeleteGroups of groups whose partitions the proxy never saw without recording them (\(UnrecordedTraffic.Kind.Effect.writes.meaning))",
        ])
    }

    @Test("commitcheck:reset in a partition's metadata makes the commit a reset, and the rest may still name the commit")
    func resetMarkInMetadata() throws {
        let proxy = try Proxy()
        _ = proxy.group.clientBytes(TrafficObserverTests.commitRequest(correlation: 101, offsets: [(0, 2)], metadata: "commitcheck:reset"))
        _ = proxy.group.clientBytes(TrafficObserverTests.commitRequest(correlation: 102, offsets: [(0, 1)], metadata: "commitcheck:c42 commitcheck:reset"))
        _ = proxy.group.clientBytes(TrafficObserverTests.commitRequest(correlation: 103, offsets: [(0, 9)], metadata: "commitcheck:c43"))
        try proxy.exchange(proxy.group, Self.staging(("eos", 1, 0), offset: 0, metadata: "commitcheck:reset"), version: 3, answer: Self.stagingAnswer([(0, 0)]))
        let sends = try proxy.lines().filter { $0["ev"] as? String == "send" }
        #expect(sends.map { $0["commit"] as? String } == ["conn-1-101", "c42", "c43", "conn-1-1"])
        #expect(sends.map { $0["reset"] as? Bool } == [true, true, nil, true])
        #expect(sends.map { $0["client"] as? String } == ["client", "client", "client", "txn-client"])
    }

    @Test("every send and fetch carries the request's client id, when it has one")
    func clientIDs() throws {
        let proxy = try Proxy()
        try proxy.exchange(proxy.group, Self.staging(("eos", 1, 0), offset: 1), version: 3, client: nil, answer: Self.stagingAnswer([(0, 0)]))
        try proxy.exchange(proxy.group, OffsetDeleteRequest(groupID: "g", topics: [.init(name: "t", topicID: nil, partitionIndexes: [0])]),
                           version: 0, client: "adminclient-1", answer: OffsetDeleteResponse(errorCode: 0, topics: []))
        _ = proxy.group.clientBytes(Self.offsetFetchV1(correlation: 90, group: "g", partitions: [0]))
        let lines = try proxy.lines()
        #expect(lines.filter { $0["ev"] as? String == "send" }.map { $0["client"] as? String } == [nil, "adminclient-1"])
        #expect(lines.filter { $0["ev"] as? String == "fetch" }.map { $0["client"] as? String } == ["client"])
    }

    @Test("forwarded but unrecorded requests are warned about once per kind and summed up at exit")
    func unrecordedRequestsAreNotSilent() throws {
        let proxy = try Proxy()
        for correlation in Int32(1)...3 {
            _ = proxy.group.clientBytes(Self.offsetFetchAllPartitions(correlation: correlation, group: "g"))
        }
        // A TxnOffsetCommit version the proxy does not know (v7), twice.
        for correlation in Int32(4)...5 {
            let body = try Self.staging(("eos", 1, 0), offset: 1).encode(version: 3)
            let frame = try KafkaFrame.request(apiKey: .txnOffsetCommit, version: 7, correlationID: correlation, clientID: "c", body: body)
            #expect(proxy.group.clientBytes(frame) == [frame])
        }
        // Transaction markers from a broker.
        let markers = try KafkaFrame.request(apiKey: .writeTxnMarkers, version: 1, correlationID: 6, clientID: "broker-1",
                                             body: ByteBuffer(bytes: [0x01, 0x00]))
        #expect(proxy.group.clientBytes(markers) == [markers])
        let warnings = proxy.log.all.filter { $0.hasPrefix("proxy: warning: forwarded") }
        #expect(warnings.count == 3, "one per kind: \(warnings)")
        #expect(warnings[0].contains("OffsetFetch requests for all of a group's partitions") && warnings[0].contains("linearizable says nothing about what they returned"))
        #expect(warnings[1].contains("TxnOffsetCommit v7 requests it could not decode") && warnings[1].contains("reads whose writer is missing from the trace"))
        #expect(warnings[2].contains("WriteTxnMarkers requests") && warnings[2].contains("transaction steps missing from the trace"))
        let summary = proxy.state.unrecordedSummary
        #expect(summary.count == 3)
        #expect(summary[0].hasPrefix("proxy: forwarded 3 OffsetFetch requests for all of a group's partitions without recording them"))
        #expect(summary[1].hasPrefix("proxy: forwarded 2 TxnOffsetCommit v7 requests it could not decode without recording them"))
        #expect(summary[2].hasPrefix("proxy: forwarded 1 WriteTxnMarkers requests without recording them"))
        #expect(try proxy.lines().isEmpty, "none of them is in the trace")
    }

    @Test("the transaction lines are in the file before the bytes they describe are forwarded")
    func transactionLinesAreWrittenBeforeForwarding() throws {
        let wire = try ProxyGlueHandlerTests.Wire()
        let session = ("eos", Int64(3), Int16(0))
        let steps: [(request: ByteBuffer, answer: ByteBuffer, requestLine: String?, answerLine: String)] = [
            (try KafkaFrame.request(apiKey: .txnOffsetCommit, version: 3, correlationID: 1, clientID: "c", body: Self.staging(session, offset: 3).encode(version: 3)),
             try KafkaFrame.response(apiKey: .txnOffsetCommit, version: 3, correlationID: 1, body: Self.stagingAnswer([(0, 0)]).encode(version: 3)),
             #""ev":"send""#, #""ev":"ack""#),
            (try KafkaFrame.request(apiKey: .endTxn, version: 3, correlationID: 2, clientID: "c", body: Self.end(session, commit: true).encode(version: 3)),
             try KafkaFrame.response(apiKey: .endTxn, version: 3, correlationID: 2, body: EndTxnResponse(errorCode: 0).encode(version: 3)),
             #""ev":"end""#, #""ev":"ended""#),
            (try KafkaFrame.request(apiKey: .addPartitionsToTxn, version: 3, correlationID: 3, clientID: "c", body: Self.addPartitions(session).encode(version: 3)),
             try KafkaFrame.response(apiKey: .addPartitionsToTxn, version: 3, correlationID: 3, body: Self.addPartitionsAnswer(0).encode(version: 3)),
             nil, #""ev":"completed""#),
            (try KafkaFrame.request(apiKey: .offsetDelete, version: 0, correlationID: 4, clientID: "c",
                                    body: OffsetDeleteRequest(groupID: "g", topics: [.init(name: "t", topicID: nil, partitionIndexes: [0])]).encode(version: 0)),
             try KafkaFrame.response(apiKey: .offsetDelete, version: 0, correlationID: 4, body: OffsetDeleteResponse(errorCode: 0, topics: []).encode(version: 0)),
             #""reset":true"#, #""commit":"conn-1-4","status""#),
        ]
        for (index, step) in steps.enumerated() {
            try wire.client.writeInbound(step.request)
            #expect(try wire.outbound(wire.broker) == Array(step.request.readableBytesView))
            try wire.broker.writeInbound(step.answer)
            #expect(try wire.outbound(wire.client) == Array(step.answer.readableBytesView))
            let atRequest = wire.brokerSpy.seen[index].trace
            let atAnswer = wire.clientSpy.seen[index].trace
            if let line = step.requestLine { #expect(atRequest.contains(line), "step \(index): \(atRequest)") }
            #expect(!atRequest.contains(step.answerLine), "step \(index): the answer's line comes after the request is forwarded")
            #expect(atAnswer.contains(step.answerLine), "step \(index): written before the answer was forwarded: \(atAnswer)")
        }
        try wire.recorder.close()
    }

    @Test func transactionNumbering() {
        var book = TransactionBook()
        let a = ProducerSession(transactionalID: "a", producerID: 1, epoch: 0)
        let b = ProducerSession(transactionalID: "a", producerID: 1, epoch: 1)
        #expect(book.staging(a) == "a@1.0#1" && book.staging(a) == "a@1.0#1")
        #expect(book.ending(a) == "a@1.0#1" && book.ending(a) == "a@1.0#1", "a retried EndTxn ends the same transaction")
        #expect(book.staging(a) == "a@1.0#2")
        #expect(book.completing("a", except: "a@1.0#2") == ["a@1.0#1"])
        #expect(book.completing("a", except: nil).isEmpty, "each transaction is completed once")
        #expect(book.ending(a) == "a@1.0#2")
        #expect(book.staging(b) == "a@1.1#1", "a new epoch numbers from 1")
        #expect(book.ending(b) == "a@1.1#1")
        #expect(book.completing("a", except: nil) == ["a@1.0#2", "a@1.1#1"])
        #expect(book.ending(ProducerSession(transactionalID: "c", producerID: 5, epoch: 0)) == "c@5.0#1", "an EndTxn seen first is transaction 1")
        #expect(book.staging(ProducerSession(transactionalID: "c", producerID: 5, epoch: 0)) == "c@5.0#2")
    }

    /// An OffsetFetch v1 request frame for partitions of topic `t`.
    static func offsetFetchV1(correlation: Int32, group: String, partitions: [Int32]) -> ByteBuffer {
        var body = ByteBufferAllocator().buffer(capacity: 64)
        body.writeInteger(Int16(9)); body.writeInteger(Int16(1)); body.writeInteger(correlation)
        TrafficObserverTests.string("client", into: &body)
        TrafficObserverTests.string(group, into: &body)
        body.writeInteger(Int32(1)); TrafficObserverTests.string("t", into: &body)
        body.writeInteger(Int32(partitions.count))
        for partition in partitions { body.writeInteger(partition) }
        var frame = ByteBufferAllocator().buffer(capacity: body.readableBytes + 4)
        frame.writeInteger(Int32(body.readableBytes))
        frame.writeBuffer(&body)
        return frame
    }

    /// An OffsetFetch v2 request frame for all of the group's partitions (null topics).
    static func offsetFetchAllPartitions(correlation: Int32, group: String) -> ByteBuffer {
        var body = ByteBufferAllocator().buffer(capacity: 64)
        body.writeInteger(Int16(9)); body.writeInteger(Int16(2)); body.writeInteger(correlation)
        TrafficObserverTests.string("client", into: &body)
        TrafficObserverTests.string(group, into: &body)
        body.writeInteger(Int32(-1))
        var frame = ByteBufferAllocator().buffer(capacity: body.readableBytes + 4)
        frame.writeInteger(Int32(body.readableBytes))
        frame.writeBuffer(&body)
        return frame
    }
}
