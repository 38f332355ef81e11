import Foundation
import NIOCore
import Testing

@testable import KafkaWire

/// One fixture of the transaction, delete and producer-id messages: the frame kafka-python
/// encoded, and what it must decode to at its version.
struct CodableCase: CustomTestStringConvertible, Sendable {
    var fixture: String
    var apiKey: KafkaAPIKey
    var version: Int16
    var correlation: Int32
    var isRequest: Bool
    /// Decodes `body` at `version`: whether that gives the expected value, and the expected value
    /// encoded at `version` (so encode and decode are tested against the same bytes).
    var roundTrip: @Sendable (_ version: Int16, _ body: ByteBuffer) throws -> (matches: Bool, encoded: ByteBuffer)
    /// Decodes `body` at `version`, nothing more (for the malformed-input tests).
    var decode: @Sendable (_ version: Int16, _ body: ByteBuffer) throws(KafkaWireError) -> Void

    var testDescription: String { "\(apiKey) \(isRequest ? "request" : "response") v\(version)" }

    static func make<M: KafkaCodableMessage>(
        _ fixture: String, _ version: Int16, correlation: Int32, _ expected: M
    ) -> CodableCase {
        let isRequest = String(describing: M.self).hasSuffix("Request")
        return CodableCase(
            fixture: fixture, apiKey: M.apiKey, version: version, correlation: correlation, isRequest: isRequest,
            roundTrip: { version, body in
                (try M(version: version, body: body) == expected, try expected.encode(version: version))
            },
            decode: { (version: Int16, body: ByteBuffer) throws(KafkaWireError) in _ = try M(version: version, body: body) })
    }
}

/// What the generator (TransactionFixtures.swift) encoded, as each version sees it.
enum TransactionExpectations {
    typealias OCP = OffsetCommitRequest.Partition
    typealias Result = KafkaPartitionResult

    static func initProducerIDRequest(_ v: Int16) -> InitProducerIdRequest {
        InitProducerIdRequest(transactionalID: "txn-1", transactionTimeoutMs: 60_000, producerID: v >= 3 ? 4000 : -1,
                              producerEpoch: v >= 3 ? 3 : -1, enable2Pc: v >= 6, keepPreparedTxn: false)
    }

    static func initProducerIDResponse(_ v: Int16) -> InitProducerIdResponse {
        InitProducerIdResponse(throttleTimeMs: 5, errorCode: 0, producerID: 4000, producerEpoch: 4,
                               ongoingTxnProducerID: v >= 6 ? 3999 : -1, ongoingTxnProducerEpoch: v >= 6 ? 2 : -1)
    }

    static let addedTopics: [KafkaTopic<Int32>] = [
        .init(name: "tout", topicID: nil, partitionIndexes: [0, 3]), .init(name: "audit", topicID: nil, partitionIndexes: [1]),
    ]

    static func addPartitionsRequest(_ v: Int16) -> AddPartitionsToTxnRequest {
        let first = AddPartitionsToTxnRequest.Transaction(transactionalID: "txn-1", producerID: 4000, producerEpoch: 4, topics: addedTopics)
        guard v >= 4 else { return AddPartitionsToTxnRequest(transactions: [first]) }
        return AddPartitionsToTxnRequest(transactions: [first, .init(
            transactionalID: "txn-2", producerID: 4001, producerEpoch: 0, verifyOnly: true,
            topics: [.init(name: "tout", topicID: nil, partitionIndexes: [2])])])
    }

    static func addPartitionsResponse(_ v: Int16) -> AddPartitionsToTxnResponse {
        let topics: [KafkaTopic<Result>] = [
            .init(name: "tout", topicID: nil, partitions: [Result(partitionIndex: 0, errorCode: 0), Result(partitionIndex: 3, errorCode: 51)]),
            .init(name: "audit", topicID: nil, partitions: [Result(partitionIndex: 1, errorCode: 0)]),
        ]
        guard v >= 4 else { return AddPartitionsToTxnResponse(throttleTimeMs: 6, results: [.init(transactionalID: nil, topics: topics)]) }
        return AddPartitionsToTxnResponse(throttleTimeMs: 6, errorCode: 0, results: [
            .init(transactionalID: "txn-1", topics: topics),
            .init(transactionalID: "txn-2", topics: [.init(name: "tout", topicID: nil, partitions: [Result(partitionIndex: 2, errorCode: 48)])]),
        ])
    }

