import Foundation
import Testing
@testable import CommitCheck

/// Every shipped history gets the verdicts its manifest expects, from both engines.
///
/// A row's file column names one trace, or several joined with `+` (`a.jsonl+b.jsonl`: a client's
/// build events and the proxy's trace of the same run), which are verified together as one history.
/// An optional eighth column `slow` marks a history that `--engine z3` takes minutes over (Sarama's
/// 8-partition trial: 400 commits in one chain, which Z3 gets whole when every read is handed to it
/// unpruned): every run checks it with `--engine auto` (well under a second), and with `--engine z3`
/// too only under `COMMITCHECK_SLOW_HISTORIES=1`.
@Suite struct HistoryManifestTests {
    struct Expectation: CustomTestStringConvertible, Sendable {
        var file: String, key: PartitionKey, property: Property, verdict: Verdict, slow = false
        var testDescription: String { "\(file) \(key) \(property.rawValue): \(verdict.rawValue)" }
        /// The trace files of the row, relative to histories/.
        var files: [String] { file.split(separator: "+").map(String.init) }
        /// The files' paths, to verify together.
        var paths: [String] { files.map { Fixtures.histories.appendingPathComponent($0).path } }
    }

    /// The rows of one file column: the history is verified once per engine for all of them.
    struct History: CustomTestStringConvertible, Sendable {
        var file: String, expectations: [Expectation]
        var testDescription: String { "\(file) (\(expectations.count) keys)" }
    }

    /// Wall-time budget per verification: a key not decided by then is `unknown`, which fails its row instead of hanging.
    static let perKeyTimeout = 120.0

    static let expectations: [Expectation] = (try? Fixtures.manifest(Fixtures.histories.appendingPathComponent("MANIFEST.tsv")))?.map {
        Expectation(file: $0[0], key: PartitionKey(group: $0[1], partition: TopicPartition(topic: $0[2], partition: Int($0[3])!)),
                    property: Property(rawValue: $0[4])!, verdict: Verdict(rawValue: $0[5])!, slow: $0.count > 7 && $0[7] == "slow")
    } ?? []

    static let runsSlowHistories = ProcessInfo.processInfo.environment["COMMITCHECK_SLOW_HISTORIES"] == "1"

    static let histories: [History] = {
        var order: [String] = [], rows: [String: [Expectation]] = [:]
        for expectation in expectations {
            if rows[expectation.file] == nil { order.append(expectation.file) }
            rows[expectation.file, default: []].append(expectation)
        }
        return order.map { History(file: $0, expectations: rows[$0]!) }
    }()

    @Test func manifestIsNotEmpty() {
        #expect(Self.expectations.count >= 20)
    }

    @Test(arguments: histories)
    func verdictsMatch(_ history: History) throws {
        try check(history, engines: history.expectations[0].slow ? [.auto] : Engine.allCases)
    }

    @Test(.enabled(if: runsSlowHistories, "slow histories run under --engine z3 with COMMITCHECK_SLOW_HISTORIES=1"),
          arguments: histories.filter { $0.expectations[0].slow })
    func slowVerdictsMatch(_ history: History) throws {
        try check(history, engines: [.z3])
    }

    func check(_ history: History, engines: [Engine]) throws {
        let paths = history.expectations[0].paths
        for engine in engines {
            let report = try Verifier(options: VerifyOptions(engine: engine, timeout: Self.perKeyTimeout)).verify(paths: paths)
            for expectation in history.expectations {
                let result = report.keys.first { $0.group == expectation.key.group && $0.topic == expectation.key.partition.topic
                    && $0.partition == expectation.key.partition.partition && $0.property == expectation.property }
                #expect(result?.verdict == expectation.verdict, "\(expectation.testDescription), engine \(engine.rawValue)")
                if expectation.verdict == .violated || expectation.verdict == .possible {
                    #expect(result?.counterexample != nil, "\(expectation.testDescription)")
                }
            }
        }
    }

    @Test func everyHistoryFileIsInTheManifest() throws {
        var files: Set<String> = []
        for folder in ["", "recorded", "simulated"] {
            let url = folder.isEmpty ? Fixtures.histories : Fixtures.histories.appendingPathComponent(folder)
            for name in try FileManager.default.contentsOfDirectory(atPath: url.path) where name.hasSuffix(".jsonl") {
                files.insert(folder.isEmpty ? name : "\(folder)/\(name)")
            }
        }
        let listed = Set(Self.expectations.flatMap(\.files))
        #expect(files.subtracting(listed).isEmpty, "not in MANIFEST.tsv: \(files.subtracting(listed).sorted())")
        #expect(listed.subtracting(files).isEmpty, "in MANIFEST.tsv but missing: \(listed.subtracting(files).sorted())")
    }

    /// A client joined to the proxy's trace records only builds: the proxy records every send and
    /// ack, so a joined row whose client file had them would give commits two sends.
    @Test func joinedClientFilesHoldOnlyBuilds() throws {
        let joined = Set(Self.expectations.filter { $0.files.count > 1 }.map(\.files))
        #expect(!joined.isEmpty)
        for files in joined {
            let client = try String(contentsOf: Fixtures.histories.appendingPathComponent(files[0]), encoding: .utf8)
            let events = Set(client.split(separator: "\n").compactMap { line in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["ev"] as? String
            })
            #expect(events.isSubset(of: ["meta", "build"]), "\(files[0]): \(events.sorted())")
        }
    }

    /// The joined check names the same bad keys as the proxy trace alone (the 20 runs).
    @Test func joinedRowsAgreeWithTheProxyAlone() {
        for history in Self.histories where history.expectations[0].files.count > 1 {
            let proxy = history.expectations[0].files.last!
            for expectation in history.expectations {
                let alone = Self.expectations.first { $0.file == proxy && $0.key == expectation.key && $0.property == expectation.property }
                #expect(alone?.verdict == expectation.verdict, "\(expectation.testDescription) vs \(proxy) alone")
            }
        }
    }

    @Test func seedStoryShowsTwelveThenEleven() throws {
        let report = try Verifier().verify(paths: [Fixtures.histories.appendingPathComponent("sarama-2940-seed.jsonl").path])
        let p0 = try #require(report.keys.first { $0.partition == 0 })
        let example = try #require(p0.counterexample)
        #expect(example.fromOffset == 12 && example.toOffset == 11)
        #expect(example.earlierCommit == "g0-2" && example.laterCommit == "g1")
        // The first {P0:11} commit of G0 is not part of the story.
        #expect(!example.narrative.contains { $0.contains("g0-1") })
        #expect(example.lines.contains(8) && example.lines.contains(9))
    }
}
