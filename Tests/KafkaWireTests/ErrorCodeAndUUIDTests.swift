import Testing

@testable import KafkaWire

@Suite("Error codes and UUIDs")
struct ErrorCodeAndUUIDTests {
    @Test func names() {
        let expected: [Int16: String] = [
            -1: "UNKNOWN_SERVER_ERROR", 0: "NONE", 3: "UNKNOWN_TOPIC_OR_PARTITION", 7: "REQUEST_TIMED_OUT",
            12: "OFFSET_METADATA_TOO_LARGE", 14: "COORDINATOR_LOAD_IN_PROGRESS", 15: "COORDINATOR_NOT_AVAILABLE",
            16: "NOT_COORDINATOR", 19: "NOT_ENOUGH_REPLICAS", 20: "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
            22: "ILLEGAL_GENERATION", 24: "INVALID_GROUP_ID", 25: "UNKNOWN_MEMBER_ID", 27: "REBALANCE_IN_PROGRESS",
            28: "INVALID_COMMIT_OFFSET_SIZE", 29: "TOPIC_AUTHORIZATION_FAILED", 30: "GROUP_AUTHORIZATION_FAILED",
            35: "UNSUPPORTED_VERSION", 69: "GROUP_ID_NOT_FOUND", 82: "FENCED_INSTANCE_ID", 100: "UNKNOWN_TOPIC_ID",
            110: "FENCED_MEMBER_EPOCH", 113: "STALE_MEMBER_EPOCH",
        ]
        for (code, name) in expected {
            #expect(KafkaErrorCode(code).name == name)
        }
        #expect(KafkaErrorCode(16).description == "NOT_COORDINATOR (16)")
        #expect(KafkaErrorCode(9999).description == "9999")
        #expect(KafkaErrorCode(9999).name == "9999")
        #expect(!KafkaErrorCode(-5).isKnown)
        #expect(KafkaErrorCode.staleMemberEpoch.rawValue == 113)
        #expect(KafkaErrorCode.fencedMemberEpoch.rawValue == 110)
    }

    @Test func offsetCommitOutcomes() {
        #expect(OffsetCommitOutcome(errorCode: 0) == .applied)
        for code: Int16 in [22, 25, 27, 12, 3, 29, 30, 24, 69, 82, 110, 113, 100, 35, 14] {
            #expect(OffsetCommitOutcome(errorCode: code) == .rejected, "\(KafkaErrorCode(code))")
        }
        for code: Int16 in [-1, 7, 15, 16, 19, 20, 28, 6, 56, 31, 42, 9999, -2] {
            #expect(OffsetCommitOutcome(errorCode: code) == .ambiguous, "\(KafkaErrorCode(code))")
        }
    }

    @Test func uuidForms() {
        #expect(ordersID.kafkaString == "a6e4EJ2tEdGAtADAT9QwyA")
        #expect(paymentsID.description == "ABEiM0RVZneImaq7zN3u_w")
        #expect(ordersID.uuidString == "6ba7b810-9dad-11d1-80b4-00c04fd430c8")
        #expect(KafkaUUID(kafkaString: "a6e4EJ2tEdGAtADAT9QwyA") == ordersID)
        #expect(KafkaUUID(kafkaString: "ABEiM0RVZneImaq7zN3u_w") == paymentsID)
        #expect(KafkaUUID(kafkaString: "AAAAAAAAAAAAAAAAAAAAAA") == .zero)
        #expect(KafkaUUID(kafkaString: "too short") == nil)
        #expect(KafkaUUID(kafkaString: "a6e4EJ2tEdGAtADAT9Qwy!") == nil)
        #expect(KafkaUUID(kafkaString: "a6e4EJ2tEdGAtADAT9QwyB") == nil)  // non-zero padding bits
        #expect(KafkaUUID(bytes: ordersID.bytes) == ordersID)
        #expect(KafkaUUID(bytes: [1, 2, 3]) == nil)
    }

    @Test func errorDescriptions() {
        let errors: [KafkaWireError] = [
            .truncated(field: "F"), .negativeLength(field: "F", length: -2),
            .lengthTooLarge(field: "F", length: 9, remaining: 1), .unexpectedNull(field: "F"),
            .invalidUTF8(field: "F"), .malformedVarint(field: "F"), .invalidBoolean(field: "F", value: 7),
            .unsupportedVersion(apiKey: 8, version: 11), .trailingBytes(structure: "S", count: 2),
            .negativeFrameSize(-1), .frameTooLarge(size: 9, limit: 1),
        ]
        for e in errors { #expect(!e.description.isEmpty) }
        #expect(KafkaWireError.unsupportedVersion(apiKey: 8, version: 11).description.contains("OffsetCommit"))
    }
}
