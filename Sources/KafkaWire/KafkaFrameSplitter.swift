import NIOCore

/// Splits one direction of a Kafka TCP stream into frames.
///
/// On the wire every request and response is an int32 big-endian size followed by that
/// many bytes. Feed the splitter every `ByteBuffer` read from the connection, in order;
/// it returns the complete frames (the bytes *after* the size prefix, i.e. header + body)
/// and keeps any partial frame for the next call, whatever the chunk boundaries.
///
/// It is bounded: a declared size that is negative or larger than `maxFrameSize` makes
/// the stream undecodable from then on (`failure` is set, later input is dropped without
/// being buffered, `feed` returns no more frames). A proxy should keep forwarding bytes
/// unchanged and simply stop decoding that direction. Frames completed before the bad
/// size prefix are still returned.
///
/// Returned frames are slices that may share storage with the fed buffers; nothing is
/// copied in the common case where a chunk holds whole frames.
public struct KafkaFrameSplitter: Sendable {
    /// The default limit: 100 MiB.
    public static let defaultMaxFrameSize = 100 * 1024 * 1024

    /// The largest accepted frame size (bytes after the size prefix).
    public let maxFrameSize: Int
    /// Why the stream became undecodable, or nil while it is fine.
    public private(set) var failure: KafkaWireError?
    private var pending: ByteBuffer?

    public init(maxFrameSize: Int = KafkaFrameSplitter.defaultMaxFrameSize) {
        self.maxFrameSize = max(0, maxFrameSize)
    }

    /// True once a bad size prefix was seen; no more frames will be produced.
    public var isUndecodable: Bool { failure != nil }

    /// Bytes held back as an incomplete frame (including its size prefix, if read).
    public var bufferedByteCount: Int { pending?.readableBytes ?? 0 }

    /// Appends `chunk` to the stream and returns every frame it completes, in order.
    public mutating func feed(_ chunk: ByteBuffer) -> [ByteBuffer] {
        guard failure == nil else { return [] }
        var buffer: ByteBuffer
        if var p = pending {
            pending = nil  // keep `p` uniquely referenced so appending does not copy
            p.writeImmutableBuffer(chunk)
            buffer = p
        } else {
            buffer = chunk
        }
        var frames: [ByteBuffer] = []
        while let size = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: Int32.self) {
            if size < 0 {
                failure = .negativeFrameSize(size)
                return frames
            }
            if Int(size) > maxFrameSize {
                failure = .frameTooLarge(size: size, limit: maxFrameSize)
                return frames
            }
            guard buffer.readableBytes - 4 >= Int(size) else { break }
            buffer.moveReaderIndex(forwardBy: 4)
            // Cannot fail: the length was checked just above.
            guard let frame = buffer.readSlice(length: Int(size)) else { break }
            frames.append(frame)
        }
        if buffer.readableBytes > 0 {
            if frames.isEmpty {
                // Keep accumulating in place (amortised appends, no copy of the prefix).
                pending = buffer
            } else {
                // The leftover lies within this chunk; copy it so the storage of the
                // returned frames is not kept alive (or copied on write) by the partial one.
                var copy = ByteBufferAllocator().buffer(capacity: buffer.readableBytes)
                copy.writeImmutableBuffer(buffer)
                pending = copy
            }
        }
        return frames
    }
}