    static func txnOffsetCommitRequest(_ v: Int16, byID: Bool = false) -> TxnOffsetCommitRequest {
        TxnOffsetCommitRequest(
            transactionalID: "txn-1", groupID: "eos-group", producerID: 4000, producerEpoch: 4,
            generationID: v >= 3 ? 9 : -1, memberID: v >= 3 ? "member-1" : "", groupInstanceID: v >= 3 ? "instance-1" : nil,
            topics: [
                .init(name: byID ? nil : "tin", topicID: byID ? ordersID : nil, partitions: [
                    OCP(partitionIndex: 0, committedOffset: 3, committedLeaderEpoch: v >= 2 ? 2 : -1, committedMetadata: "commitcheck:reset"),
                    OCP(partitionIndex: 4, committedOffset: 1 << 40, committedMetadata: nil),
                ]),
                .init(name: byID ? nil : "tother", topicID: byID ? paymentsID : nil, partitions: [
                    OCP(partitionIndex: 1, committedOffset: 0, committedLeaderEpoch: v >= 2 ? 7 : -1, committedMetadata: "é✓"),
                ]),
            ])
    }

    static func txnOffsetCommitResponse(byID: Bool = false) -> TxnOffsetCommitResponse {
        TxnOffsetCommitResponse(throttleTimeMs: 9, topics: [
            .init(name: byID ? nil : "tin", topicID: byID ? ordersID : nil,
                  partitions: [Result(partitionIndex: 0, errorCode: 0), Result(partitionIndex: 4, errorCode: 22)]),
            .init(name: byID ? nil : "tother", topicID: byID ? paymentsID : nil, partitions: [Result(partitionIndex: 1, errorCode: 7)]),
        ])
    }

