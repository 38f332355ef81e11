import NIOCore
import Testing

@testable import KafkaWire

@Suite("OffsetCommit")
struct OffsetCommitTests {
    static let requests = [
        Fixtures.offsetCommitRequestV0, Fixtures.offsetCommitRequestV1, Fixtures.offsetCommitRequestV2,
        Fixtures.offsetCommitRequestV3, Fixtures.offsetCommitRequestV4, Fixtures.offsetCommitRequestV5,
        Fixtures.offsetCommitRequestV6, Fixtures.offsetCommitRequestV7, Fixtures.offsetCommitRequestV8,
        Fixtures.offsetCommitRequestV9, Fixtures.offsetCommitRequestV10,
    ]
    static let responses = [
        Fixtures.offsetCommitResponseV0, Fixtures.offsetCommitResponseV1, Fixtures.offsetCommitResponseV2,
        Fixtures.offsetCommitResponseV3, Fixtures.offsetCommitResponseV4, Fixtures.offsetCommitResponseV5,
        Fixtures.offsetCommitResponseV6, Fixtures.offsetCommitResponseV7, Fixtures.offsetCommitResponseV8,
        Fixtures.offsetCommitResponseV9, Fixtures.offsetCommitResponseV10,
    ]

    /// What the generator script encoded, as seen through version `v`.
    static func expectedRequest(_ v: Int16) -> OffsetCommitRequest {
        typealias P = OffsetCommitRequest.Partition
        return OffsetCommitRequest(
            groupID: "group-1",
            generationIDOrMemberEpoch: v >= 1 ? 7 : -1,
            memberID: v >= 1 ? "member-1" : "",
            groupInstanceID: v >= 7 ? "instance-1" : nil,
            retentionTimeMs: (2...4).contains(v) ? 86_400_000 : -1,
            topics: [
                .init(name: v <= 9 ? "orders" : nil, topicID: v >= 10 ? ordersID : nil, partitions: [
                    P(partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: v >= 6 ? 3 : -1,
                      commitTimestamp: v == 1 ? 1_700_000_000_000 : -1, committedMetadata: "meta"),
                    P(partitionIndex: 5, committedOffset: 1 << 40, committedLeaderEpoch: v >= 6 ? 4 : -1,
                      commitTimestamp: v == 1 ? 1_700_000_000_001 : -1, committedMetadata: nil),
                ]),
                .init(name: v <= 9 ? "payments" : nil, topicID: v >= 10 ? paymentsID : nil, partitions: [
                    P(partitionIndex: 2, committedOffset: 0, committedMetadata: "é✓")
                ]),
            ])
    }

    static func expectedResponse(_ v: Int16) -> OffsetCommitResponse {
        OffsetCommitResponse(throttleTimeMs: v >= 3 ? 10 : 0, topics: [
            .init(name: v <= 9 ? "orders" : nil, topicID: v >= 10 ? ordersID : nil, partitions: [
                .init(partitionIndex: 0, errorCode: 0), .init(partitionIndex: 5, errorCode: 27),
            ]),
            .init(name: v <= 9 ? "payments" : nil, topicID: v >= 10 ? paymentsID : nil, partitions: [
                .init(partitionIndex: 2, errorCode: 16)
            ]),
        ])
    }

    @Test("requests v0-v10 decode to what kafka-python encoded", arguments: Int16(0)...10)
    func request(version: Int16) throws {
        let (header, body) = try requestBody(Self.requests[Int(version)])
        #expect(header.apiKey == .offsetCommit)
        #expect(header.apiVersion == version)
        #expect(header.correlationID == 1000 + Int32(version))
        #expect(header.clientID == "commitcheck-test")
        #expect(header.headerVersion == (version >= 8 ? 2 : 1))
        #expect(header.headerLength == 8 + 2 + 16 + (version >= 8 ? 1 : 0))
        let decoded = try OffsetCommitRequest(version: version, body: body)
        #expect(decoded == Self.expectedRequest(version))
    }

    @Test("responses v0-v10 decode to what kafka-python encoded", arguments: Int16(0)...10)
    func response(version: Int16) throws {
        let whole = frame(hex: Self.responses[Int(version)])
        #expect(try KafkaResponseHeader.correlationID(of: whole) == 1000 + Int32(version))
        let (header, body) = try responseBody(Self.responses[Int(version)], .offsetCommit, version)
        #expect(header.correlationID == 1000 + Int32(version))
        #expect(header.headerLength == (version >= 8 ? 5 : 4))
        let decoded = try OffsetCommitResponse(version: version, body: body)
        #expect(decoded == Self.expectedResponse(version))
        let outcomes = decoded.topics.flatMap { $0.partitions.map { KafkaErrorCode($0.errorCode).offsetCommitOutcome } }
        #expect(outcomes == [.applied, .rejected, .ambiguous])
    }

    @Test func requestWithNullClientID() throws {
        let (header, body) = try requestBody(Fixtures.offsetCommitRequestV2NullClientID)
        #expect(header.clientID == nil)
        #expect(header.correlationID == 77)
        let decoded = try OffsetCommitRequest(version: 2, body: body)
        #expect(decoded == OffsetCommitRequest(groupID: "g", generationIDOrMemberEpoch: 1, memberID: "m", topics: []))
    }

    @Test("tagged fields are skipped in headers and at every struct level")
    func taggedFields() throws {
        let (header, body) = try requestBody(Fixtures.offsetCommitRequestV8TaggedHeader)
        #expect(header.clientID == "cli")
        #expect(header.correlationID == 6002)
        #expect(header.headerLength == 8 + 5 + 5)
        #expect(try OffsetCommitRequest(version: 8, body: body)
            == OffsetCommitRequest(groupID: "g", generationIDOrMemberEpoch: 1, memberID: "m", topics: []))

        let (rh, rbody) = try responseBody(Fixtures.offsetCommitResponseV8Tagged, .offsetCommit, 8)
        #expect(rh.correlationID == 6001)
        #expect(rh.headerLength == 8)
        #expect(try OffsetCommitResponse(version: 8, body: rbody) == OffsetCommitResponse(throttleTimeMs: 10, topics: [
            .init(name: "orders", topicID: nil, partitions: [.init(partitionIndex: 0, errorCode: 0)])
        ]))
    }

    @Test func wrongVersionFailsCleanly() throws {
        let (_, body) = try requestBody(Self.requests[5])
        #expect(throws: KafkaWireError.self) { try OffsetCommitRequest(version: 1, body: body) }
        #expect(throws: KafkaWireError.unsupportedVersion(apiKey: 8, version: 11)) {
            try OffsetCommitRequest(version: 11, body: body)
        }
        #expect(throws: KafkaWireError.unsupportedVersion(apiKey: 8, version: -1)) {
            try OffsetCommitResponse(version: -1, body: body)
        }
    }
}
