import Foundation
import Testing
@testable import CommitCheck

/// specs/trace-format.md: concatenated traces are one history, and only a counterexample's meta
/// line starts a separate one.
@Suite struct ConcatenatedTraceTests {
    /// Splits a trace into one file per process, each with the original meta line, as a recorder
    /// per process writes them; returns the files and their `cat`.
    static func perProcessFiles(of name: String, in directory: URL) throws -> (files: [String], joined: String) {
        let lines = try String(contentsOf: Fixtures.histories.appendingPathComponent(name), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let meta = lines.first { $0.contains("\"ev\":\"meta\"") } ?? "{\"ev\":\"meta\",\"format\":\"commitcheck/1\"}"
        var byProc: [String: [String]] = [:]
        var order: [String] = []
        for line in lines where !line.contains("\"ev\":\"meta\"") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let proc = try #require(object["proc"] as? String)
            if byProc[proc] == nil { order.append(proc) }
            byProc[proc, default: []].append(line)
        }
        var files: [String] = []
        for proc in order {
            let file = directory.appendingPathComponent("\(proc).jsonl").path
            try (([meta] + byProc[proc]!).joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
            files.append(file)
        }
        let joined = directory.appendingPathComponent("cat.jsonl").path
        let text = try files.map { try String(contentsOfFile: $0, encoding: .utf8) }.joined()
        try text.write(toFile: joined, atomically: true, encoding: .utf8)
        return (files, joined)
    }

    static func verdicts(_ report: Report) -> [String] {
        report.keys.map { "\($0.keyDescription) \($0.property.rawValue) \($0.verdict.rawValue)" }
    }

    @Test(arguments: ["two-procs-wall.jsonl", "two-procs-monotonic.jsonl", "two-procs-wall-large-skew.jsonl", "initial-offset.jsonl",
                      "wire-observed-apply.jsonl", "sarama-2940-seed.jsonl", "two-groups.jsonl"])
    func catOfPerProcessFilesVerifiesLikeTheFiles(_ name: String) throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (files, joined) = try Self.perProcessFiles(of: name, in: directory)
        let separately = try Verifier().verify(paths: files)
        let together = try Verifier().verify(paths: [joined])
        #expect(Self.verdicts(together) == Self.verdicts(separately), "\(name)")
        let original = try Verifier().verify(paths: [Fixtures.histories.appendingPathComponent(name).path])
        #expect(Self.verdicts(together) == Self.verdicts(original), "\(name)")
        // And through the command, exit code included.
        let a = try Fixtures.run(["verify", "--format", "json"] + files)
        let b = try Fixtures.run(["verify", "--format", "json", joined])
        #expect(a.code == b.code)
    }

    @Test func theIssueCaseIsViolatedBothWays() throws {
        // Issue 13: wall clocks 500 ns apart with 100 ns skew order the processes: 12, then 11.
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (files, joined) = try Self.perProcessFiles(of: "two-procs-wall.jsonl", in: directory)
        #expect(files.count == 2)
        #expect(try Fixtures.run(["verify"] + files).code == 1)
        let run = try Fixtures.run(["verify", joined])
        #expect(run.code == 1, "\(run.out)")
        #expect(run.out.contains("billing orders/0  monotonic: violated"))
    }

    @Test func metaLinesMergeTheirInitialOffsets() throws {
        let history = try Fixtures.history("""
        {"ev":"meta","format":"commitcheck/1","initial":{"g":{"t/0":5}}}
        {"ev":"build","proc":"a","commit":"a1","group":"g","offsets":{"t/0":12}}
        {"ev":"meta","format":"commitcheck/1","initial":{"g":{"t/1":7,"t/0":5}}}
        {"ev":"build","proc":"b","commit":"b1","group":"g","offsets":{"t/1":3}}
        {"ev":"send","proc":"b","commit":"b1"}
        {"ev":"ack","proc":"b","commit":"b1","status":"ok"}

        """)
        #expect(history.commits.count == 2)
        #expect(history.meta.initial["g"]?[TopicPartition(topic: "t", partition: 1)] == 7)
        let report = try Verifier().verify(history: history)
        // 3 is below the initial 7 of t/1 (from the second meta line): the acked commit regresses it.
        #expect(report.keys.first { $0.partition == 1 }?.verdict == .violated)
    }