    static let cases: [CodableCase] = {
        typealias F = TransactionFixtures
        var all: [CodableCase] = []
        let initRequests = [F.initProducerIdRequestV0, F.initProducerIdRequestV1, F.initProducerIdRequestV2, F.initProducerIdRequestV3,
                            F.initProducerIdRequestV4, F.initProducerIdRequestV5, F.initProducerIdRequestV6]
        let initResponses = [F.initProducerIdResponseV0, F.initProducerIdResponseV1, F.initProducerIdResponseV2, F.initProducerIdResponseV3,
                             F.initProducerIdResponseV4, F.initProducerIdResponseV5, F.initProducerIdResponseV6]
        for v in Int16(0)...6 {
            all.append(.make(initRequests[Int(v)], v, correlation: 100 + Int32(v), initProducerIDRequest(v)))
            all.append(.make(initResponses[Int(v)], v, correlation: 100 + Int32(v), initProducerIDResponse(v)))
        }
        all.append(.make(F.initProducerIdRequestV2Idempotent, 2, correlation: 99,
                         InitProducerIdRequest(transactionalID: nil, transactionTimeoutMs: 0)))
        let addRequests = [F.addPartitionsToTxnRequestV0, F.addPartitionsToTxnRequestV1, F.addPartitionsToTxnRequestV2,
                           F.addPartitionsToTxnRequestV3, F.addPartitionsToTxnRequestV4, F.addPartitionsToTxnRequestV5]
        let addResponses = [F.addPartitionsToTxnResponseV0, F.addPartitionsToTxnResponseV1, F.addPartitionsToTxnResponseV2,
                            F.addPartitionsToTxnResponseV3, F.addPartitionsToTxnResponseV4, F.addPartitionsToTxnResponseV5]
        for v in Int16(0)...5 {
            all.append(.make(addRequests[Int(v)], v, correlation: 200 + Int32(v), addPartitionsRequest(v)))
            all.append(.make(addResponses[Int(v)], v, correlation: 200 + Int32(v), addPartitionsResponse(v)))
        }
        let offsetsRequests = [F.addOffsetsToTxnRequestV0, F.addOffsetsToTxnRequestV1, F.addOffsetsToTxnRequestV2,
                               F.addOffsetsToTxnRequestV3, F.addOffsetsToTxnRequestV4]
        let offsetsResponses = [F.addOffsetsToTxnResponseV0, F.addOffsetsToTxnResponseV1, F.addOffsetsToTxnResponseV2,
                                F.addOffsetsToTxnResponseV3, F.addOffsetsToTxnResponseV4]
        for v in Int16(0)...4 {
            all.append(.make(offsetsRequests[Int(v)], v, correlation: 300 + Int32(v),
                             AddOffsetsToTxnRequest(transactionalID: "txn-1", producerID: 4000, producerEpoch: 4, groupID: "eos-group")))
            all.append(.make(offsetsResponses[Int(v)], v, correlation: 300 + Int32(v), AddOffsetsToTxnResponse(throttleTimeMs: 7, errorCode: 51)))
        }
        let endRequests = [F.endTxnRequestV0, F.endTxnRequestV1, F.endTxnRequestV2, F.endTxnRequestV3, F.endTxnRequestV4, F.endTxnRequestV5]
        let endResponses = [F.endTxnResponseV0, F.endTxnResponseV1, F.endTxnResponseV2, F.endTxnResponseV3, F.endTxnResponseV4, F.endTxnResponseV5]
        for v in Int16(0)...5 {
            all.append(.make(endRequests[Int(v)], v, correlation: 400 + Int32(v),
                             EndTxnRequest(transactionalID: "txn-1", producerID: 4000, producerEpoch: 4, committed: true)))
            all.append(.make(endResponses[Int(v)], v, correlation: 400 + Int32(v), EndTxnResponse(
                throttleTimeMs: 8, errorCode: 90, producerID: v >= 5 ? 4000 : -1, producerEpoch: v >= 5 ? 5 : -1)))
        }
        all.append(.make(F.endTxnRequestV3Abort, 3, correlation: 410,
                         EndTxnRequest(transactionalID: "txn-1", producerID: 4000, producerEpoch: 4, committed: false)))
        let txnRequests = [F.txnOffsetCommitRequestV0, F.txnOffsetCommitRequestV1, F.txnOffsetCommitRequestV2,
                           F.txnOffsetCommitRequestV3, F.txnOffsetCommitRequestV4, F.txnOffsetCommitRequestV5]
        let txnResponses = [F.txnOffsetCommitResponseV0, F.txnOffsetCommitResponseV1, F.txnOffsetCommitResponseV2,
                            F.txnOffsetCommitResponseV3, F.txnOffsetCommitResponseV4, F.txnOffsetCommitResponseV5]
        for v in Int16(0)...5 {
            all.append(.make(txnRequests[Int(v)], v, correlation: 500 + Int32(v), txnOffsetCommitRequest(v)))
            all.append(.make(txnResponses[Int(v)], v, correlation: 500 + Int32(v), txnOffsetCommitResponse()))
        }
        all.append(.make(F.offsetDeleteRequestV0, 0, correlation: 600, OffsetDeleteRequest(groupID: "group-1", topics: [
            .init(name: "orders", topicID: nil, partitionIndexes: [0, 5]), .init(name: "payments", topicID: nil, partitionIndexes: [2]),
        ])))
        all.append(.make(F.offsetDeleteResponseV0, 0, correlation: 600, OffsetDeleteResponse(errorCode: 0, throttleTimeMs: 11, topics: [
            .init(name: "orders", topicID: nil, partitions: [Result(partitionIndex: 0, errorCode: 0), Result(partitionIndex: 5, errorCode: 86)]),
            .init(name: "payments", topicID: nil, partitions: [Result(partitionIndex: 2, errorCode: 0)]),
        ])))
        let deleteRequests = [F.deleteGroupsRequestV0, F.deleteGroupsRequestV1, F.deleteGroupsRequestV2]
        let deleteResponses = [F.deleteGroupsResponseV0, F.deleteGroupsResponseV1, F.deleteGroupsResponseV2]
        for v in Int16(0)...2 {
            all.append(.make(deleteRequests[Int(v)], v, correlation: 700 + Int32(v), DeleteGroupsRequest(groupNames: ["group-1", "group-2"])))
            all.append(.make(deleteResponses[Int(v)], v, correlation: 700 + Int32(v), DeleteGroupsResponse(throttleTimeMs: 12, results: [
                .init(groupID: "group-1", errorCode: 0), .init(groupID: "group-2", errorCode: 68),
            ])))
        }
        return all
    }()

    /// The body of a case's frame, after the header its version uses.
    static func body(_ c: CodableCase) throws -> ByteBuffer {
        if c.isRequest { return try requestBody(c.fixture).1 }
        return try responseBody(c.fixture, c.apiKey, c.version).1
    }
}

