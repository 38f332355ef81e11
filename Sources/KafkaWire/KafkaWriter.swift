import NIOCore

/// Writes Kafka wire values, the mirror of ``KafkaReader``.
///
/// The proxy only re-encodes broker addresses; the message encoders exist so that tests (and tools
/// that make traffic) build frames with the same layout rules the decoders read, version by version.
/// `flexible` selects the compact encodings (unsigned varint lengths plus one) and tagged fields.
struct KafkaWriter {
    var buffer: ByteBuffer
    let flexible: Bool

    init(flexible: Bool, capacity: Int = 128) {
        buffer = ByteBufferAllocator().buffer(capacity: capacity)
        self.flexible = flexible
    }

    mutating func int16(_ value: Int16) { buffer.writeInteger(value, endianness: .big) }
    mutating func int32(_ value: Int32) { buffer.writeInteger(value, endianness: .big) }
    mutating func int64(_ value: Int64) { buffer.writeInteger(value, endianness: .big) }
    mutating func bool(_ value: Bool) { buffer.writeInteger(UInt8(value ? 1 : 0)) }

    mutating func uuid(_ value: KafkaUUID) {
        buffer.writeInteger(value.high, endianness: .big)
        buffer.writeInteger(value.low, endianness: .big)
    }

    /// A string; nil is null (only for nullable fields: the caller decides).
    mutating func string(_ value: String?, _ field: @autoclosure () -> String) throws(KafkaWireError) {
        guard let value else {
            if flexible { Self.writeUnsignedVarint(0, to: &buffer) } else { int16(-1) }
            return
        }
        try Self.writeString(value, flexible: flexible, field: field(), to: &buffer)
    }

    /// An array count; nil is a null array.
    mutating func arrayCount(_ count: Int?, _ field: @autoclosure () -> String) throws(KafkaWireError) {
        guard let count else {
            if flexible { Self.writeUnsignedVarint(0, to: &buffer) } else { int32(-1) }
            return
        }
        guard count < Int(Int32.max) else {
            throw .lengthTooLarge(field: field(), length: Int64(count), remaining: Int(Int32.max) - 1)
        }
        if flexible { Self.writeUnsignedVarint(UInt32(count + 1), to: &buffer) } else { int32(Int32(count)) }
    }

    /// An array whose elements `element` writes; nil is a null array.
    mutating func array<T>(
        _ values: [T]?, _ field: @autoclosure () -> String,
        _ element: (T, inout KafkaWriter) throws(KafkaWireError) -> Void
    ) throws(KafkaWireError) {
        try arrayCount(values?.count, field())
        for value in values ?? [] { try element(value, &self) }
    }

    mutating func int32Array(_ values: [Int32], _ field: @autoclosure () -> String) throws(KafkaWireError) {
        try array(values, field()) { (value: Int32, w: inout KafkaWriter) throws(KafkaWireError) in w.int32(value) }
    }

    /// An empty tagged-field section (flexible versions only; a no-op otherwise).
    mutating func emptyTaggedFields() {
        if flexible { buffer.writeInteger(UInt8(0)) }
    }

    static func writeUnsignedVarint(_ value: UInt32, to buffer: inout ByteBuffer) {
        var v = value
        while v >= 0x80 {
            buffer.writeInteger(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        buffer.writeInteger(UInt8(truncatingIfNeeded: v))
    }

    /// Writes a non-null string, compact in flexible versions.
    static func writeString(
        _ string: String, flexible: Bool, field: String, to buffer: inout ByteBuffer
    ) throws(KafkaWireError) {
        let count = string.utf8.count
        if flexible {
            guard count < Int(UInt32.max) else {
                throw .lengthTooLarge(field: field, length: Int64(count), remaining: Int(UInt32.max) - 1)
            }
            writeUnsignedVarint(UInt32(count + 1), to: &buffer)
        } else {
            guard count <= Int(Int16.max) else {
                throw .lengthTooLarge(field: field, length: Int64(count), remaining: Int(Int16.max))
            }
            buffer.writeInteger(Int16(count), endianness: .big)
        }
        buffer.writeString(string)
    }
}
