import Foundation
import Testing
@testable import RegisterHistories
@testable import CommitCheck
import Workloads

/// The search, Z3 and a brute-force enumerator agree; readers follow Knossos' and Porcupine's rules.
@Suite struct RegisterEngineTests {
    /// A random concurrent history of up to 6 operations on values 0...2, some open, some failed cas.
    static func randomHistory(seed: UInt64) -> RegisterHistory {
        var random = SplitMix64(seed: seed)
        var history = RegisterHistory(values: ["nil", "0", "1", "2"], initial: Int.random(in: 0...1, using: &random))
        var time = 0
        for process in 0..<Int.random(in: 1...6, using: &random) {
            time += Int.random(in: 0...2, using: &random)
            let call = time
            let length = Int.random(in: 1...4, using: &random)
            let open = Int.random(in: 0..<5, using: &random) == 0
            let effect: RegisterEffect
            switch Int.random(in: 0..<3, using: &random) {
            case 0: effect = .read(value: open ? nil : Int.random(in: 0...3, using: &random))
            case 1: effect = .write(value: Int.random(in: 1...3, using: &random))
            default:
                let outcome: Bool? = open ? nil : Bool.random(using: &random)
                effect = .cas(expected: Int.random(in: 0...3, using: &random), new: Int.random(in: 1...3, using: &random), succeeded: outcome)
            }
            history.operations.append(RegisterOperation(process: String(process), call: call * 10 + process,
                                                        ret: open ? Int.max : (call + length) * 10 + process + 5,
                                                        effect: effect, callLine: call, returnLine: open ? 0 : call + length))
        }
        return history
    }

    @Test func searchZ3AndBruteForceAgree() throws {
        var outcomes: [Bool: Int] = [:]
        for seed in UInt64(0)..<UInt64(1_500) {
            let history = Self.randomHistory(seed: seed)
            let oracle = RegisterBruteForce(history: history).isLinearizable()
            let search = LinearizabilityChecker(history: history).check()
            let z3 = try RegisterZ3Encoding(history: history, timeoutMilliseconds: 10_000).isLinearizable()
            #expect((search == .linearizable) == oracle, "seed \(seed): search vs brute force")
            #expect(z3 == oracle, "seed \(seed): z3 vs brute force")
            outcomes[oracle, default: 0] += 1
        }
        #expect(outcomes[true, default: 0] > 100 && outcomes[false, default: 0] > 100)
    }

    @Test func z3AgreesOnSmallEtcdHistories() throws {
        var compared = 0
        for (file, linearizable) in EtcdHistoryTests.expected {
            let text = try String(contentsOf: EtcdHistoryTests.directory.appendingPathComponent(file), encoding: .utf8)
            var history = try PorcupineEtcdLog.parse(text)
            // Z3's encoding grows with writers squared: compare on a prefix of the first operations.
            history.operations = Array(history.operations.prefix(24))
            let search = LinearizabilityChecker(history: history).check() == .linearizable
            guard let z3 = try RegisterZ3Encoding(history: history, timeoutMilliseconds: 20_000).isLinearizable() else { continue }
            #expect(z3 == search, "\(file) prefix")
            compared += 1
            _ = linearizable
        }
        #expect(compared > 90)
    }

    @Test func explanationIsOneMinimal() throws {
        for seed in UInt64(0)..<UInt64(300) {
            let history = Self.randomHistory(seed: seed)
            guard case .notLinearizable = LinearizabilityChecker(history: history).check() else { continue }
            let example = RegisterExplainer(history: history).counterexample()
            #expect(example.minimal == true)
            #expect(example.narrative.contains { $0.hasPrefix("cannot place") })
        }
    }

