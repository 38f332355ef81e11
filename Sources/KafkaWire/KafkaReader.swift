import NIOCore

/// A bounds-checked cursor over Kafka wire bytes.
///
/// Every read checks that the bytes are there; every length or count is checked against
/// the bytes that remain *before* anything is allocated, so a hostile length can never
/// cause a large allocation or a trap. `flexible` selects the compact encodings (unsigned
/// varint lengths plus one, 0 meaning null) used by flexible versions.
struct KafkaReader {
    var buffer: ByteBuffer
    let flexible: Bool

    init(_ buffer: ByteBuffer, flexible: Bool) {
        self.buffer = buffer
        self.flexible = flexible
    }

    var readerIndex: Int { buffer.readerIndex }

    // MARK: fixed-width integers

    mutating func int16(_ field: @autoclosure () -> String) throws(KafkaWireError) -> Int16 {
        guard let v = buffer.readInteger(endianness: .big, as: Int16.self) else { throw .truncated(field: field()) }
        return v
    }

    mutating func int32(_ field: @autoclosure () -> String) throws(KafkaWireError) -> Int32 {
        guard let v = buffer.readInteger(endianness: .big, as: Int32.self) else { throw .truncated(field: field()) }
        return v
    }

    mutating func int64(_ field: @autoclosure () -> String) throws(KafkaWireError) -> Int64 {
        guard let v = buffer.readInteger(endianness: .big, as: Int64.self) else { throw .truncated(field: field()) }
        return v
    }

    mutating func bool(_ field: @autoclosure () -> String) throws(KafkaWireError) -> Bool {
        guard let v = buffer.readInteger(as: UInt8.self) else { throw .truncated(field: field()) }
        switch v {
        case 0: return false
        case 1: return true
        default: throw .invalidBoolean(field: field(), value: v)
        }
    }

    mutating func uuid(_ field: @autoclosure () -> String) throws(KafkaWireError) -> KafkaUUID {
        guard let hi = buffer.readInteger(endianness: .big, as: UInt64.self),
              let lo = buffer.readInteger(endianness: .big, as: UInt64.self)
        else { throw .truncated(field: field()) }
        return KafkaUUID(high: hi, low: lo)
    }

