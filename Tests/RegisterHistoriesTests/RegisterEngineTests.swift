import CommitCheckTestSupport
import Foundation
import Testing
@testable import RegisterHistories
@testable import CommitCheck
import Workloads

/// The search, Z3 and a brute-force enumerator agree; readers follow Knossos' and Porcupine's rules.
@Suite struct RegisterEngineTests {
    /// A random concurrent history of up to 6 operations on values 0...2, some open, some failed cas.
    /// With `optional`, about one operation in four may also have no effect at all.
    static func randomHistory(seed: UInt64, optional: Bool = false, maximumOperations: Int = 6) -> RegisterHistory {
        var random = SplitMix64(seed: seed)
        var history = RegisterHistory(values: ["nil", "0", "1", "2"], initial: Int.random(in: 0...1, using: &random))
        var time = 0
        for process in 0..<Int.random(in: 1...maximumOperations, using: &random) {
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
            if optional && Int.random(in: 0..<4, using: &random) == 0 { history.operations[history.operations.count - 1].optional = true }
        }
        return history
    }

    /// The explanation's promise, checked directly: the kept operations cannot be linearized alone,
    /// nor with every other operation forgotten; forgetting any one of them lets the rest be.
    static func expectOneMinimal(_ kept: [Int], explainer: RegisterExplainer, name: String) {
        let history = explainer.history
        if case .notLinearizable = LinearizabilityChecker(history: history.keeping(kept)).check() {} else {
            Issue.record("\(name): the kept operations alone are linearizable")
        }
        if case .notLinearizable = LinearizabilityChecker(history: explainer.forgettingAllBut(kept)).check() {} else {
            Issue.record("\(name): with the other operations forgotten, the kept ones are linearizable")
        }
        for index in kept.indices {
            var fewer = kept
            fewer.remove(at: index)
            #expect(LinearizabilityChecker(history: explainer.forgettingAllBut(fewer)).check() == .linearizable,
                    "\(name): still not linearizable with operation \(kept[index]) forgotten: not 1-minimal")
        }
    }

    @Test func searchZ3AndBruteForceAgree() throws {
        var outcomes: [Bool: Int] = [:]
        for seed in UInt64(0)..<UInt64(1_500) {
            // Half of them with optional operations, as explanations make them.
            let history = Self.randomHistory(seed: seed, optional: seed % 2 == 1)
            let oracle = RegisterBruteForce(history: history).isLinearizable()
            let search = LinearizabilityChecker(history: history).check()
            let z3 = try RegisterZ3Encoding(history: history, timeoutMilliseconds: 10_000).isLinearizable()
            #expect((search == .linearizable) == oracle, "seed \(seed): search vs brute force")
            #expect(z3 == oracle, "seed \(seed): z3 vs brute force")
            outcomes[oracle, default: 0] += 1
        }
        #expect(outcomes[true, default: 0] > 100 && outcomes[false, default: 0] > 100)
    }

    @Test(.enabled(if: PeerData.available, PeerData.skipReason))
    func z3AgreesOnSmallEtcdHistories() throws {
        var compared = 0
        for (file, linearizable) in PeerData.expected {
            let text = try String(contentsOf: PeerData.etcdDirectory.appendingPathComponent(file), encoding: .utf8)
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

    /// On small generated histories (up to 8 operations), every explanation keeps its promise.
    @Test func explanationIsOneMinimal() throws {
        var explained = 0
        for seed in UInt64(0)..<UInt64(600) {
            let history = Self.randomHistory(seed: seed, maximumOperations: 8)
            guard case .notLinearizable = LinearizabilityChecker(history: history).check() else { continue }
            let explainer = RegisterExplainer(history: history)
            let subset = explainer.minimalSubset()
            #expect(subset.minimal, "seed \(seed)")
            Self.expectOneMinimal(subset.operations, explainer: explainer, name: "seed \(seed)")
            let example = explainer.counterexample(explaining: subset)
            #expect(example.minimal == true)
            #expect(example.narrative.contains { $0.hasPrefix("cannot place") })
            explained += 1
        }
        #expect(explained > 100)
    }

    /// Delta debugging on its own: the smallest failing set, and no claim when a check cannot decide.
    @Test func shrinkFindsTheOneMinimalSubset() {
        let (kept, minimal) = RegisterExplainer.shrink(Array(0..<40)) { $0.contains(3) && $0.contains(31) }
        #expect(kept == [3, 31] && minimal)
        // 0..<4 fails only with both 1 and 2; a check that cannot decide about 0 leaves it in, unclaimed.
        let undecided = RegisterExplainer.shrink([0, 1, 2, 3]) { subset -> Bool? in
            if !subset.contains(0) { return nil }
            return subset.contains(1) && subset.contains(2)
        }
        #expect(undecided.kept == [0, 1, 2] && !undecided.minimal)
    }

    /// The stale read that every explanation used to cut down to a read of a value nobody wrote.
    @Test func staleReadIsExplainedByTheWriteThatOverwroteIt() throws {
        let history = try JepsenHistory.parse("""
        [{:process 0 :type :invoke :f :write :value 1} {:process 0 :type :ok :f :write :value 1}
         {:process 0 :type :invoke :f :write :value 2} {:process 0 :type :ok :f :write :value 2}
         {:process 1 :type :invoke :f :read :value nil} {:process 1 :type :ok :f :read :value 1}
         {:process 2 :type :invoke :f :write :value 1} {:process 2 :type :ok :f :write :value 1}]
        """, model: .register, initial: nil)
        let explainer = RegisterExplainer(history: history)
        let subset = explainer.minimalSubset()
        // write(2) completed before the read began; the read saw 1; no write of 1 was in flight.
        #expect(subset.operations == [1, 2] && subset.minimal)
        Self.expectOneMinimal(subset.operations, explainer: explainer, name: "stale read")
    }

    @Test func shippedRegisterHistoriesGetTheirVerdicts() throws {
        let root = PackagePaths.root
        let manifest = try String(contentsOf: root.appendingPathComponent("histories/registers/MANIFEST.tsv"), encoding: .utf8)
        var checked = 0, rows = 0
        for line in manifest.split(separator: "\n") where !line.hasPrefix("#") {
            rows += 1
            let fields = line.split(separator: "\t").map(String.init)
            let path = root.appendingPathComponent("histories/registers/\(fields[0])").path
            let report = try RegisterHistoryCheck.run(paths: [path], source: HistorySource(rawValue: fields[1])!,
                                                      model: RegisterModel(rawValue: fields[2])!, initial: nil, timeout: 10)
            #expect(report.keys.first?.verdict.rawValue == fields[3], "\(fields[0])")
            #expect(report.keys.first?.property == .linearizable)
            checked += 1
        }
        #expect(checked == rows && rows >= 5)
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

    @Test(.enabled(if: PeerData.available, PeerData.skipReason))
    func commandReportsLinearizabilityOfEtcdLogs() throws {
        let etcd = PeerData.etcdDirectory
        let (bad, badOutput) = try Self.run(["verify", "--from", "porcupine-etcd", "--format", "json", etcd.appendingPathComponent("etcd_000.log").path])
        #expect(bad == 1)
        #expect(badOutput.contains("\"property\" : \"linearizable\"") && badOutput.contains("\"verdict\" : \"violated\""))
        #expect(try Self.run(["verify", "--from", "porcupine-etcd", etcd.appendingPathComponent("etcd_002.log").path]).0 == 0)
    }

    @Test func commandRefusesAnUnreadableHistory() throws {
        let garbage = FileManager.default.temporaryDirectory.appendingPathComponent("garbage-\(UUID().uuidString).edn")
        try "[{:process 0 :type :invoke".write(to: garbage, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: garbage) }
        let (code, output) = try Self.run(["verify", "--from", "jepsen", garbage.path])
        #expect(code == 2)
        #expect(output.contains(":1:"))
    }

    /// Runs `commitcheck` to the end (five minutes at most): exit status and stdout followed by stderr.
    static func run(_ arguments: [String]) throws -> (Int32, String) {
        let result = try ProcessRunner.commitcheck(arguments)
        return (result.status, result.out + result.err)
    }
}
