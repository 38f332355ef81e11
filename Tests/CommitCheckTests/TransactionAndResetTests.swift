import CommitCheckTestSupport
import Foundation
import Testing
@testable import CommitCheck

/// Rules 8 and 9 of specs/system-model.md on hand-made histories, each with the verdict the rule
/// gives and a reason it is that one; both engines must give it (the enumerator agrees on random
/// ones in DifferentialTests).
@Suite struct TransactionAndResetTests {
    static func verdicts(_ text: String, resetClients: [String] = []) throws -> [Engine: [String: Verdict]] {
        var result: [Engine: [String: Verdict]] = [:]
        for engine in Engine.allCases {
            var options = VerifyOptions(engine: engine)
            options.minimize = false
            options.resetClients = resetClients
            let report = try Verifier(options: options).verify(history: try Fixtures.history(text))
            result[engine] = Dictionary(uniqueKeysWithValues: report.keys.map { ("\($0.topic ?? "")/\($0.partition ?? -1) \($0.property.rawValue)", $0.verdict) })
        }
        return result
    }

    static let meta = #"{"ev":"meta","format":"commitcheck/1"}"#

    static func expect(_ text: String, _ key: String, _ verdict: Verdict, resetClients: [String] = [], _ why: Comment) throws {
        for (engine, found) in try verdicts(text, resetClients: resetClients) {
            #expect(found[key] == verdict, "\(engine.rawValue): \(found) \(key) is \(found[key].map(\.rawValue) ?? "missing"), expected \(verdict.rawValue): \(why)")
        }
    }

