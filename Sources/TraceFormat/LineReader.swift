#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file line by line in large blocks, handing out each line's bytes without copying.
///
/// Handles what real recorders leave behind: a UTF-8 byte-order mark, CRLF line ends, and a last
/// line with no line end (a recorder that crashed mid-write), which is reported as such.
package struct LineReader {
    /// Why a file could not be read.
    package struct Failure: Error, CustomStringConvertible {
        package var path: String
        package var reason: String
        package var description: String { "\(path): \(reason)" }
    }

    package let path: String
    /// The size of a regular file (0 for pipes), for reserving memory up front.
    package let fileSize: Int
    private let descriptor: Int32
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var eof = false
    package private(set) var lineNumber = 0
    private var atFileStart = true

    /// Lines longer than this are reported instead of read, so one bad line cannot exhaust memory.
    package static let maximumLineLength = 64 << 20

    package init(path: String, blockSize: Int = 1 << 20) throws(Failure) {
        self.path = path
        let fd = path == "-" ? 0 : open(path, O_RDONLY)
        guard fd >= 0 else {
            throw Failure(path: path, reason: String(cString: strerror(errno)))
        }
        var info = stat()
        if fstat(fd, &info) != 0 { info = stat() }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw Failure(path: path, reason: "is a directory")
        }
        descriptor = fd
        fileSize = (info.st_mode & S_IFMT) == S_IFREG ? Int(info.st_size) : 0
        buffer = [UInt8](repeating: 0, count: blockSize)
    }

    package func closeFile() { if descriptor != 0 { close(descriptor) } }

    /// A line handed to `body`: its bytes, whether it ended with a line end, its number.
    package struct Line {
        package var bytes: UnsafeBufferPointer<UInt8>
        package var terminated: Bool
        package var number: Int
    }

    package enum LineError: Error { case tooLong(line: Int), read(String) }

    /// Calls `body` for each line until the file ends or `body` returns false.
    package mutating func forEachLine(_ body: (Line) -> Bool) -> LineError? {
        while true {
            // Find the next line end in the buffered bytes.
            var newline = -1
            let found: Int? = buffer.withUnsafeBufferPointer { all -> Int? in
                guard let base = all.baseAddress, end > start else { return nil }
                guard let pointer = memchr(base + start, 0x0A, end - start) else { return nil }
                return UnsafePointer(pointer.assumingMemoryBound(to: UInt8.self)) - base
            }
            if let found { newline = found }
            if newline < 0 {
                if eof {
                    if end > start {
                        lineNumber += 1
                        let keepGoing = deliver(from: start, to: end, terminated: false, body)
                        start = end
                        if !keepGoing { return nil }
                    }
                    return nil
                }
                // Need more bytes: compact, grow if a single line fills the buffer, read.
                if start > 0 {
                    let count = end - start
                    buffer.withUnsafeMutableBufferPointer { all in
                        _ = memmove(all.baseAddress!, all.baseAddress! + start, count)
                    }
                    start = 0
                    end = count
                }
                if end == buffer.count {
                    if buffer.count >= Self.maximumLineLength { return .tooLong(line: lineNumber + 1) }
                    buffer.append(contentsOf: repeatElement(0, count: buffer.count))
                }
                let readCount = buffer.withUnsafeMutableBufferPointer { all in
                    read(descriptor, all.baseAddress! + end, all.count - end)
                }
                if readCount < 0 {
                    if errno == EINTR { continue }
                    return .read(String(cString: strerror(errno)))
                }
                if readCount == 0 { eof = true } else { end += readCount }
                continue
            }
            lineNumber += 1
            let lineStart = start
            start = newline + 1
            if !deliver(from: lineStart, to: newline, terminated: true, body) { return nil }
        }
    }

    private mutating func deliver(from: Int, to: Int, terminated: Bool, _ body: (Line) -> Bool) -> Bool {
        var first = from
        var last = to
        if atFileStart {
            atFileStart = false
            if last - first >= 3 && buffer[first] == 0xEF && buffer[first + 1] == 0xBB && buffer[first + 2] == 0xBF {
                first += 3
            }
        }
        if last > first && buffer[last - 1] == 0x0D { last -= 1 }
        let number = lineNumber
        return buffer.withUnsafeBufferPointer { all -> Bool in
            body(Line(bytes: UnsafeBufferPointer(rebasing: all[first..<last]), terminated: terminated, number: number))
        }
    }
}
