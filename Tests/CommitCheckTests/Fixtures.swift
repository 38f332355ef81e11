import Testing
import Foundation
@testable import CommitCheck

/// Paths of the package, found from this file so tests run from any working directory.
enum Fixtures {
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let histories = packageRoot.appendingPathComponent("histories")

    /// Rows of a tab-separated manifest, without comments.
    static func manifest(_ url: URL) throws -> [[String]] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
            .filter { !$0.hasPrefix("#") && !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            .map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }

    /// The built `commitcheck` executable next to the test bundle.
    static var executable: URL {
        let candidates = [
            Bundle.main.bundleURL.appendingPathComponent("commitcheck"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("commitcheck"),
            packageRoot.appendingPathComponent(".build/debug/commitcheck"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates.last!
    }

    /// Runs the executable; returns exit code, stdout, stderr.
    static func run(_ arguments: [String], stdin: Data? = nil) throws -> (code: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = packageRoot
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    /// Runs the executable, sends it SIGINT after `seconds`, and waits (30 s at most) for it to stop:
    /// exit code, stdout, stderr, and how long it took to stop after the signal.
    static func interrupted(_ arguments: [String], after seconds: Double) throws -> (code: Int32, out: String, err: String, stopSeconds: Double) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Wait until the process catches SIGINT (Linux: bit 2 of SigCgt in /proc/PID/status): a
        // signal sent while it is still starting would be lost (or kill it) on a loaded machine.
        let ready = Date().addingTimeInterval(30)
        while process.isRunning && Date() < ready && !catchesSIGINT(process.processIdentifier) { Thread.sleep(forTimeInterval: 0.02) }
        Thread.sleep(forTimeInterval: seconds)
        kill(process.processIdentifier, SIGINT)
        let signalled = Date()
        let deadline = signalled.addingTimeInterval(30)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { process.terminate(); Issue.record("still running 30 s after SIGINT") }
        let stopped = Date().timeIntervalSince(signalled)
        process.waitUntilExit()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (process.terminationStatus, output, errors, stopped)
    }

    /// Whether a process has a handler for SIGINT installed (Linux's /proc; `true` elsewhere).
    static func catchesSIGINT(_ pid: Int32) -> Bool {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return true }
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigCgt:") }),
              let mask = UInt64(line.dropFirst("SigCgt:".count).trimmingCharacters(in: .whitespaces), radix: 16) else { return true }
        return mask & (1 << (UInt64(SIGINT) - 1)) != 0
    }

    static func history(_ text: String) throws(TraceError) -> History {
        try TraceReader().read(bytes: Array(text.utf8))
    }
}

extension Fixtures {
    /// The Python of the test environment (scripts/python-env installs it once).
    static func python() throws -> String {
        let process = Process()
        process.executableURL = packageRoot.appendingPathComponent("scripts/python-env")
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.executableLoad) }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs any program; returns exit code and combined output.
    static func runProgram(_ program: String, _ arguments: [String]) throws -> (code: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.currentDirectoryURL = packageRoot
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("commitcheck-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }
}