    @Test func shippedRegisterHistoriesGetTheirVerdicts() throws {
        let directory = EtcdHistoryTests.directory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("main/histories/registers")
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let manifest = try String(contentsOf: root.appendingPathComponent("histories/registers/MANIFEST.tsv"), encoding: .utf8)
        _ = directory
        var checked = 0
        for line in manifest.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: "\t").map(String.init)
            let path = root.appendingPathComponent("histories/registers/\(fields[0])").path
            let report = try RegisterHistoryCheck.run(paths: [path], source: HistorySource(rawValue: fields[1])!,
                                                      model: RegisterModel(rawValue: fields[2])!, initial: nil, timeout: 10)
            #expect(report.keys.first?.verdict.rawValue == fields[3], "\(fields[0])")
            #expect(report.keys.first?.property == .linearizable)
            checked += 1
        }
        #expect(checked == 4)
    }

    @Test func ednReader() throws {
        var reader = EDNReader("""
        ; comment
        [{:a 1, :b [1 2.5 -3 "s\\"q"], :c #{:x}} (nil true) #_ 99 #inst "2020" \\c 12345678901234567890N]
        """)
        let values = try reader.readAll()
        #expect(values.count == 1)
        guard case .vector(let items) = values[0] else { Issue.record("not a vector"); return }
        #expect(items.count == 5)
        #expect(items[0][keyword: "a"] == .integer(1))
        #expect(items[0][keyword: "b"] == .vector([.integer(1), .double(2.5), .integer(-3), .string("s\"q")]))
        #expect(items[2] == .tagged("inst", .string("2020")))
        #expect(items[4] == .bigInteger("12345678901234567890N"))
        for bad in ["[1 2", "{:a}", "\"open", "(]", String(repeating: "[", count: 300)] {
            var reader = EDNReader(bad)
            #expect(throws: EDNError.self) { _ = try reader.readAll() }
        }
        var located = EDNReader("[1\n 2\n )")
        do { _ = try located.readAll(); Issue.record("accepted") } catch { #expect(error.line == 3) }
    }

    @Test func knossosSemantics() throws {
        // :fail never happened; :info is open; an :ok read of nil tells nothing.
        let history = try JepsenHistory.parse("""
        [{:process 0 :type :invoke :f :write :value 3} {:process 0 :type :fail :f :write :value 3}
         {:process 1 :type :invoke :f :write :value 4} {:process 1 :type :info :f :write :value 4}
         {:process 2 :type :invoke :f :read :value nil} {:process 2 :type :ok :f :read :value nil}]
        """, model: .register, initial: nil)
        #expect(history.operations.count == 2)
        #expect(history.operations[0].isOpen)
        #expect(history.operations[1].effect == .read(value: nil))
        #expect(throws: EDNError.self) {
            _ = try JepsenHistory.parse("[{:process 0 :type :invoke :f :cas :value [1 2]}]", model: .register, initial: nil)
        }
    }

    @Test func porcupineSemantics() throws {
        let history = try PorcupineEtcdLog.parse("""
        INFO  jepsen.util - 1\t:invoke\t:cas\t[2 4]
        INFO  jepsen.util - 1\t:fail\t:cas\t[2 4]
        INFO  jepsen.util - 2\t:invoke\t:read\tnil
        INFO  jepsen.util - 2\t:ok\t:read\tnil
        INFO  jepsen.util - 3\t:invoke\t:write\t1
        INFO  jepsen.util - 3\t:info\t:write\t:timed-out
        """)
        #expect(history.operations.count == 3)
        guard case .cas(_, _, false?) = history.operations[0].effect else { Issue.record("a failed cas is an observation"); return }
        #expect(history.operations[1].effect == .read(value: 0))  // nil: no value, a real observation
        #expect(history.operations[2].isOpen)
        #expect(throws: EDNError.self) { _ = try PorcupineEtcdLog.parse("INFO  jepsen.util - 1\t:ok\t:read\t3\n") }
    }

    @Test func commandReportsLinearizability() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let executable = [root.appendingPathComponent(".build/debug/commitcheck"), Bundle.main.bundleURL.appendingPathComponent("commitcheck")]
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }!
        func run(_ arguments: [String]) throws -> (Int32, String) {
            let process = Process()
            process.executableURL = executable
            process.arguments = arguments
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: data, as: UTF8.self))
        }
        let etcd = EtcdHistoryTests.directory
        let (bad, badOutput) = try run(["verify", "--from", "porcupine-etcd", "--format", "json", etcd.appendingPathComponent("etcd_000.log").path])
        #expect(bad == 1)
        #expect(badOutput.contains("\"property\" : \"linearizable\"") && badOutput.contains("\"verdict\" : \"violated\""))
        #expect(try run(["verify", "--from", "porcupine-etcd", etcd.appendingPathComponent("etcd_002.log").path]).0 == 0)
        let garbage = FileManager.default.temporaryDirectory.appendingPathComponent("garbage-\(UUID().uuidString).edn")
        try "[{:process 0 :type :invoke".write(to: garbage, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: garbage) }
        let (code, output) = try run(["verify", "--from", "jepsen", garbage.path])
        #expect(code == 2)
        #expect(output.contains(":1:"))
    }
}
