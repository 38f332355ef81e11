import NIOCore

/// An AddOffsetsToTxn (api key 25) response body, versions 0 through 4.
///
/// - v0-v4: ThrottleTimeMs, ErrorCode (v3+ flexible). 0 means the coordinator accepted the
///   transaction's next step, which tells the proxy the previous transaction is complete.
public struct AddOffsetsToTxnResponse: KafkaCodableMessage {
    public static let apiKey = KafkaAPIKey.addOffsetsToTxn
    public static let supportedVersions: ClosedRange<Int16> = 0...4

    public var throttleTimeMs: Int32
    public var errorCode: Int16

    public init(throttleTimeMs: Int32 = 0, errorCode: Int16) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
    }

    /// Decodes a response body; `version` is the request's. The whole body must be consumed.
    public init(version: Int16, body: ByteBuffer) throws(KafkaWireError) {
        try Self.requireSupported(version)
        var r = KafkaReader(body, flexible: version >= 3)
        throttleTimeMs = try r.int32("AddOffsetsToTxnResponse.ThrottleTimeMs")
        errorCode = try r.int16("AddOffsetsToTxnResponse.ErrorCode")
        try r.skipTaggedFields("AddOffsetsToTxnResponse")
        try r.expectEnd("AddOffsetsToTxnResponse v\(version)")
    }

    public func encode(version: Int16) throws(KafkaWireError) -> ByteBuffer {
        try Self.requireSupported(version)
        var w = KafkaWriter(flexible: version >= 3)
        w.int32(throttleTimeMs)
        w.int16(errorCode)
        w.emptyTaggedFields()
        return w.buffer
    }
}
