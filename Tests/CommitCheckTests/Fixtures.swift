import CommitCheckTestSupport
import Foundation
import Testing
@testable import CommitCheck

/// Paths of the package and the built `commitcheck`, for the checker's tests.
///
/// The paths and the process runner are `CommitCheckTestSupport`'s; these names stay because many
/// tests of this target use them.
enum Fixtures {
    static let packageRoot: URL = PackagePaths.root
    static let histories = PackagePaths.histories

    /// Rows of a tab-separated manifest, without comments.
    static func manifest(_ url: URL) throws -> [[String]] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
            .filter { !$0.hasPrefix("#") && !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            .map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }

    /// The built `commitcheck` executable next to the test bundle.
    static var executable: URL { PackagePaths.commitcheck }

    /// Runs `commitcheck` from the package root to its end (five minutes at most).
    static func run(_ arguments: [String], stdin: Data? = nil) throws -> ProcessResult {
        try ProcessRunner.commitcheck(arguments, input: stdin.map { .data($0) } ?? .none)
    }

    /// Runs `commitcheck`, sends it SIGINT `seconds` after it catches SIGINT, and waits (30 s at
    /// most) for it to stop: exit code, stdout, stderr, and how long it took to stop after the signal.
    static func interrupted(_ arguments: [String], after seconds: Double) throws -> (code: Int32, out: String, err: String, stopSeconds: Double) {
        let child = try ProcessRunner(PackagePaths.commitcheck, arguments)
        defer { child.stop() }
        // A signal sent while the process is still starting would be lost (or kill it) on a loaded machine.
        child.waitUntilCatching(SIGINT)
        Thread.sleep(forTimeInterval: seconds)
        child.signal(SIGINT)
        let signalled = Date()
        let result: ProcessResult
        do {
            result = try child.wait(timeout: 30)
        } catch let timedOut as ProcessRunner.TimedOut {
            Issue.record("still running 30 s after SIGINT")
            result = timedOut.partial
        }
        return (result.status, result.out, result.err, Date().timeIntervalSince(signalled))
    }

    static func history(_ text: String) throws(TraceError) -> History {
        try TraceReader().read(bytes: Array(text.utf8))
    }
}

extension Fixtures {
    /// The Python of the test environment (scripts/python-env installs it once).
    static func python() throws -> String {
        let result = try ProcessRunner.run(packageRoot.appendingPathComponent("scripts/python-env"), [], timeout: 1800)
        guard result.status == 0 else { throw CocoaError(.executableLoad) }
        return result.out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs any program to its end; returns exit code and stdout followed by stderr.
    static func runProgram(_ program: String, _ arguments: [String]) throws -> (code: Int32, output: String) {
        let result = try ProcessRunner.run(program, arguments)
        return (result.status, result.out + result.err)
    }

    static func temporaryDirectory() throws -> URL {
        try PackagePaths.temporaryDirectory()
    }
}