    @Test func onlyCounterexampleMetaLinesStartSeparateHistories() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("two.jsonl")
        try """
        {"ev":"meta","format":"commitcheck/1","counterexample":{"group":"g","topic":"t","partition":0,"verdict":"possible"}}
        {"ev":"build","proc":"a","thread":"x","commit":"a1","group":"g","offsets":{"t/0":12}}
        {"ev":"build","proc":"a","thread":"y","commit":"a2","group":"g","offsets":{"t/0":11}}
        {"ev":"meta","format":"commitcheck/1","counterexample":{"group":"g","topic":"t","partition":0,"verdict":"holds"}}
        {"ev":"build","proc":"a","commit":"a1","group":"g","offsets":{"t/0":12}}

        """.write(to: file, atomically: true, encoding: .utf8)
        let documents = try TraceReader().readDocuments(paths: [file.path])
        #expect(documents.map(\.firstLine) == [1, 4])
        #expect(documents.map { $0.history.meta.counterexample?.verdict } == [.possible, .holds])
        // The same commit id in two sub-histories is no clash: they are separate histories.
        let report = try Verifier().verify(documents: documents, paths: [file.path])
        #expect(report.keys.map(\.verdict) == [.possible, .holds])
        #expect(report.keys.map(\.expected) == [.possible, .holds])
        #expect(report.keys.map(\.subHistoryLine) == [1, 4])
        #expect(report.warnings.isEmpty)
    }

    @Test func recheckingACounterexampleFileReportsEachSubHistorysOwnKey() throws {
        // Issue 17 item 6: re-checking reports the bad keys of the original run, once each, named,
        // with the verdict each sub-history was written for; keys sorted.
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in ["simulated/unsynchronized-4p-seed3.jsonl", "recorded/kafka-python-racy.jsonl"] {
            let cex = directory.appendingPathComponent("cex.jsonl").path
            let original = try Fixtures.run(["verify", "--format", "json", "--counterexample", cex, "histories/\(name)"])
            #expect(original.code == 1)
            let originalReport = try JSONReporter.decode(Array(original.out.utf8))
            let bad = originalReport.keys.filter { $0.verdict == .violated || $0.verdict == .possible }
            #expect(bad.count >= 3)
            let recheck = try Fixtures.run(["verify", "--format", "json", cex])
            let report = try JSONReporter.decode(Array(recheck.out.utf8))
            #expect(report.keys.map { "\($0.keyDescription) \($0.property.rawValue)" } == bad.map { "\($0.keyDescription) \($0.property.rawValue)" }, "\(name)")
            #expect(report.keys.map(\.expected) == bad.map { Optional($0.verdict) }, "\(name)")
            #expect(report.keys.allSatisfy { $0.subHistoryLine != nil })
            let text = try Fixtures.run(["verify", cex])
            for key in bad {
                #expect(text.out.contains("\(key.keyDescription)  \(key.property.rawValue): \(key.verdict.rawValue)")
                        || text.out.contains("\(key.keyDescription) \(key.property.rawValue): \(key.verdict.rawValue)"), "\(text.out)")
                #expect(text.out.contains("expected \(key.verdict.rawValue), got \(key.verdict.rawValue)"))
            }
            #expect(text.out.contains("\(bad.count) key(s)"), "\(text.out)")
        }
    }

    @Test func emptyOffsetsAreBadInputOnBothDecoderPaths() throws {
        for line in [#"{"ev":"build","proc":"p","commit":"c","group":"g","offsets":{}}"#,
                     #"{"ev":"send","proc":"p","commit":"c","group":"g","offsets":{ }}"#] {
            let bytes = Array(line.utf8)
            // The fast path declines (the general path words the error) ...
            let fast = bytes.withUnsafeBufferPointer { FastLineDecoder.decode($0, lineNumber: 3) }
            #expect(fast == nil, "\(line)")
            // ... and the decoder as a whole refuses it, naming the line and the field.
            do {
                _ = try TraceEventDecoder.decode(line: bytes, lineNumber: 3)
                Issue.record("accepted: \(line)")
            } catch {
                #expect(error.line == 3 && error.field == "offsets", "\(error)")
            }
        }
    }
}
