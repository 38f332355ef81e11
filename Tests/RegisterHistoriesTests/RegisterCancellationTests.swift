import CommitCheckTestSupport
import Foundation
import Testing
@testable import RegisterHistories
@testable import CommitCheck
@testable import CommitCheckTool

/// Ctrl-C stops `verify --from` promptly, and the report still lists every history.
@Suite struct RegisterCancellationTests {
    /// `writers` concurrent writes of distinct values and a concurrent read of a value nobody
    /// writes: the search has to try every subset of the writes before it can say no (minutes
    /// for 40 writers).
    static func slowHistory(writers: Int = 40) -> String {
        var ops: [String] = []
        for process in 0...writers {
            let f = process == writers ? ":read :value nil" : ":write :value \(process + 1)"
            ops.append("{:process \(process) :type :invoke :f \(f)}")
        }
        for process in 0...writers {
            let f = process == writers ? ":read :value 999" : ":write :value \(process + 1)"
            ops.append("{:process \(process) :type :ok :f \(f)}")
        }
        return "[" + ops.joined(separator: "\n ") + "]\n"
    }

    static let quickHistory = "[{:process 0 :type :invoke :f :write :value 1} {:process 0 :type :ok :f :write :value 1}]\n"

    @Test func theSearchStopsWhenCancelled() throws {
        let history = try JepsenHistory.parse(Self.slowHistory(), model: .register, initial: nil)
        let cancellation = Cancellation()
        // A thread of its own: the global dispatch queue's two workers may both be running tests.
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: 0.3)
            cancellation.cancel()
        }
        let started = Date()
        #expect(LinearizabilityChecker(history: history, cancellation: cancellation).check() == .interrupted)
        #expect(Date().timeIntervalSince(started) < 1.3)
    }

    @Test func historiesAfterAnInterruptAreListedAsUnknown() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cancelled-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let quick = directory.appendingPathComponent("quick.edn")
        try Self.quickHistory.write(to: quick, atomically: true, encoding: .utf8)
        let cancellation = Cancellation()
        cancellation.cancel()
        let report = try RegisterHistoryCheck.run(paths: [quick.path, quick.path], source: .jepsen, model: .register, initial: nil,
                                                  timeout: nil, cancellation: cancellation)
        #expect(report.keys.map(\.verdict) == [.unknown, .unknown])
        #expect(report.keys.allSatisfy { $0.reason?.contains("interrupted") == true })
        #expect(ExitStatus(report) == .unknown)
    }

    /// A slow history between two quick ones; SIGINT after a second: the run ends within about a
    /// second with exit 3, the first history decided, the other two listed as unknown.
    @Test func sigintStopsVerifyFrom() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sigint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let quick = directory.appendingPathComponent("quick.edn"), slow = directory.appendingPathComponent("slow.edn")
        let later = directory.appendingPathComponent("later.edn")
        try Self.quickHistory.write(to: quick, atomically: true, encoding: .utf8)
        try Self.quickHistory.write(to: later, atomically: true, encoding: .utf8)
        try Self.slowHistory().write(to: slow, atomically: true, encoding: .utf8)
        let child = try ProcessRunner(PackagePaths.commitcheck,
                                      ["verify", "--from", "jepsen", "--model", "register", "--format", "json", quick.path, slow.path, later.path])
        defer { child.stop() }
        // A signal sent while the process is still starting would be lost (or kill it) on a loaded machine.
        child.waitUntilCatching(SIGINT)
        Thread.sleep(forTimeInterval: 1.5)
        #expect(child.isRunning, "the slow history was decided before the interrupt: make it slower")
        let interrupted = Date()
        child.signal(SIGINT)
        let result = try child.wait(timeout: 20)
        let stopped = Date().timeIntervalSince(interrupted)
        #expect(stopped < 1.5, "took \(stopped) s to stop after SIGINT")
        let output = result.out, errors = result.err
        #expect(result.status == 3, "\(result)")
        #expect(errors.contains("interrupted"))
        let report = try JSONDecoder().decode(Report.self, from: Data(output.utf8))
        #expect(report.keys.map(\.register) == [quick.path, slow.path, later.path])
        #expect(report.keys.map(\.verdict) == [.holds, .unknown, .unknown])
        #expect(report.keys[1].reason?.contains("interrupted") == true)
    }
}