@Suite("Transactions, deletes and producer ids")
struct TransactionMessageTests {
    @Test("every version decodes to what kafka-python encoded, and encodes back to the same bytes",
          arguments: TransactionExpectations.cases)
    func everyVersion(_ c: CodableCase) throws {
        let flexible = KafkaAPI.isFlexible(apiKey: c.apiKey, version: c.version)
        let whole = frame(hex: c.fixture)
        let body: ByteBuffer
        if c.isRequest {
            let (header, requestBody) = try KafkaRequestHeader.decode(frame: whole)
            #expect(header.apiKey == c.apiKey && header.apiVersion == c.version && header.correlationID == c.correlation)
            #expect(header.clientID == "commitcheck-test")
            #expect(header.headerVersion == (flexible ? 2 : 1))
            body = requestBody
        } else {
            let (header, responseBody) = try KafkaResponseHeader.decode(frame: whole, apiKey: c.apiKey, apiVersion: c.version)
            #expect(header.correlationID == c.correlation)
            #expect(header.headerLength == (flexible ? 5 : 4))
            body = responseBody
        }
        let (matches, encoded) = try c.roundTrip(c.version, body)
        #expect(matches, "decodes to the expected value")
        #expect(hex(encoded) == hex(body), "encode(version:) writes the bytes kafka-python wrote")
        // The frame helpers put the same header in front.
        let rebuilt = c.isRequest
            ? try KafkaFrame.request(apiKey: c.apiKey, version: c.version, correlationID: c.correlation, clientID: "commitcheck-test", body: encoded)
            : try KafkaFrame.response(apiKey: c.apiKey, version: c.version, correlationID: c.correlation, body: encoded)
        #expect(hex(rebuilt) == c.fixture)
    }

    @Test("the flexible boundaries are the schemas'")
    func flexibleBoundaries() {
        let firstFlexible: [(KafkaAPIKey, Int16?)] = [
            (.initProducerID, 2), (.addPartitionsToTxn, 3), (.addOffsetsToTxn, 3), (.endTxn, 3), (.txnOffsetCommit, 3),
            (.deleteGroups, 2), (.offsetDelete, nil),
        ]
        for (key, first) in firstFlexible {
            #expect(KafkaAPI.firstFlexibleVersion(apiKey: key) == first, "\(key)")
        }
        #expect(InitProducerIdRequest.supportedVersions == 0...6 && AddPartitionsToTxnRequest.supportedVersions == 0...5)
        #expect(AddOffsetsToTxnRequest.supportedVersions == 0...4 && EndTxnRequest.supportedVersions == 0...5)
        #expect(TxnOffsetCommitRequest.supportedVersions == 0...6 && OffsetDeleteRequest.supportedVersions == 0...0)
        #expect(DeleteGroupsRequest.supportedVersions == 0...2)
    }

    @Test("at each version boundary a body reads the same where the layout is the same, and fails or reads differently where it changes",
          arguments: TransactionExpectations.cases)
    func neighbouringVersions(_ c: CodableCase) throws {
        let body = try TransactionExpectations.body(c)
        for other in [c.version - 1, c.version + 1] {
            let same = Self.sameLayout(c.apiKey, c.isRequest, c.version, other)
            guard !same else {
                // Versions that only add error codes read the same bytes the same way.
                #expect(try c.roundTrip(other, body).matches, "\(c.testDescription) read at v\(other)")
                continue
            }
            // Either an error (unsupported version, trailing bytes, truncation) or another value: a
            // flexible body's extra fields can read as tagged fields, a null compact string as "".
            let matches = (try? c.roundTrip(other, body))?.matches ?? false
            #expect(!matches, "\(c.testDescription) read at v\(other) gave the same value")
        }
    }

