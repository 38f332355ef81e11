import NIOCore
import Testing

@testable import KafkaWire

@Suite("OffsetFetch")
struct OffsetFetchTests {
    static let requests = [
        Fixtures.offsetFetchRequestV0, Fixtures.offsetFetchRequestV1, Fixtures.offsetFetchRequestV2,
        Fixtures.offsetFetchRequestV3, Fixtures.offsetFetchRequestV4, Fixtures.offsetFetchRequestV5,
        Fixtures.offsetFetchRequestV6, Fixtures.offsetFetchRequestV7, Fixtures.offsetFetchRequestV8,
        Fixtures.offsetFetchRequestV9, Fixtures.offsetFetchRequestV10,
    ]
    static let responses = [
        Fixtures.offsetFetchResponseV0, Fixtures.offsetFetchResponseV1, Fixtures.offsetFetchResponseV2,
        Fixtures.offsetFetchResponseV3, Fixtures.offsetFetchResponseV4, Fixtures.offsetFetchResponseV5,
        Fixtures.offsetFetchResponseV6, Fixtures.offsetFetchResponseV7, Fixtures.offsetFetchResponseV8,
        Fixtures.offsetFetchResponseV9, Fixtures.offsetFetchResponseV10,
    ]

    static func expectedRequest(_ v: Int16) -> OffsetFetchRequest {
        let topics: [OffsetFetchRequest.Topic] = [
            .init(name: v <= 9 ? "orders" : nil, topicID: v >= 10 ? ordersID : nil, partitionIndexes: [0, 5]),
            .init(name: v <= 9 ? "payments" : nil, topicID: v >= 10 ? paymentsID : nil, partitionIndexes: [2]),
        ]
        if v <= 7 {
            return OffsetFetchRequest(
                groups: [.init(groupID: "group-1", topics: v == 2 || v == 5 ? nil : topics)],
                requireStable: v >= 7)
        }
        return OffsetFetchRequest(groups: [
            .init(groupID: "group-1", memberID: v >= 9 ? "member-1" : nil, memberEpoch: v >= 9 ? 12 : -1, topics: topics),
            .init(groupID: "group-2", memberID: nil, memberEpoch: -1, topics: nil),
        ], requireStable: true)
    }

    static func expectedResponse(_ v: Int16) -> OffsetFetchResponse {
        typealias P = OffsetFetchResponse.Partition
        let topics: [OffsetFetchResponse.Topic] = [
            .init(name: v <= 9 ? "orders" : nil, topicID: v >= 10 ? ordersID : nil, partitions: [
                P(partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: v >= 5 ? 3 : -1, metadata: "meta", errorCode: 0),
                P(partitionIndex: 5, committedOffset: -1, committedLeaderEpoch: -1, metadata: nil, errorCode: 0),
            ]),
            .init(name: v <= 9 ? "payments" : nil, topicID: v >= 10 ? paymentsID : nil, partitions: [
                P(partitionIndex: 2, committedOffset: 7, committedLeaderEpoch: -1, metadata: "é✓", errorCode: 0)
            ]),
        ]
        if v <= 7 {
            return OffsetFetchResponse(throttleTimeMs: v >= 3 ? 20 : 0, groups: [.init(groupID: nil, errorCode: 0, topics: topics)])
        }
        return OffsetFetchResponse(throttleTimeMs: 20, groups: [
            .init(groupID: "group-1", errorCode: 0, topics: topics),
            .init(groupID: "group-2", errorCode: 16, topics: []),
        ])
    }

    @Test("requests v0-v10 decode to what kafka-python encoded", arguments: Int16(0)...10)
    func request(version: Int16) throws {
        let (header, body) = try requestBody(Self.requests[Int(version)])
        #expect(header.apiKey == .offsetFetch)
        #expect(header.apiVersion == version)
        #expect(header.correlationID == 2000 + Int32(version))
        #expect(header.headerVersion == (version >= 6 ? 2 : 1))
        #expect(try OffsetFetchRequest(version: version, body: body) == Self.expectedRequest(version))
    }

    @Test("responses v0-v10 decode to what kafka-python encoded", arguments: Int16(0)...10)
    func response(version: Int16) throws {
        let (header, body) = try responseBody(Self.responses[Int(version)], .offsetFetch, version)
        #expect(header.correlationID == 2000 + Int32(version))
        #expect(header.headerVersion == (version >= 6 ? 1 : 0))
        #expect(try OffsetFetchResponse(version: version, body: body) == Self.expectedResponse(version))
    }

    @Test func nullTopicsRejectedBeforeV2() throws {
        // v1 body: group "g", topics null (-1): only v2+ allows a null topic list.
        let body = buffer(hex: "000167ffffffff")
        #expect(throws: KafkaWireError.unexpectedNull(field: "OffsetFetchRequest.Topics")) {
            try OffsetFetchRequest(version: 1, body: body)
        }
        #expect(try OffsetFetchRequest(version: 2, body: body).groups == [.init(groupID: "g", topics: nil)])
    }
}
