import NIOCore

/// A Kafka message body this library decodes, with the versions whose layout it knows.
public protocol KafkaMessage: Sendable {
    static var apiKey: KafkaAPIKey { get }
    static var supportedVersions: ClosedRange<Int16> { get }
}

extension KafkaMessage {
    /// Throws `unsupportedVersion` for a version whose layout is not known: guessing it would
    /// misread every field after the first difference.
    static func requireSupported(_ version: Int16) throws(KafkaWireError) {
        guard supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: apiKey.rawValue, version: version)
        }
    }
}

/// A message body this library both decodes and encodes (the transaction, delete and
/// producer-id messages): `encode(version:)` writes what `init(version:body:)` reads, field for
/// field, so tests and traffic generators build frames with the decoder's own layout rules.
public protocol KafkaCodableMessage: KafkaMessage, Equatable {
    init(version: Int16, body: ByteBuffer) throws(KafkaWireError)
    func encode(version: Int16) throws(KafkaWireError) -> ByteBuffer
}
