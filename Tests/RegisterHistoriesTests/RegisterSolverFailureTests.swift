import CommitCheckTestSupport
import Foundation
import Testing
@testable import RegisterHistories
@testable import CommitCheck

/// A Z3 failure on a register history is reported as a failure, never as a timeout's `unknown`.
@Suite struct RegisterSolverFailureTests {
    struct Broken: Error, CustomStringConvertible {
        var description: String { "Z3 error 4: invalid argument" }
    }

    /// A solver that fails the way Z3 does when handed something it cannot take.
    static func failing(_ history: RegisterHistory, milliseconds: UInt32?, cancellation: Cancellation?) throws -> Bool? {
        throw Broken()
    }

    /// A solver that runs out of its budget.
    static func undecided(_ history: RegisterHistory, milliseconds: UInt32?, cancellation: Cancellation?) throws -> Bool? {
        nil
    }

    @Test func aFailingSolverStopsTheRunWithItsMessage() throws {
        // The search gives up on the slow history within a millisecond, so the solver is asked.
        let directory = try PackagePaths.temporaryDirectory("solver-failure")
        defer { try? FileManager.default.removeItem(at: directory) }
        let slow = directory.appendingPathComponent("slow.edn")
        try RegisterCancellationTests.slowHistory().write(to: slow, atomically: true, encoding: .utf8)
        do {
            let report = try RegisterHistoryCheck.run(paths: [slow.path], source: .jepsen, model: .register, initial: nil, timeout: 0.001,
                                                      minimizeTimeout: 1, cancellation: nil, solver: Self.failing)
            Issue.record("a Z3 failure was reported as \(report.keys.map(\.verdict)): \(report.keys.map { $0.reason ?? "" })")
        } catch let failure as RegisterHistoryCheck.SolverFailure {
            #expect(failure.path == slow.path)
            #expect(failure.description == "\(slow.path): Z3 failed: Z3 error 4: invalid argument")
        }
        // A solver that only runs out of time still gives `unknown`: the two stay apart.
        let report = try RegisterHistoryCheck.run(paths: [slow.path], source: .jepsen, model: .register, initial: nil, timeout: 0.001,
                                                  minimizeTimeout: 1, cancellation: nil, solver: Self.undecided)
        #expect(report.keys.map(\.verdict) == [.unknown])
        #expect(report.keys[0].reason == "neither the search nor Z3 decided within --timeout")
    }
}
