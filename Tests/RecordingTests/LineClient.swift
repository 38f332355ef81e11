import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A blocking TCP client that writes trace lines to a collector and reads its answers.
struct LineClient {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else {
            close(fd)
            throw ChildProcess.Failure("cannot connect to 127.0.0.1:\(port): errno \(errno)")
        }
    }

    func write(_ text: String) throws { try write(bytes: Array(text.utf8)) }

    func write(bytes all: [UInt8]) throws {
        var bytes = all[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw ChildProcess.Failure("write failed: errno \(errno)")
            }
            bytes = bytes.dropFirst(written)
        }
    }

    /// Half-closes and reads every answer until the collector closes.
    func finish() -> String {
        shutdown(fd, Int32(SHUT_WR))
        var answer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(fd, &chunk, chunk.count)
            if count <= 0 { break }
            answer += chunk[0..<count]
        }
        close(fd)
        return String(decoding: answer, as: UTF8.self)
    }
}
