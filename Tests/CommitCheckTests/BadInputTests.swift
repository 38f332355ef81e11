import Foundation
import Testing
@testable import CommitCheck

/// Bad input is an error naming its line, and exit code 2 from the command.
@Suite struct BadInputTests {
    static let cases: [[String]] = (try? Fixtures.manifest(Fixtures.histories.appendingPathComponent("bad/MANIFEST.tsv"))) ?? []

    @Test func everyCaseIsListed() { #expect(Self.cases.count >= 17) }

    @Test(arguments: cases)
    func readerNamesTheLine(_ row: [String]) throws {
        let path = Fixtures.histories.appendingPathComponent("bad/\(row[0])").path
        do {
            _ = try Verifier().verify(paths: [path])
            Issue.record("\(row[0]) was accepted")
        } catch {
            #expect(error.line == Int(row[1]), "\(error)")
            #expect(error.description.contains(row[2]), "\(error)")
            #expect(error.description.hasPrefix(path + ":" + row[1]))
        }
    }

    @Test(arguments: cases)
    func commandExitsTwo(_ row: [String]) throws {
        let result = try Fixtures.run(["verify", "histories/bad/\(row[0])"])
        #expect(result.code == 2)
        #expect(result.err.contains(":\(row[1])"), "\(result.err)")
    }

    @Test func lenientSkipsUnknownEvents() throws {
        let history = try TraceReader(lenient: true).read(bytes: Array("""
        {"ev":"meta","format":"commitcheck/1"}
        {"ev":"rebalance","proc":"p"}
        {"ev":"build","proc":"p","commit":"c","group":"g","offsets":{"t/0":1}}

        """.utf8))
        #expect(history.commits.count == 1)
        #expect(history.warnings.count == 1)
    }

    @Test func cutOffLastLineIsAWarningAndTheRestIsChecked() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cc-cutoff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let seed = try String(contentsOf: Fixtures.histories.appendingPathComponent("sarama-2940-seed.jsonl"), encoding: .utf8)
        let file = directory.appendingPathComponent("cut.jsonl")
        try (seed + "{\"ev\":\"send\",\"proc\":\"consumer-1\",\"comm").write(to: file, atomically: true, encoding: .utf8)
        let report = try Verifier().verify(paths: [file.path])
        #expect(report.warnings.contains { $0.contains(":11: last line is cut off") })
        #expect(report.keys.first { $0.partition == 0 }?.verdict == .violated)
        let result = try Fixtures.run(["verify", file.path])
        #expect(result.code == 1)
        #expect(result.err.contains("cut off"))
    }

    @Test func aCutOffLineThatIsNotLastIsAnError() throws {
        #expect(throws: TraceError.self) {
            _ = try Fixtures.history("{\"ev\":\"meta\",\"format\":\"commitcheck/1\"}\n{\"ev\":\"bu\n{\"ev\":\"meta\"}\n")
        }
    }

    @Test func hostileJSON() throws {
        let bad: [(String, String)] = [
            (#"{"ev":"build","proc":"p","commit":"c","group":"g","offsets":{"t/0":99999999999999999999}}"#, "does not fit in 64 bits"),
            (#"{"ev":"build","ev":"send","proc":"p","commit":"c"}"#, "duplicate member 'ev'"),
            (String(repeating: "[", count: 100) + String(repeating: "]", count: 100), "nesting deeper"),
            ("{\"ev\":\"build\",\"proc\":\"p\u{0}\"}", "NUL byte"),
            (#"{"ev":"build","proc":"p","commit":"c","group":"g","offsets":{"t/0":1.5}}"#, "expected an integer"),
            (#"{"ev":"build","proc":"p","commit":"c","group":"g","offsets":{"t/-1":1}}"#, "is not 'topic/partition'"),
            (#"{"ev":"build","proc":"p","commit":"c","group":"g","offsets":{"t/0":-3}}"#, "negative"),
        ]
        for (line, fragment) in bad {
            do {
                _ = try Fixtures.history(line + "\n")
                Issue.record("accepted: \(line.prefix(60))")
            } catch {
                #expect(error.line == 1)
                #expect(error.description.contains(fragment), "\(error)")
            }
        }
        var invalidUTF8 = Array(#"{"ev":"build","proc":"p"#.utf8)
        invalidUTF8 += [0xC3, 0x28] + Array(#""}"#.utf8) + [0x0A]
        #expect(throws: TraceError.self) { _ = try TraceReader().read(bytes: invalidUTF8) }
    }

    @Test func byteOrderMarkAndCRLFAreAccepted() throws {
        let text = "\u{FEFF}{\"ev\":\"meta\",\"format\":\"commitcheck/1\"}\r\n{\"ev\":\"build\",\"proc\":\"p\",\"commit\":\"c\",\"group\":\"g\",\"offsets\":{\"my/topic/0\":1}}\r\n"
        let history = try Fixtures.history(text)
        #expect(history.commits.first?.offsets.first?.0 == TopicPartition(topic: "my/topic", partition: 0))
    }
}

/// Several files are one history, whatever order their events come in.
@Suite struct MergedTraceTests {
    @Test func buildInALaterFileThanItsAck() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let acks = directory.appendingPathComponent("broker-side.jsonl")
        let builds = directory.appendingPathComponent("client.jsonl")
        try """
        {"ev":"apply","proc":"broker","commit":"c2"}
        {"ev":"apply","proc":"broker","commit":"c1"}

        """.write(to: acks, atomically: true, encoding: .utf8)
        try """
        {"ev":"build","proc":"client","thread":"a","commit":"c1","group":"g","offsets":{"t/0":11}}
        {"ev":"build","proc":"client","thread":"b","commit":"c2","group":"g","offsets":{"t/0":12}}

        """.write(to: builds, atomically: true, encoding: .utf8)
        for order in [[acks.path, builds.path], [builds.path, acks.path]] {
            let report = try Verifier().verify(paths: order)
            // The broker applied 12, then 11.
            #expect(report.keys.first?.verdict == .violated, "\(order)")
        }
    }
}
