import NIOCore
import Testing

@testable import KafkaWire

@Suite("Framing and headers")
struct FramingAndHeaderTests {
    static let streamFixtures = [
        Fixtures.offsetCommitRequestV0, Fixtures.offsetCommitRequestV8, Fixtures.offsetFetchRequestV6,
        Fixtures.offsetCommitRequestV2NullClientID, Fixtures.offsetCommitRequestV10, Fixtures.offsetFetchRequestV8,
    ]

    static var stream: [UInt8] { streamFixtures.flatMap { bytes(hex: $0) } }
    static var expectedFrames: [String] { streamFixtures.map { String($0.dropFirst(8)) } }

    static func chunked(_ bytes: [UInt8], sizes: inout some RandomNumberGenerator, maxChunk: Int) -> [ByteBuffer] {
        var chunks: [ByteBuffer] = []
        var i = 0
        while i < bytes.count {
            let n = min(Int.random(in: 1...maxChunk, using: &sizes), bytes.count - i)
            var b = ByteBufferAllocator().buffer(capacity: n)
            b.writeBytes(bytes[i..<i + n])
            chunks.append(b)
            i += n
        }
        return chunks
    }

    @Test func oneByteAtATime() {
        var splitter = KafkaFrameSplitter()
        var frames: [ByteBuffer] = []
        for byte in Self.stream {
            var b = ByteBufferAllocator().buffer(capacity: 1)
            b.writeInteger(byte)
            frames += splitter.feed(b)
        }
        #expect(frames.map(hex) == Self.expectedFrames)
        #expect(splitter.bufferedByteCount == 0)
        #expect(!splitter.isUndecodable)
        // And the frames parse.
        let keys = frames.compactMap { try? KafkaRequestHeader(frame: $0).apiKey }
        #expect(keys == [.offsetCommit, .offsetCommit, .offsetFetch, .offsetCommit, .offsetCommit, .offsetFetch])
    }

    @Test func randomChunkBoundaries() {
        var rng = SeededGenerator(seed: 42)
        for maxChunk in [2, 3, 7, 64, 1000] {
            var splitter = KafkaFrameSplitter()
            var frames: [ByteBuffer] = []
            for chunk in Self.chunked(Self.stream, sizes: &rng, maxChunk: maxChunk) {
                frames += splitter.feed(chunk)
            }
            #expect(frames.map(hex) == Self.expectedFrames, "maxChunk \(maxChunk)")
        }
        // All at once.
        var splitter = KafkaFrameSplitter()
        var all = ByteBufferAllocator().buffer(capacity: 0)
        all.writeBytes(Self.stream)
        #expect(splitter.feed(all).map(hex) == Self.expectedFrames)
    }

    @Test func partialFrameIsKept() {
        var splitter = KafkaFrameSplitter()
        #expect(splitter.feed(buffer(hex: "00000003aa")).isEmpty)
        #expect(splitter.bufferedByteCount == 5)
        #expect(splitter.feed(buffer(hex: "bbcc" + "00000000" + "00000000" + "00")).map(hex) == ["aabbcc", "", ""])
        #expect(splitter.bufferedByteCount == 1)
    }

    @Test func sizeLimit() {
        var splitter = KafkaFrameSplitter(maxFrameSize: 4)
        // A good frame, then one of size 5 > 4: the first is still returned.
        let frames = splitter.feed(buffer(hex: "0000000201020000000501020304050000000100"))
        #expect(frames.map(hex) == ["0102"])
        #expect(splitter.isUndecodable)
        #expect(splitter.failure == .frameTooLarge(size: 5, limit: 4))
        #expect(splitter.feed(buffer(hex: "0000000100")).isEmpty)
        #expect(splitter.bufferedByteCount == 0)

        // The limit triggers on the size prefix alone, before the bytes arrive.
        var big = KafkaFrameSplitter()
        #expect(big.feed(buffer(hex: "7fffffff")).isEmpty)
        #expect(big.failure == .frameTooLarge(size: Int32.max, limit: KafkaFrameSplitter.defaultMaxFrameSize))

        var negative = KafkaFrameSplitter()
        #expect(negative.feed(buffer(hex: "ff")).isEmpty)
        #expect(!negative.isUndecodable)
        #expect(negative.feed(buffer(hex: "fffffe")).isEmpty)
        #expect(negative.failure == .negativeFrameSize(-2))
        #expect(negative.failure?.description.contains("not decodable") == true)
    }

