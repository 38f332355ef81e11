import NIOCore

/// A DeleteGroups (api key 42) response body, versions 0 through 2.
///
/// - v0-v2: ThrottleTimeMs, Results[GroupId, ErrorCode] (v2 flexible)
public struct DeleteGroupsResponse: KafkaCodableMessage {
    public static let apiKey = KafkaAPIKey.deleteGroups
    public static let supportedVersions: ClosedRange<Int16> = 0...2

    public var throttleTimeMs: Int32
    public var results: [Result]

    public struct Result: Sendable, Equatable {
        public var groupID: String
        public var errorCode: Int16

        public init(groupID: String, errorCode: Int16) {
            self.groupID = groupID
            self.errorCode = errorCode
        }
    }

    public init(throttleTimeMs: Int32 = 0, results: [Result]) {
        self.throttleTimeMs = throttleTimeMs
        self.results = results
    }

    /// Decodes a response body; `version` is the request's. The whole body must be consumed.
    public init(version: Int16, body: ByteBuffer) throws(KafkaWireError) {
        try Self.requireSupported(version)
        var r = KafkaReader(body, flexible: version >= 2)
        throttleTimeMs = try r.int32("DeleteGroupsResponse.ThrottleTimeMs")
        results = try r.array("DeleteGroupsResponse.Results", minElementSize: 3) { (r: inout KafkaReader) throws(KafkaWireError) -> Result in
            let groupID = try r.string("DeleteGroupsResponse.Results.GroupId")
            let errorCode = try r.int16("DeleteGroupsResponse.Results.ErrorCode")
            try r.skipTaggedFields("DeleteGroupsResponse.Results")
            return Result(groupID: groupID, errorCode: errorCode)
        }
        try r.skipTaggedFields("DeleteGroupsResponse")
        try r.expectEnd("DeleteGroupsResponse v\(version)")
    }

    public func encode(version: Int16) throws(KafkaWireError) -> ByteBuffer {
        try Self.requireSupported(version)
        var w = KafkaWriter(flexible: version >= 2)
        w.int32(throttleTimeMs)
        try w.array(results, "DeleteGroupsResponse.Results") { (result: Result, w: inout KafkaWriter) throws(KafkaWireError) in
            try w.string(result.groupID, "DeleteGroupsResponse.Results.GroupId")
            w.int16(result.errorCode)
            w.emptyTaggedFields()
        }
        w.emptyTaggedFields()
        return w.buffer
    }
}