    /// An unsigned LEB128 varint of at most 32 bits (5 bytes), as used for compact
    /// lengths and tagged-field headers.
    mutating func unsignedVarint(_ field: @autoclosure () -> String) throws(KafkaWireError) -> UInt32 {
        var value: UInt32 = 0
        var shift: UInt32 = 0
        for _ in 0..<5 {
            guard let byte = buffer.readInteger(as: UInt8.self) else { throw .truncated(field: field()) }
            let payload = UInt32(byte & 0x7F)
            if shift == 28 && payload > 0x0F { throw .malformedVarint(field: field()) }
            value |= payload << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        throw .malformedVarint(field: field())
    }

    mutating func skip(_ count: Int, _ field: @autoclosure () -> String) throws(KafkaWireError) {
        guard count >= 0 else { throw .negativeLength(field: field(), length: Int64(count)) }
        guard count <= buffer.readableBytes else {
            throw .lengthTooLarge(field: field(), length: Int64(count), remaining: buffer.readableBytes)
        }
        buffer.moveReaderIndex(forwardBy: count)
    }

    // MARK: strings

    /// Reads a string length prefix: nil means null. Compact (varint) in flexible
    /// versions unless `compact` overrides it (the request header's client id is never
    /// compact).
    private mutating func stringLength(_ field: @autoclosure () -> String, compact: Bool?) throws(KafkaWireError) -> Int? {
        if compact ?? flexible {
            let n = try unsignedVarint(field())
            if n == 0 { return nil }
            return Int(n - 1)
        } else {
            let n = try int16(field())
            if n == -1 { return nil }
            if n < 0 { throw .negativeLength(field: field(), length: Int64(n)) }
            return Int(n)
        }
    }

    mutating func nullableString(_ field: @autoclosure () -> String, compact: Bool? = nil) throws(KafkaWireError) -> String? {
        guard let length = try stringLength(field(), compact: compact) else { return nil }
        guard length <= buffer.readableBytes else {
            throw .lengthTooLarge(field: field(), length: Int64(length), remaining: buffer.readableBytes)
        }
        let view = buffer.readableBytesView.prefix(length)
        let string = String(decoding: view, as: UTF8.self)
        // String(decoding:) repairs invalid sequences; a repaired string differs in bytes.
        guard string.utf8.count == length, string.utf8.elementsEqual(view) else {
            throw .invalidUTF8(field: field())
        }
        buffer.moveReaderIndex(forwardBy: length)
        return string
    }

    mutating func string(_ field: @autoclosure () -> String, compact: Bool? = nil) throws(KafkaWireError) -> String {
        guard let s = try nullableString(field(), compact: compact) else { throw .unexpectedNull(field: field()) }
        return s
    }

    // MARK: arrays

    /// Reads an array count: nil means null. Checks the count against the remaining bytes
    /// (each element takes at least `minElementSize` bytes) before returning it.
    mutating func arrayCount(_ field: @autoclosure () -> String, minElementSize: Int = 1) throws(KafkaWireError) -> Int? {
        let count: Int
        if flexible {
            let n = try unsignedVarint(field())
            if n == 0 { return nil }
            count = Int(n - 1)
        } else {
            let n = try int32(field())
            if n == -1 { return nil }
            if n < 0 { throw .negativeLength(field: field(), length: Int64(n)) }
            count = Int(n)
        }
        if count > buffer.readableBytes / max(minElementSize, 1) {
            throw .lengthTooLarge(field: field(), length: Int64(count), remaining: buffer.readableBytes)
        }
        return count
    }

    mutating func nullableArray<T>(
        _ field: @autoclosure () -> String,
        minElementSize: Int = 1,
        _ element: (inout KafkaReader) throws(KafkaWireError) -> T
    ) throws(KafkaWireError) -> [T]? {
        guard let count = try arrayCount(field(), minElementSize: minElementSize) else { return nil }
        var result: [T] = []
        result.reserveCapacity(count)
        for _ in 0..<count {
            result.append(try element(&self))
        }
        return result
    }

    mutating func array<T>(
        _ field: @autoclosure () -> String,
        minElementSize: Int = 1,
        _ element: (inout KafkaReader) throws(KafkaWireError) -> T
    ) throws(KafkaWireError) -> [T] {
        guard let a = try nullableArray(field(), minElementSize: minElementSize, element) else {
            throw .unexpectedNull(field: field())
        }
        return a
    }

    mutating func int32Array(_ field: @autoclosure () -> String) throws(KafkaWireError) -> [Int32] {
        try array(field(), minElementSize: 4) { (r: inout KafkaReader) throws(KafkaWireError) -> Int32 in
            try r.int32(field())
        }
    }

    // MARK: tagged fields

    /// Skips a tagged-field section (flexible versions only; a no-op otherwise):
    /// an unsigned varint count, then per field a varint tag, a varint size and the bytes.
    mutating func skipTaggedFields(_ structure: @autoclosure () -> String) throws(KafkaWireError) {
        guard flexible else { return }
        func field() -> String { structure() + "._tagged_fields" }
        let count = Int(try unsignedVarint(field()))
        if count > buffer.readableBytes / 2 {
            throw .lengthTooLarge(field: field(), length: Int64(count), remaining: buffer.readableBytes)
        }
        for _ in 0..<count {
            _ = try unsignedVarint(field())
            let size = Int(try unsignedVarint(field()))
            try skip(size, field())
        }
    }

    /// Throws if bytes remain.
    func expectEnd(_ structure: @autoclosure () -> String) throws(KafkaWireError) {
        if buffer.readableBytes != 0 {
            throw .trailingBytes(structure: structure(), count: buffer.readableBytes)
        }
    }
}
