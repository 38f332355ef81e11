import NIOCore

/// A DeleteGroups (api key 42) request body, versions 0 through 2: delete whole (empty) consumer
/// groups, their committed offsets included. The proxy records each group as a reset to `-1` of
/// the partitions it has seen of that group.
///
/// - v0-v2: GroupsNames[] (v2 flexible)
public struct DeleteGroupsRequest: KafkaCodableMessage {
    public static let apiKey = KafkaAPIKey.deleteGroups
    public static let supportedVersions: ClosedRange<Int16> = 0...2

    public var groupNames: [String]

    public init(groupNames: [String]) {
        self.groupNames = groupNames
    }

    /// Decodes a request body (the frame after the request header). The whole body must be consumed.
    public init(version: Int16, body: ByteBuffer) throws(KafkaWireError) {
        try Self.requireSupported(version)
        var r = KafkaReader(body, flexible: version >= 2)
        groupNames = try r.array("DeleteGroupsRequest.GroupsNames") { (r: inout KafkaReader) throws(KafkaWireError) -> String in
            try r.string("DeleteGroupsRequest.GroupsNames")
        }
        try r.skipTaggedFields("DeleteGroupsRequest")
        try r.expectEnd("DeleteGroupsRequest v\(version)")
    }

    public func encode(version: Int16) throws(KafkaWireError) -> ByteBuffer {
        try Self.requireSupported(version)
        var w = KafkaWriter(flexible: version >= 2)
        try w.array(groupNames, "DeleteGroupsRequest.GroupsNames") { (name: String, w: inout KafkaWriter) throws(KafkaWireError) in
            try w.string(name, "DeleteGroupsRequest.GroupsNames")
        }
        w.emptyTaggedFields()
        return w.buffer
    }
}
