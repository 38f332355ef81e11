import NIOCore
import Testing

@testable import KafkaWire

// Shared helpers for the KafkaWire tests. The byte vectors live in KafkaWireFixtures.swift
// (generated with kafka-python's own encoders).

/// A ByteBuffer from a hex string (test input is trusted: traps on bad hex).
func buffer(hex: String) -> ByteBuffer {
    var out = ByteBufferAllocator().buffer(capacity: hex.utf8.count / 2)
    out.writeBytes(bytes(hex: hex))
    return out
}

func bytes(hex: String) -> [UInt8] {
    let digits = Array(hex.utf8)
    precondition(digits.count % 2 == 0, "odd hex length")
    func nibble(_ c: UInt8) -> UInt8 {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: preconditionFailure("bad hex digit")
        }
    }
    return stride(from: 0, to: digits.count, by: 2).map { nibble(digits[$0]) << 4 | nibble(digits[$0 + 1]) }
}

func hex(_ buffer: ByteBuffer) -> String {
    buffer.readableBytesView.map { b in
        let s = String(b, radix: 16)
        return b < 16 ? "0" + s : s
    }.joined()
}

/// The frame inside a whole-frame fixture (the bytes after the 4-byte size), checking
/// that the size prefix matches.
func frame(hex: String) -> ByteBuffer {
    var whole = buffer(hex: hex)
    let size = whole.readInteger(as: Int32.self)!
    precondition(Int(size) == whole.readableBytes, "fixture size prefix mismatch")
    return whole
}

func requestBody(_ fixture: String) throws -> (KafkaRequestHeader, ByteBuffer) {
    try KafkaRequestHeader.decode(frame: frame(hex: fixture))
}

func responseBody(_ fixture: String, _ apiKey: KafkaAPIKey, _ version: Int16) throws -> (KafkaResponseHeader, ByteBuffer) {
    try KafkaResponseHeader.decode(frame: frame(hex: fixture), apiKey: apiKey, apiVersion: version)
}

let ordersID = KafkaUUID(high: 0x6ba7_b810_9dad_11d1, low: 0x80b4_00c0_4fd4_30c8)
let paymentsID = KafkaUUID(high: 0x0011_2233_4455_6677, low: 0x8899_aabb_ccdd_eeff)

/// SplitMix64: a small seeded generator so the hostile-input tests are reproducible.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
