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
