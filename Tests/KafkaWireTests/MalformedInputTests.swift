import NIOCore
import Testing

@testable import KafkaWire

@Suite("Malformed and hostile input")
struct MalformedInputTests {
    @Test func specificFailures() {
        // OffsetCommitResponse v0: topics count 0x7fffffff with nothing behind it.
        #expect(throws: KafkaWireError.lengthTooLarge(field: "OffsetCommitResponse.Topics", length: 0x7fff_ffff, remaining: 0)) {
            try OffsetCommitResponse(version: 0, body: buffer(hex: "7fffffff"))
        }
        // Negative array count other than -1.
        #expect(throws: KafkaWireError.negativeLength(field: "OffsetCommitResponse.Topics", length: -2)) {
            try OffsetCommitResponse(version: 0, body: buffer(hex: "fffffffe"))
        }
        // Null (non-nullable) topics array.
        #expect(throws: KafkaWireError.unexpectedNull(field: "OffsetCommitResponse.Topics")) {
            try OffsetCommitResponse(version: 0, body: buffer(hex: "ffffffff"))
        }
        // Negative string length.
        #expect(throws: KafkaWireError.negativeLength(field: "OffsetCommitRequest.GroupId", length: -3)) {
            try OffsetCommitRequest(version: 0, body: buffer(hex: "fffd"))
        }
        // Group id longer than the bytes.
        #expect(throws: KafkaWireError.lengthTooLarge(field: "OffsetCommitRequest.GroupId", length: 0x7fff, remaining: 1)) {
            try OffsetCommitRequest(version: 0, body: buffer(hex: "7fff41"))
        }
        // Invalid UTF-8 in the group id (0xff).
        #expect(throws: KafkaWireError.invalidUTF8(field: "OffsetCommitRequest.GroupId")) {
            try OffsetCommitRequest(version: 0, body: buffer(hex: "0001ff00000000"))
        }
        // Compact length varint longer than 5 bytes, and one overflowing 32 bits.
        #expect(throws: KafkaWireError.malformedVarint(field: "OffsetCommitRequest.GroupId")) {
            try OffsetCommitRequest(version: 8, body: buffer(hex: "ffffffffff01"))
        }
        #expect(throws: KafkaWireError.malformedVarint(field: "OffsetCommitRequest.GroupId")) {
            try OffsetCommitRequest(version: 8, body: buffer(hex: "ffffffff1f"))
        }
        // Huge compact array count (0xffffffff - 1 elements).
        #expect(throws: KafkaWireError.self) {
            try OffsetCommitResponse(version: 8, body: buffer(hex: "00000000ffffffff0f"))
        }
        // Huge tagged-field count and size.
        #expect(throws: KafkaWireError.self) {
            try OffsetCommitResponse(version: 8, body: buffer(hex: "0000000001ffffffff0f"))
        }
        #expect(throws: KafkaWireError.lengthTooLarge(field: "OffsetCommitResponse._tagged_fields", length: 0x7fff_ffff, remaining: 0)) {
            try OffsetCommitResponse(version: 8, body: buffer(hex: "00000000010100ffffffff07"))
        }
        // Trailing bytes after a complete body.
        #expect(throws: KafkaWireError.trailingBytes(structure: "OffsetCommitResponse v0", count: 1)) {
            try OffsetCommitResponse(version: 0, body: buffer(hex: "0000000000"))
        }
        // A boolean that is neither 0 nor 1 (OffsetFetch v7 RequireStable).
        #expect(throws: KafkaWireError.invalidBoolean(field: "OffsetFetchRequest.RequireStable", value: 2)) {
            try OffsetFetchRequest(version: 7, body: buffer(hex: "0267010200"))
        }
        // Empty bodies.
        #expect(throws: KafkaWireError.self) { try MetadataResponse(version: 12, body: buffer(hex: "")) }
        #expect(throws: KafkaWireError.self) { try FindCoordinatorResponse(version: 4, body: buffer(hex: "")) }
        #expect(throws: KafkaWireError.self) { try OffsetFetchResponse(version: 8, body: buffer(hex: "")) }
    }

    /// Every fixture with the version it was encoded at.
    static let allFixtures: [(hex: String, version: Int16)] =
        (OffsetCommitTests.requests + OffsetCommitTests.responses + OffsetFetchTests.requests
            + OffsetFetchTests.responses).enumerated().map { ($1, Int16($0 % 11)) }
        + MetadataAndCoordinatorTests.metadata.enumerated().map { ($1, Int16($0)) }
        + MetadataAndCoordinatorTests.coordinator.enumerated().map { ($1, Int16($0)) }
        + [(Fixtures.offsetCommitResponseV8Tagged, 8), (Fixtures.offsetCommitRequestV8TaggedHeader, 8),
           (Fixtures.apiVersionsResponseV3, 3)]

    static func mutate(_ input: [UInt8], _ rng: inout SeededGenerator) -> [UInt8] {
        var b = input
        switch Int.random(in: 0..<7, using: &rng) {
        case 0:  // truncate
            b = Array(b.prefix(Int.random(in: 0...b.count, using: &rng)))
        case 1:  // flip a few bytes
            for _ in 0..<Int.random(in: 1...4, using: &rng) where !b.isEmpty {
                b[Int.random(in: 0..<b.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
            }
        case 2:  // plant a hostile length
            if b.count >= 4 {
                let at = Int.random(in: 0...(b.count - 4), using: &rng)
                let patterns: [[UInt8]] = [[0x7f, 0xff, 0xff, 0xff], [0xff, 0xff, 0xff, 0xfe], [0x80, 0, 0, 0],
                                           [0xff, 0xff, 0xff, 0xff], [0x00, 0x00, 0xff, 0xff], [0xff, 0xff, 0xff, 0x0f]]
                b.replaceSubrange(at..<at + 4, with: patterns.randomElement(using: &rng)!)
            }
        case 3:  // insert random bytes
            let at = Int.random(in: 0...b.count, using: &rng)
            b.insert(contentsOf: (0..<Int.random(in: 1...8, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }, at: at)
        case 4:  // delete a range
            if !b.isEmpty {
                let at = Int.random(in: 0..<b.count, using: &rng)
                b.removeSubrange(at..<min(b.count, at + Int.random(in: 1...8, using: &rng)))
            }
        case 5:  // pure noise
            b = (0..<Int.random(in: 0...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        default:  // append garbage
            b += (0..<Int.random(in: 1...4, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        }
        return b
    }

    /// Feeds one mutated frame to every decoder at `version`; returns how many decoders
    /// succeeded. Typed throws means anything that escapes is a KafkaWireError; a trap
    /// would kill the test process.
    static func decodeEverything(_ frameBytes: [UInt8], version: Int16) -> Int {
        var f = ByteBufferAllocator().buffer(capacity: frameBytes.count)
        f.writeBytes(frameBytes)
        var ok = 0
        func attempt(_ body: () throws(KafkaWireError) -> Void) {
            do throws(KafkaWireError) {
                try body()
                ok += 1
            } catch {
                _ = error.description
            }
        }
        attempt { () throws(KafkaWireError) in _ = try KafkaRequestHeader.decode(frame: f) }
        attempt { () throws(KafkaWireError) in _ = try KafkaResponseHeader.correlationID(of: f) }
        for key: KafkaAPIKey in [.offsetCommit, .offsetFetch, .metadata, .findCoordinator, .apiVersions] {
            attempt { () throws(KafkaWireError) in _ = try KafkaResponseHeader.decode(frame: f, apiKey: key, apiVersion: version) }
        }
        // Bodies: the bytes after a request header (if one parses), else after 4 or 5 bytes.
        var bodies: [ByteBuffer] = [f]
        if let (_, body) = try? KafkaRequestHeader.decode(frame: f) { bodies.append(body) }
        for skip in [4, 5] where f.readableBytes >= skip {
            bodies.append(f.getSlice(at: f.readerIndex + skip, length: f.readableBytes - skip)!)
        }
        for body in bodies {
            attempt { () throws(KafkaWireError) in _ = try OffsetCommitRequest(version: version, body: body) }
            attempt { () throws(KafkaWireError) in _ = try OffsetCommitResponse(version: version, body: body) }
            attempt { () throws(KafkaWireError) in _ = try OffsetFetchRequest(version: version, body: body) }
            attempt { () throws(KafkaWireError) in _ = try OffsetFetchResponse(version: version, body: body) }
            attempt { () throws(KafkaWireError) in _ = try MetadataResponse(version: version, body: body) }
            attempt { () throws(KafkaWireError) in _ = try FindCoordinatorResponse(version: version, body: body) }
            attempt { () throws(KafkaWireError) in _ = try MetadataResponse.rewritingBrokers(version: version, frameBody: body) { _, p, n in ("h", p &+ n) } }
            attempt { () throws(KafkaWireError) in _ = try FindCoordinatorResponse.rewritingBrokers(version: version, frameBody: body) { _, p, n in ("h", p &+ n) } }
        }
        // Property: whenever a body decodes, the identity rewrite reproduces it exactly.
        for body in bodies {
            if let same = try? MetadataResponse.rewritingBrokers(version: version, frameBody: body, { h, p, _ in (h, p) }) {
                #expect(same.readableBytesView.elementsEqual(body.readableBytesView))
            }
            if let same = try? FindCoordinatorResponse.rewritingBrokers(version: version, frameBody: body, { h, p, _ in (h, p) }) {
                #expect(same.readableBytesView.elementsEqual(body.readableBytesView))
            }
        }
        attempt { () throws(KafkaWireError) in
            _ = try KafkaFrame.rewritingBrokerAddresses(responseFrame: f, apiKey: .metadata, apiVersion: version) { h, p, _ in (h, p) }
        }
        return ok
    }

    @Test("thousands of mutated frames only ever throw KafkaWireError")
    func hostileFrames() {
        var rng = SeededGenerator(seed: 0xC0FFEE)
        let originals = Self.allFixtures.map { (bytes(hex: $0.hex), $0.version) }
        var stream: [UInt8] = []
        var successes = 0
        for round in 0..<3000 {
            let (original, ownVersion) = originals[round % originals.count]
            var mutated = Self.mutate(Array(original.dropFirst(4)), &rng)
            if round % 3 == 0 { mutated = Self.mutate(mutated, &rng) }
            // Mostly the version the fixture was encoded at (to get deep into the
            // decoders), sometimes any version including out-of-range ones.
            let version = round % 4 == 3 ? Int16.random(in: -2...15, using: &rng) : ownVersion
            successes += Self.decodeEverything(mutated, version: version)
            if round % 4 == 0 { stream += Self.mutate(original, &rng) }
        }
        #expect(successes > 0)

        // The splitter over a stream of mutated frames, in random chunks.
        var splitter = KafkaFrameSplitter(maxFrameSize: 1 << 20)
        var undecodable = 0
        var i = 0
        while i < stream.count {
            let n = min(Int.random(in: 1...300, using: &rng), stream.count - i)
            var chunk = ByteBufferAllocator().buffer(capacity: n)
            chunk.writeBytes(stream[i..<i + n])
            for f in splitter.feed(chunk) {
                _ = Self.decodeEverything(Array(f.readableBytesView), version: Int16.random(in: 0...13, using: &rng))
            }
            if splitter.isUndecodable {
                undecodable += 1
                splitter = KafkaFrameSplitter(maxFrameSize: 1 << 20)
            }
            i += n
        }
        #expect(undecodable > 0)
    }

    @Test("every truncation of every fixture throws, at the fixture's own version")
    func everyTruncation() {
        let cases: [(String, KafkaAPIKey, Int16, Bool)] =
            OffsetCommitTests.requests.enumerated().map { ($1, .offsetCommit, Int16($0), true) }
            + OffsetCommitTests.responses.enumerated().map { ($1, .offsetCommit, Int16($0), false) }
            + OffsetFetchTests.requests.enumerated().map { ($1, .offsetFetch, Int16($0), true) }
            + OffsetFetchTests.responses.enumerated().map { ($1, .offsetFetch, Int16($0), false) }
            + MetadataAndCoordinatorTests.metadata.enumerated().map { ($1, .metadata, Int16($0), false) }
            + MetadataAndCoordinatorTests.coordinator.enumerated().map { ($1, .findCoordinator, Int16($0), false) }
        for (fixture, key, version, isRequest) in cases {
            let whole = frame(hex: fixture)
            let body: ByteBuffer
            if isRequest {
                body = try! KafkaRequestHeader.decode(frame: whole).body
            } else {
                body = try! KafkaResponseHeader.decode(frame: whole, apiKey: key, apiVersion: version).body
            }
            for cut in 0..<body.readableBytes {
                let truncated = body.getSlice(at: body.readerIndex, length: cut)!
                let threw: Bool
                do throws(KafkaWireError) {
                    switch (key, isRequest) {
                    case (.offsetCommit, true): _ = try OffsetCommitRequest(version: version, body: truncated)
                    case (.offsetCommit, false): _ = try OffsetCommitResponse(version: version, body: truncated)
                    case (.offsetFetch, true): _ = try OffsetFetchRequest(version: version, body: truncated)
                    case (.offsetFetch, false): _ = try OffsetFetchResponse(version: version, body: truncated)
                    case (.metadata, _): _ = try MetadataResponse(version: version, body: truncated)
                    default: _ = try FindCoordinatorResponse(version: version, body: truncated)
                    }
                    threw = false
                } catch {
                    threw = true
                }
                #expect(threw, "\(key) v\(version) cut at \(cut) decoded")
            }
        }
    }
}
