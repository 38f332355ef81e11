import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Paths of the package and the programs the recording tests start.
enum Package {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The built `commitcheck` executable next to the test bundle.
    static var commitcheck: String {
        let candidates = [
            Bundle.main.bundleURL.appendingPathComponent("commitcheck"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("commitcheck"),
            root.appendingPathComponent(".build/debug/commitcheck"),
        ]
        return (candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates.last!).path
    }

    /// The Python of the end-to-end environment (scripts/python-env creates it once).
    static func python() throws -> String {
        let result = try ChildProcess.run(root.appendingPathComponent("scripts/python-env").path, [], timeout: 600)
        guard result.status == 0 else { throw ChildProcess.Failure("scripts/python-env failed: \(result.err)") }
        return result.out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A file name in a fresh temporary folder.
    static func temporaryFile(_ name: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("commitcheck-recording-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder.appendingPathComponent(name).path
    }

    /// A TCP port on loopback that was free a moment ago.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw ChildProcess.Failure("no free port: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A child process with a deadline: tests never wait forever on one.
final class ChildProcess: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    let process = Process()
    private let outPipe = Pipe(), errPipe = Pipe()
    private let lock = NSLock()
    private var outData = Data(), errData = Data()

    init(_ executable: String, _ arguments: [String], directory: URL = Package.root) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardOutput = outPipe
        process.standardError = errPipe
        outPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            self?.lock.withLock { self?.outData.append(data) }
        }
        errPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            self?.lock.withLock { self?.errData.append(data) }
        }
        try process.run()
    }

    var out: String { lock.withLock { String(decoding: outData, as: UTF8.self) } }
    var err: String { lock.withLock { String(decoding: errData, as: UTF8.self) } }

    /// Waits until `condition` holds on the standard error read so far, or throws at the deadline.
    func waitForError(timeout: TimeInterval, _ condition: (String) -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition(err) {
            if !process.isRunning || Date() > deadline {
                throw Failure("\(process.executableURL!.lastPathComponent) did not get ready: \(err)")
            }
            usleep(20_000)
        }
    }

    /// Waits for the exit; kills the process and throws when `timeout` passes first.
    @discardableResult
    func wait(timeout: TimeInterval) throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline {
                process.terminate()
                usleep(200_000)
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                throw Failure("\(process.executableURL!.lastPathComponent) \(process.arguments ?? []) ran past \(timeout) s; stderr: \(err)")
            }
            usleep(10_000)
        }
        // Let the readability handlers take the last bytes.
        usleep(50_000)
        outPipe.fileHandleForReading.readabilityHandler = nil
        errPipe.fileHandleForReading.readabilityHandler = nil
        let restOut = outPipe.fileHandleForReading.readDataToEndOfFile()
        let restErr = errPipe.fileHandleForReading.readDataToEndOfFile()
        lock.withLock { outData.append(restOut); errData.append(restErr) }
        return process.terminationStatus
    }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Kills the process if it still runs (for `defer`).
    func stop() {
        if process.isRunning {
            process.terminate()
            _ = try? wait(timeout: 5)
        }
    }

    /// Runs a program to its end within `timeout`.
    static func run(_ executable: String, _ arguments: [String], timeout: TimeInterval) throws -> (status: Int32, out: String, err: String) {
        let child = try ChildProcess(executable, arguments)
        let status = try child.wait(timeout: timeout)
        return (status, child.out, child.err)
    }
}

/// Strings gathered from several threads.
final class Gathered: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ item: String) { lock.withLock { items.append(item) } }
    var all: [String] { lock.withLock { items } }
}
