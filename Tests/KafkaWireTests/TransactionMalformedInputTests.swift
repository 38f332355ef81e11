import NIOCore
import Testing

@testable import KafkaWire

/// Truncated, overlong and garbled transaction, delete and producer-id messages end in a
/// ``KafkaWireError`` naming the field, never in a trap or a silent partial decode.
@Suite("Malformed transaction messages")
struct TransactionMalformedInputTests {
    @Test("every truncation of every fixture throws", arguments: TransactionExpectations.cases)
    func everyTruncation(_ c: CodableCase) throws {
        let body = try TransactionExpectations.body(c)
        for cut in 0..<body.readableBytes {
            let truncated = body.getSlice(at: body.readerIndex, length: cut)!
            #expect(throws: KafkaWireError.self, "\(c.testDescription) cut at \(cut)") { try c.decode(c.version, truncated) }
        }
        var longer = body
        longer.writeInteger(UInt8(0))
        #expect(throws: KafkaWireError.self, "\(c.testDescription) with a trailing byte") { try c.decode(c.version, longer) }
    }

    @Test func badLengthsAndValuesNameTheirField() {
        // A group-name count far beyond the bytes (classic and compact).
        #expect(throws: KafkaWireError.lengthTooLarge(field: "DeleteGroupsRequest.GroupsNames", length: 0x7fff_ffff, remaining: 0)) {
            try DeleteGroupsRequest(version: 0, body: buffer(hex: "7fffffff"))
        }
        #expect(throws: KafkaWireError.lengthTooLarge(field: "DeleteGroupsRequest.GroupsNames", length: 126, remaining: 1)) {
            try DeleteGroupsRequest(version: 2, body: buffer(hex: "7f00"))
        }
        // A negative topic count in the shared topic codec.
        #expect(throws: KafkaWireError.negativeLength(field: "OffsetDeleteRequest.Topics", length: -2)) {
            try OffsetDeleteRequest(version: 0, body: buffer(hex: "000167fffffffe"))
        }
        // Null topics where the schema does not allow them.
        #expect(throws: KafkaWireError.unexpectedNull(field: "TxnOffsetCommitResponse.Topics")) {
            try TxnOffsetCommitResponse(version: 3, body: buffer(hex: "0000000000"))
        }
        // A partition count beyond the bytes, inside a topic.
        #expect(throws: KafkaWireError.lengthTooLarge(field: "OffsetDeleteResponse.Topics.Partitions", length: 1000, remaining: 0)) {
            try OffsetDeleteResponse(version: 0, body: buffer(hex: "0000" + "00000000" + "00000001" + "000174" + "000003e8"))
        }
        // Committed must be 0 or 1.
        #expect(throws: KafkaWireError.invalidBoolean(field: "EndTxnRequest.Committed", value: 2)) {
            try EndTxnRequest(version: 0, body: buffer(hex: "0001740000000000000001" + "0000" + "02"))
        }
        // A batched AddPartitionsToTxn with a hostile compact count.
        #expect(throws: KafkaWireError.self) {
            try AddPartitionsToTxnRequest(version: 4, body: buffer(hex: "ffffffff0f"))
        }
        // A transactional id that is not UTF-8.
        #expect(throws: KafkaWireError.invalidUTF8(field: "AddOffsetsToTxnRequest.TransactionalId")) {
            try AddOffsetsToTxnRequest(version: 0, body: buffer(hex: "0001ff"))
        }
        // A compact string length varint that never ends.
        #expect(throws: KafkaWireError.malformedVarint(field: "InitProducerIdRequest.TransactionalId")) {
            try InitProducerIdRequest(version: 2, body: buffer(hex: "ffffffffff01"))
        }
    }

    @Test("mutated fixtures only ever throw KafkaWireError")
    func mutatedFixtures() throws {
        var rng = SeededGenerator(seed: 0x7A_0FF5E7)
        let cases = TransactionExpectations.cases
        var decoded = 0
        for round in 0..<4_000 {
            let c = cases[round % cases.count]
            let original = Array(try TransactionExpectations.body(c).readableBytesView)
            var mutated = MalformedInputTests.mutate(original, &rng)
            if round % 3 == 0 { mutated = MalformedInputTests.mutate(mutated, &rng) }
            let version = round % 5 == 4 ? Int16.random(in: -1...7, using: &rng) : c.version
            do throws(KafkaWireError) {
                try c.decode(version, buffer(bytes: mutated))
                decoded += 1
            } catch {
                _ = error.description
            }
        }
        #expect(decoded > 0, "some mutations (a changed offset, say) still decode")
    }
}
