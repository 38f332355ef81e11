import CommitCheckTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Paths of the package and the programs the recording tests start.
enum Package {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The built `commitcheck` executable next to the test bundle.
    static var commitcheck: String { PackagePaths.commitcheck.path }

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

/// A child process with a deadline, as the recording tests use it: the one runner of
/// CommitCheckTestSupport (`ProcessRunner`), with the status as the result of `wait`.
final class ChildProcess: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    let runner: ProcessRunner

    init(_ executable: String, _ arguments: [String], directory: URL = Package.root) throws {
        runner = try ProcessRunner(executable, arguments, directory: directory)
    }

    var out: String { runner.out }
    var err: String { runner.err }
    var isRunning: Bool { runner.isRunning }
    var pid: Int32 { runner.pid }

    /// Waits until `condition` holds on the standard error read so far, or throws at the deadline.
    func waitForError(timeout: TimeInterval, _ condition: (String) -> Bool) throws {
        try runner.waitForError(timeout: timeout, condition)
    }

    /// Waits for the exit; kills the process and throws when `timeout` passes first.
    @discardableResult
    func wait(timeout: TimeInterval) throws -> Int32 {
        try runner.wait(timeout: timeout).status
    }

    /// The signal that ended the process, once it has ended by one.
    func endingSignal(timeout: TimeInterval) throws -> Int32? {
        try runner.wait(timeout: timeout).signal
    }

    func signal(_ number: Int32) { runner.signal(number) }

    /// Kills the process if it still runs (for `defer`).
    func stop() { runner.stop() }

    /// Runs a program to its end within `timeout`.
    static func run(_ executable: String, _ arguments: [String], timeout: TimeInterval) throws -> (status: Int32, out: String, err: String) {
        let result = try ProcessRunner.run(executable, arguments, timeout: timeout)
        return (result.status, result.out, result.err)
    }
}

/// Strings gathered from several threads.
final class Gathered: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ item: String) { lock.withLock { items.append(item) } }
    var all: [String] { lock.withLock { items } }
}