    @Test func abortedTransactionHasNoEffect() throws {
        let trace = [Self.meta,
            #"{"ev":"send","proc":"p","ts":1,"commit":"a","group":"g","offsets":{"t/0":10},"conn":"k"}"#,
            #"{"ev":"ack","proc":"p","ts":2,"commit":"a","status":"ok"}"#,
            #"{"ev":"send","proc":"p","ts":3,"commit":"s","group":"g","offsets":{"t/0":2},"txn":"T","conn":"k"}"#,
            #"{"ev":"ack","proc":"p","ts":4,"commit":"s","status":"ok"}"#,
            #"{"ev":"end","proc":"p","ts":5,"txn":"T","result":"abort"}"#,
        ].joined(separator: "\n")
        try Self.expect(trace, "t/0 monotonic", .holds, "T aborted: its 2 never becomes the committed value")
        // The same staging with no end: T may commit, and then 2 follows 10.
        try Self.expect(trace.replacingOccurrences(of: #""result":"abort""#, with: #""result":"commit""#) + "\n"
                        + #"{"ev":"ended","proc":"p","ts":6,"txn":"T","status":"ok"}"#,
                        "t/0 monotonic", .violated, "T committed: 2 becomes visible after 10 was applied")
        try Self.expect(trace.components(separatedBy: "\n").dropLast().joined(separator: "\n"), "t/0 monotonic", .possible,
                        "no end: T may commit (10 -> 2) or abort")
    }

    /// Kafka keeps the staged offset only if its record was appended after the committed one's.
    @Test func plainCommitAppendedAfterTheStagingWins() throws {
        let trace = [Self.meta,
            #"{"ev":"send","proc":"p","thread":"tx","ts":1,"commit":"s","group":"g","offsets":{"t/0":5},"txn":"T"}"#,
            #"{"ev":"ack","proc":"p","thread":"tx","ts":2,"commit":"s","status":"ok"}"#,
            #"{"ev":"send","proc":"p","thread":"auto","ts":3,"commit":"plain","group":"g","offsets":{"t/0":7}}"#,
            #"{"ev":"ack","proc":"p","thread":"auto","ts":4,"commit":"plain","status":"ok"}"#,
            #"{"ev":"end","proc":"p","thread":"tx","ts":5,"txn":"T","result":"commit"}"#,
            #"{"ev":"ended","proc":"p","thread":"tx","ts":6,"txn":"T","status":"ok"}"#,
            #"{"ev":"fetch","proc":"p","thread":"r","ts":8,"fetch":"f","group":"g","partitions":["t/0"]}"#,
            #"{"ev":"completed","proc":"p","thread":"tx","ts":7,"txn":"T"}"#,
            #"{"ev":"fetched","proc":"p","thread":"r","ts":9,"fetch":"f","offsets":{"t/0":7}}"#,
        ].joined(separator: "\n")
        try Self.expect(trace, "t/0 monotonic", .holds, "T's 5 was appended before 7: when T commits, 7 stays")
        try Self.expect(trace, "t/0 linearizable", .holds, "after T completed the register still holds 7")
        try Self.expect(trace.replacingOccurrences(of: #""fetch":"f","offsets":{"t/0":7}}"#, with: #""fetch":"f","offsets":{"t/0":5}}"#),
                        "t/0 linearizable", .violated, "reading T's 5 after it completed means the older record won")
    }

    /// The EndTxn answer does not bound the commit point; `completed` does.
    @Test func endedDoesNotBoundVisibilityButCompletedDoes() throws {
        func trace(completedBeforeRead: Bool) -> String {
            var lines = [Self.meta,
                #"{"ev":"send","proc":"p","ts":1,"commit":"a","group":"g","offsets":{"t/0":3}}"#,
                #"{"ev":"ack","proc":"p","ts":2,"commit":"a","status":"ok"}"#,
                #"{"ev":"send","proc":"p","ts":3,"commit":"s","group":"g","offsets":{"t/0":10},"txn":"T"}"#,
                #"{"ev":"ack","proc":"p","ts":4,"commit":"s","status":"ok"}"#,
                #"{"ev":"end","proc":"p","ts":5,"txn":"T","result":"commit"}"#,
                #"{"ev":"ended","proc":"p","ts":6,"txn":"T","status":"ok"}"#]
            if completedBeforeRead { lines.append(#"{"ev":"completed","proc":"p","ts":7,"txn":"T"}"#) }
            lines += [#"{"ev":"fetch","proc":"p","ts":8,"fetch":"f","group":"g","partitions":["t/0"]}"#,
                      #"{"ev":"fetched","proc":"p","ts":9,"fetch":"f","offsets":{"t/0":3}}"#]
            return lines.joined(separator: "\n")
        }
        try Self.expect(trace(completedBeforeRead: false), "t/0 linearizable", .holds, "the markers may still be on their way: 3 is still readable")
        try Self.expect(trace(completedBeforeRead: true), "t/0 linearizable", .violated, "after completed, 10 is visible: reading 3 is stale")
    }

    /// A reset that races with ordinary commits: a decrease between two ordinary commits with no
    /// reset in between is still possible.
    @Test func resetRacingWithCommitsIsJudgedExactly() throws {
        let trace = [Self.meta,
            #"{"ev":"send","proc":"p","thread":"a","ts":1,"commit":"c1","group":"g","offsets":{"t/0":10}}"#,
            #"{"ev":"ack","proc":"p","thread":"a","ts":2,"commit":"c1","status":"ok"}"#,
            #"{"ev":"send","proc":"p","thread":"a","commit":"c2","group":"g","offsets":{"t/0":8},"client":"consumer-1"}"#,
            #"{"ev":"send","proc":"p","thread":"b","commit":"r","group":"g","offsets":{"t/0":2},"reset":true,"client":"admin-1"}"#,
        ].joined(separator: "\n")
        try Self.expect(trace, "t/0 monotonic", .possible, "10 -> 8 happens when c2 applies before the reset (or with no reset in between)")
        // Only the reset after 10: a new epoch, nothing to report.
        let alone = trace.components(separatedBy: "\n").filter { !$0.contains(#""c2""#) }.joined(separator: "\n")
        try Self.expect(alone, "t/0 monotonic", .holds, "10 -> 2 steps into a reset")
        try Self.expect(alone.replacingOccurrences(of: #","reset":true"#, with: ""), "t/0 monotonic", .possible, "unmarked, the rewind may apply: 10 -> 2")
        try Self.expect(alone.replacingOccurrences(of: #","reset":true"#, with: ""), "t/0 monotonic", .holds, resetClients: ["admin-*"],
                        "--reset-clients marks the admin's commit")
        // -1: the reset deletes the committed offset.
        try Self.expect(alone.replacingOccurrences(of: #""t/0":2},"reset""#, with: #""t/0":-1},"reset""#), "t/0 monotonic", .holds, "a reset to -1 is a new epoch too")
    }

    @Test func minusOneNeedsAReset() throws {
        let bad = [Self.meta, #"{"ev":"send","proc":"p","commit":"c","group":"g","offsets":{"t/0":-1}}"#].joined(separator: "\n")
        #expect(throws: TraceError.self) { _ = try Fixtures.history(bad) }
        let answered = [Self.meta, #"{"ev":"ended","proc":"p","txn":"T","status":"ok"}"#].joined(separator: "\n")
        do {
            _ = try Fixtures.history(answered)
            Issue.record("an ended with no end was accepted")
        } catch {
            #expect(error.line == 2 && error.message.contains("no unanswered end"), "\(error)")
        }
    }

    /// The stories speak of transactions: where a staged offset became visible, and why.
    @Test func storyTellsTheTransaction() throws {
        let trace = [Self.meta,
            #"{"ev":"send","proc":"p","ts":1,"commit":"a","group":"g","offsets":{"t/0":10}}"#,
            #"{"ev":"ack","proc":"p","ts":2,"commit":"a","status":"ok"}"#,
            #"{"ev":"send","proc":"p","ts":3,"commit":"s","group":"g","offsets":{"t/0":2},"txn":"T"}"#,
            #"{"ev":"ack","proc":"p","ts":4,"commit":"s","status":"ok"}"#,
            #"{"ev":"end","proc":"p","ts":5,"txn":"T","result":"commit"}"#,
            #"{"ev":"ended","proc":"p","ts":6,"txn":"T","status":"ok"}"#,
        ].joined(separator: "\n")
        let report = try Verifier(options: VerifyOptions()).verify(history: try Fixtures.history(trace))
        let story = report.keys.first { $0.property == .monotonic }?.counterexample?.narrative.joined(separator: "\n") ?? ""
        #expect(story.contains("coordinator stages commit s in transaction T"), "\(story)")
        #expect(story.contains("transaction T commits at the coordinator"), "\(story)")
        #expect(story.contains("T committed at the coordinator after line 6 (its EndTxn)"), "\(story)")
    }
}

/// The recorded exactly-once run with a read edited to show the aborted transaction's offset.
@Suite struct AbortedReadStoryTests {
    @Test func theStoryNamesTheAbortedTransaction() throws {
        let path = PackagePaths.root.appendingPathComponent("histories/recorded/confluent-kafka-2.16-eos-aborted-read.jsonl").path
        for engine in Engine.allCases {
            let report = try Verifier(options: VerifyOptions(engine: engine)).verify(paths: [path])
            let read = report.keys.first { $0.property == .linearizable }
            #expect(read?.verdict == .violated, "\(engine.rawValue)")
            let story = read?.counterexample?.narrative.joined(separator: "\n") ?? ""
            #expect(story.contains("in transaction eos-eos3@1.0#2, which aborted"), "\(engine.rawValue): \(story)")
        }
    }
}