    /// Versions whose bodies are laid out alike (they only differ in error codes).
    static func sameLayout(_ key: KafkaAPIKey, _ isRequest: Bool, _ a: Int16, _ b: Int16) -> Bool {
        let (low, high) = (min(a, b), max(a, b))
        func group(_ groups: [ClosedRange<Int16>]) -> Bool { groups.contains { $0.contains(low) && $0.contains(high) } }
        switch (key, isRequest) {
        case (.initProducerID, true): return group([0...1, 3...5])
        case (.initProducerID, false): return group([0...1, 2...5])
        case (.addPartitionsToTxn, _): return group([0...2, 4...5])
        case (.addOffsetsToTxn, _): return group([0...2, 3...4])
        case (.endTxn, true): return group([0...2, 3...5])
        case (.endTxn, false): return group([0...2, 3...4])
        case (.txnOffsetCommit, true): return group([0...1, 3...5])
        case (.txnOffsetCommit, false): return group([0...2, 3...5])
        case (.deleteGroups, _): return group([0...1])
        default: return false
        }
    }

    @Test("TxnOffsetCommit v6 names topics by id, otherwise laid out as v5")
    func txnOffsetCommitByTopicID() throws {
        // v6 is the v5 body with each compact topic name replaced by the topic's 16-byte id.
        func byID(_ v5: ByteBuffer) -> ByteBuffer {
            buffer(hex: hex(v5)
                .replacingOccurrences(of: "0474696e", with: hex(buffer(bytes: ordersID.bytes)))
                .replacingOccurrences(of: "07746f74686572", with: hex(buffer(bytes: paymentsID.bytes))))
        }
        let requestV6 = byID(try requestBody(TransactionFixtures.txnOffsetCommitRequestV5).1)
        let responseV6 = byID(try responseBody(TransactionFixtures.txnOffsetCommitResponseV5, .txnOffsetCommit, 5).1)
        let expectedRequest = TransactionExpectations.txnOffsetCommitRequest(6, byID: true)
        #expect(try TxnOffsetCommitRequest(version: 6, body: requestV6) == expectedRequest)
        #expect(hex(try expectedRequest.encode(version: 6)) == hex(requestV6))
        let expectedResponse = TransactionExpectations.txnOffsetCommitResponse(byID: true)
        #expect(try TxnOffsetCommitResponse(version: 6, body: responseV6) == expectedResponse)
        #expect(hex(try expectedResponse.encode(version: 6)) == hex(responseV6))
        // A v6 request without ids, or a v5 one without names, cannot be encoded.
        #expect(throws: KafkaWireError.unexpectedNull(field: "TxnOffsetCommitRequest.Topics.TopicId")) {
            try TransactionExpectations.txnOffsetCommitRequest(6).encode(version: 6)
        }
        #expect(throws: KafkaWireError.unexpectedNull(field: "TxnOffsetCommitRequest.Topics.Name")) {
            try expectedRequest.encode(version: 5)
        }
    }

    @Test func unsupportedVersionsAreRefused() throws {
        let body = buffer(hex: "")
        #expect(throws: KafkaWireError.unsupportedVersion(apiKey: 22, version: 7)) { try InitProducerIdRequest(version: 7, body: body) }
        #expect(throws: KafkaWireError.unsupportedVersion(apiKey: 24, version: 6)) { try AddPartitionsToTxnResponse(version: 6, body: body) }
        #expect(throws: KafkaWireError.unsupportedVersion(apiKey: 25, version: 5)) { try AddOffsetsToTxnRequest(version: 5, body: body) }
        #expect(throws: KafkaWireError.unsupportedVersion(apiKey: 26, version: -1)) { try EndTxnResponse(version: -1, body: body) }
        #expect(throws: KafkaWireError.unsupportedVersion(apiKey: 28, version: 7)) { try TxnOffsetCommitRequest(version: 7, body: body) }
        #expect(throws: KafkaWireError.unsupportedVersion(apiKey: 47, version: 1)) { try OffsetDeleteResponse(version: 1, body: body) }
        #expect(throws: KafkaWireError.unsupportedVersion(apiKey: 42, version: 3)) { try DeleteGroupsRequest(version: 3, body: body) }
        #expect(throws: KafkaWireError.unsupportedVersion(apiKey: 42, version: 3)) {
            try DeleteGroupsRequest(groupNames: []).encode(version: 3)
        }
        // v0-v3 AddPartitionsToTxn carries exactly one transaction.
        #expect(throws: KafkaWireError.self) { try TransactionExpectations.addPartitionsRequest(4).encode(version: 3) }
    }
}

func buffer(bytes: [UInt8]) -> ByteBuffer {
    var out = ByteBufferAllocator().buffer(capacity: bytes.count)
    out.writeBytes(bytes)
    return out
}
