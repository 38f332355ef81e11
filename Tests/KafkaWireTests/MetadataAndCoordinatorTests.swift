import NIOCore
import Testing

@testable import KafkaWire

@Suite("Metadata and FindCoordinator")
struct MetadataAndCoordinatorTests {
    static let metadata = [
        Fixtures.metadataResponseV0, Fixtures.metadataResponseV1, Fixtures.metadataResponseV2,
        Fixtures.metadataResponseV3, Fixtures.metadataResponseV4, Fixtures.metadataResponseV5,
        Fixtures.metadataResponseV6, Fixtures.metadataResponseV7, Fixtures.metadataResponseV8,
        Fixtures.metadataResponseV9, Fixtures.metadataResponseV10, Fixtures.metadataResponseV11,
        Fixtures.metadataResponseV12, Fixtures.metadataResponseV13,
    ]
    static let metadataRewritten = [
        Fixtures.metadataResponseV0Rewritten, Fixtures.metadataResponseV1Rewritten,
        Fixtures.metadataResponseV2Rewritten, Fixtures.metadataResponseV3Rewritten,
        Fixtures.metadataResponseV4Rewritten, Fixtures.metadataResponseV5Rewritten,
        Fixtures.metadataResponseV6Rewritten, Fixtures.metadataResponseV7Rewritten,
        Fixtures.metadataResponseV8Rewritten, Fixtures.metadataResponseV9Rewritten,
        Fixtures.metadataResponseV10Rewritten, Fixtures.metadataResponseV11Rewritten,
        Fixtures.metadataResponseV12Rewritten, Fixtures.metadataResponseV13Rewritten,
    ]
    static let coordinator = [
        Fixtures.findCoordinatorResponseV0, Fixtures.findCoordinatorResponseV1, Fixtures.findCoordinatorResponseV2,
        Fixtures.findCoordinatorResponseV3, Fixtures.findCoordinatorResponseV4, Fixtures.findCoordinatorResponseV5,
        Fixtures.findCoordinatorResponseV6,
    ]
    static let coordinatorRewritten = [
        Fixtures.findCoordinatorResponseV0Rewritten, Fixtures.findCoordinatorResponseV1Rewritten,
        Fixtures.findCoordinatorResponseV2Rewritten, Fixtures.findCoordinatorResponseV3Rewritten,
        Fixtures.findCoordinatorResponseV4Rewritten, Fixtures.findCoordinatorResponseV5Rewritten,
        Fixtures.findCoordinatorResponseV6Rewritten,
    ]

    static func expectedMetadata(_ v: Int16) -> MetadataResponse {
        typealias P = MetadataResponse.Partition
        let third: MetadataResponse.Topic = v >= 12
            ? .init(errorCode: 100, name: nil, topicID: paymentsID, partitions: [], topicAuthorizedOperations: Int32.min)
            : .init(errorCode: 3, name: "missing", topicID: v >= 10 ? .zero : nil, partitions: [],
                    topicAuthorizedOperations: Int32.min)
        return MetadataResponse(
            throttleTimeMs: v >= 3 ? 30 : 0,
            brokers: [
                .init(nodeID: 1, host: "broker-1.internal", port: 9092, rack: v >= 1 ? "rack-a" : nil),
                .init(nodeID: 2, host: "b2", port: 19092, rack: nil),
            ],
            clusterID: v >= 2 ? "cluster-xyz" : nil,
            controllerID: v >= 1 ? 1 : -1,
            topics: [
                .init(errorCode: 0, name: "orders", topicID: v >= 10 ? ordersID : nil, isInternal: false, partitions: [
                    P(errorCode: 0, partitionIndex: 0, leaderID: 1, leaderEpoch: v >= 7 ? 5 : -1,
                      replicaNodes: [1, 2], isrNodes: [1, 2], offlineReplicas: []),
                    P(errorCode: 0, partitionIndex: 1, leaderID: 2, leaderEpoch: v >= 7 ? 6 : -1,
                      replicaNodes: [2, 1], isrNodes: [2], offlineReplicas: v >= 5 ? [1] : []),
                ], topicAuthorizedOperations: v >= 8 ? 1 << 3 | 1 << 4 : Int32.min),
                .init(errorCode: 0, name: "__consumer_offsets", topicID: v >= 10 ? KafkaUUID(high: 0, low: 1) : nil,
                      isInternal: v >= 1, partitions: [
                        P(errorCode: 0, partitionIndex: 0, leaderID: 1, leaderEpoch: v >= 7 ? 0 : -1,
                          replicaNodes: [1], isrNodes: [1], offlineReplicas: [])
                      ], topicAuthorizedOperations: Int32.min),
                third,
            ],
            clusterAuthorizedOperations: (8...10).contains(v) ? 1 << 1 | 1 << 2 : Int32.min,
            errorCode: 0)
    }

    static func expectedCoordinator(_ v: Int16) -> FindCoordinatorResponse {
        if v <= 3 {
            return FindCoordinatorResponse(throttleTimeMs: v >= 1 ? 40 : 0, coordinators: [
                .init(key: nil, nodeID: 2, host: "b2", port: 19092, errorCode: 0, errorMessage: nil)
            ])
        }
        return FindCoordinatorResponse(throttleTimeMs: 40, coordinators: [
            .init(key: "group-1", nodeID: 2, host: "b2", port: 19092, errorCode: 0, errorMessage: nil),
            .init(key: "group-2", nodeID: -1, host: "", port: -1, errorCode: 15, errorMessage: "coordinator not available"),
        ])
    }