    @Test func requestHeaderOfUnknownKeyStillReadsClientID() throws {
        // api key 999 v3, correlation 5, client id "x", then body bytes.
        let f = buffer(hex: "03e70003000000050001780102")
        let (header, body) = try KafkaRequestHeader.decode(frame: f)
        #expect(header.apiKey == KafkaAPIKey(999))
        #expect(header.apiKey.description == "ApiKey(999)")
        #expect(header.clientID == "x")
        #expect(header.headerVersion == 1)
        #expect(hex(body) == "0102")
    }

    @Test func apiVersionsResponseUsesHeaderV0() throws {
        let f = frame(hex: Fixtures.apiVersionsResponseV3)
        let header = try KafkaResponseHeader(frame: f, apiKey: .apiVersions, apiVersion: 3)
        #expect(header.correlationID == 5003)
        #expect(header.headerVersion == 0)
        #expect(header.headerLength == 4)
        // The body starts with error code 0 and a compact array of 2 api keys.
        #expect(hex(header.body(of: f)).hasPrefix("000003"))
    }

    @Test func headerVersions() {
        #expect(KafkaAPI.isFlexible(apiKey: .offsetCommit, version: 7) == false)
        #expect(KafkaAPI.isFlexible(apiKey: .offsetCommit, version: 8))
        #expect(KafkaAPI.isFlexible(apiKey: .offsetFetch, version: 6))
        #expect(!KafkaAPI.isFlexible(apiKey: .offsetFetch, version: 5))
        #expect(KafkaAPI.isFlexible(apiKey: .metadata, version: 9))
        #expect(KafkaAPI.isFlexible(apiKey: .findCoordinator, version: 3))
        #expect(KafkaAPI.isFlexible(apiKey: .apiVersions, version: 3))
        #expect(!KafkaAPI.isFlexible(apiKey: .saslHandshake, version: 1))
        #expect(!KafkaAPI.isFlexible(apiKey: KafkaAPIKey(1234), version: 50))
        #expect(KafkaAPI.requestHeaderVersion(apiKey: .apiVersions, version: 3) == 2)
        #expect(KafkaAPI.responseHeaderVersion(apiKey: .apiVersions, version: 3) == 0)
        #expect(KafkaAPI.responseHeaderVersion(apiKey: .produce, version: 9) == 1)
        #expect(KafkaAPI.requestHeaderVersion(apiKey: .fetch, version: 11) == 1)
        #expect(KafkaAPIKey.offsetCommit.name == "OffsetCommit")
    }

    @Test func truncatedHeaders() {
        #expect(throws: KafkaWireError.truncated(field: "RequestHeader.CorrelationId")) {
            try KafkaRequestHeader(frame: buffer(hex: "00080008000000"))
        }
        #expect(throws: KafkaWireError.self) {
            try KafkaRequestHeader(frame: buffer(hex: "00080008000000010005616263"))  // client id says 5, has 3
        }
        #expect(throws: KafkaWireError.truncated(field: "ResponseHeader.CorrelationId")) {
            try KafkaResponseHeader.correlationID(of: buffer(hex: "0000"))
        }
        // Flexible response header without its tagged-field byte.
        #expect(throws: KafkaWireError.self) {
            try KafkaResponseHeader(frame: buffer(hex: "00000001"), apiKey: .offsetCommit, apiVersion: 8)
        }
    }
}