    static func toProxy(_ host: String, _ port: Int32, _ nodeID: Int32) -> (host: String, port: Int32) {
        nodeID < 0 ? (host, port) : ("proxy-for-\(nodeID).local", 40000 + nodeID)
    }

    @Test("Metadata responses v0-v13 decode to what kafka-python encoded", arguments: Int16(0)...13)
    func metadataDecode(version: Int16) throws {
        let (header, body) = try responseBody(Self.metadata[Int(version)], .metadata, version)
        #expect(header.correlationID == 3000 + Int32(version))
        #expect(header.headerVersion == (version >= 9 ? 1 : 0))
        let decoded = try MetadataResponse(version: version, body: body)
        #expect(decoded == Self.expectedMetadata(version))
        if version >= 10 {
            #expect(decoded.topicNamesByID == [ordersID: "orders", KafkaUUID(high: 0, low: 1): "__consumer_offsets"])
        } else {
            #expect(decoded.topicNamesByID.isEmpty)
        }
    }

    @Test("Metadata broker rewriting matches kafka-python's encoding with the new hosts", arguments: Int16(0)...13)
    func metadataRewrite(version: Int16) throws {
        let original = frame(hex: Self.metadata[Int(version)])
        var seen: [Int32] = []
        let rewritten = try KafkaFrame.rewritingBrokerAddresses(
            responseFrame: original, apiKey: .metadata, apiVersion: version
        ) { host, port, node in
            seen.append(node)
            return Self.toProxy(host, port, node)
        }
        #expect(seen == [1, 2])
        let expected = buffer(hex: Self.metadataRewritten[Int(version)])
        #expect(rewritten.map(hex) == hex(expected))

        // And through our own decoder: only hosts and ports changed.
        let newFrame = frame(hex: Self.metadataRewritten[Int(version)])
        let (_, body) = try KafkaResponseHeader.decode(frame: newFrame, apiKey: .metadata, apiVersion: version)
        var want = Self.expectedMetadata(version)
        for i in want.brokers.indices {
            let (h, p) = Self.toProxy(want.brokers[i].host, want.brokers[i].port, want.brokers[i].nodeID)
            want.brokers[i].host = h
            want.brokers[i].port = p
        }
        #expect(try MetadataResponse(version: version, body: body) == want)

        // The identity transform reproduces the body byte for byte.
        let (_, originalBody) = try KafkaResponseHeader.decode(frame: original, apiKey: .metadata, apiVersion: version)
        let same = try MetadataResponse.rewritingBrokers(version: version, frameBody: originalBody) { h, p, _ in (h, p) }
        #expect(hex(same) == hex(originalBody))
    }

    @Test("FindCoordinator responses v0-v6 decode", arguments: Int16(0)...6)
    func coordinatorDecode(version: Int16) throws {
        let (header, body) = try responseBody(Self.coordinator[Int(version)], .findCoordinator, version)
        #expect(header.correlationID == 4000 + Int32(version))
        #expect(header.headerVersion == (version >= 3 ? 1 : 0))
        #expect(try FindCoordinatorResponse(version: version, body: body) == Self.expectedCoordinator(version))
    }

    @Test("FindCoordinator rewriting matches kafka-python's encoding with the new hosts", arguments: Int16(0)...6)
    func coordinatorRewrite(version: Int16) throws {
        let original = frame(hex: Self.coordinator[Int(version)])
        let rewritten = try KafkaFrame.rewritingBrokerAddresses(
            responseFrame: original, apiKey: .findCoordinator, apiVersion: version, Self.toProxy)
        #expect(rewritten.map(hex) == hex(buffer(hex: Self.coordinatorRewritten[Int(version)])))

        let (_, body) = try KafkaResponseHeader.decode(frame: original, apiKey: .findCoordinator, apiVersion: version)
        let newBody = try FindCoordinatorResponse.rewritingBrokers(version: version, frameBody: body, Self.toProxy)
        var want = Self.expectedCoordinator(version)
        want.coordinators[0].host = "proxy-for-2.local"
        want.coordinators[0].port = 40002
        #expect(try FindCoordinatorResponse(version: version, body: newBody) == want)
    }

    @Test func rewritingOtherKeysReturnsNil() throws {
        let f = frame(hex: Fixtures.offsetCommitResponseV3)
        #expect(try KafkaFrame.rewritingBrokerAddresses(responseFrame: f, apiKey: .offsetCommit, apiVersion: 3) { h, p, _ in (h, p) } == nil)
    }

    @Test func hostTooLongForClassicStringThrows() throws {
        let (_, body) = try responseBody(Fixtures.findCoordinatorResponseV2, .findCoordinator, 2)
        let long = String(repeating: "x", count: Int(Int16.max) + 1)
        #expect(throws: KafkaWireError.self) {
            try FindCoordinatorResponse.rewritingBrokers(version: 2, frameBody: body) { _, p, _ in (long, p) }
        }
        // Flexible versions use varint lengths: fine.
        let (_, body3) = try responseBody(Fixtures.findCoordinatorResponseV3, .findCoordinator, 3)
        let out = try FindCoordinatorResponse.rewritingBrokers(version: 3, frameBody: body3) { _, p, _ in (long, p) }
        #expect(try FindCoordinatorResponse(version: 3, body: out).coordinators[0].host == long)
    }

    @Test func frameBuilder() throws {
        let header = buffer(hex: "000003e8")
        let body = buffer(hex: "0102")
        #expect(hex(try KafkaFrame.make(header: header, body: body)) == "00000006000003e80102")
    }
}
