import CommitCheckTestSupport
import Foundation
import Testing
@testable import RegisterHistories
@testable import CommitCheck
@testable import CommitCheckTool

/// Readers of other tools' formats refuse what they cannot read, naming the line, and compare EDN
/// values as values (specs/trace-format.md, "Other tools' histories": an unreadable history never passes as `holds`).
@Suite struct RegisterReaderTests {
    /// The line an `EDNError` names, or nil when the text was accepted.
    func errorLine(_ body: () throws -> RegisterHistory) -> Int? {
        do { _ = try body(); return nil } catch let error as EDNError { return error.line } catch { return -1 }
    }

    @Test func porcupineRefusesLinesItCannotRead() {
        #expect(errorLine { try PorcupineEtcdLog.parse("root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/:/bin/sh\n") } == 1)
        #expect(errorLine { try PorcupineEtcdLog.parse("") } == 1)
        #expect(errorLine { try PorcupineEtcdLog.parse("\n\n") } == 1)
        // A foreign line after good ones is named by its own number.
        let good = "INFO  jepsen.util - 1\t:invoke\t:write\t1\nINFO  jepsen.util - 1\t:ok\t:write\t1\n"
        #expect(errorLine { try PorcupineEtcdLog.parse(good + "\nnot a log line\n") } == 4)
        // Other loggers' lines and blank lines are read (and skipped); only-other-loggers is no history.
        #expect(errorLine { try PorcupineEtcdLog.parse("INFO  jepsen.core - Running test\n\n" + good) } == nil)
        #expect(errorLine { try PorcupineEtcdLog.parse("INFO  jepsen.core - Running test\n") } == 1)
    }

    @Test func jepsenRefusesHistoriesWithNoOperation() {
        #expect(errorLine { try JepsenHistory.parse("", model: .casRegister, initial: nil) } == 1)
        #expect(errorLine { try JepsenHistory.parse("[]", model: .casRegister, initial: nil) } == 1)
        #expect(errorLine { try JepsenHistory.parse("; only a comment\n", model: .casRegister, initial: nil) } == 1)
        // Only the nemesis: nothing about the register.
        #expect(errorLine {
            try JepsenHistory.parse("[{:process :nemesis :type :info :f :start}\n {:process :nemesis :type :info :f :stop}]",
                                    model: .casRegister, initial: nil)
        } == 1)
    }

    @Test func jepsenNamesTheLineOfABadOperation() {
        let vector = """
        [{:process 0 :type :invoke :f :write :value 1}
         {:process 0 :type :ok :f :write :value 1}
         {:process 1 :type :ok :f :read :value 1}]
        """
        #expect(errorLine { try JepsenHistory.parse(vector, model: .casRegister, initial: nil) } == 3)
        // One operation per line, as Jepsen writes history.edn.
        let lines = """
        {:process 0 :type :invoke :f :write :value 1}
        {:process 0 :type :ok :f :write :value 1}

        {:process 0 :type :invoke :f :increment :value 1}
        """
        #expect(errorLine { try JepsenHistory.parse(lines, model: .casRegister, initial: nil) } == 4)
        #expect(errorLine { try JepsenHistory.parse("[{:process 0 :type :invoke :f :read}\n :oops]", model: .casRegister, initial: nil) } == 2)
        #expect(errorLine { try JepsenHistory.parse("[{:process 0 :type :invoke :f :read}\n {:process 0 :type :invoke :f :read}]",
                                                    model: .casRegister, initial: nil) } == 2)
        #expect(errorLine { try JepsenHistory.parse("{:process 0 :type :invoke :f :read}", model: .casRegister, initial: nil) } == nil)
    }

    @Test func ednValuesCompareAsValues() throws {
        let spellings = ["{:a 1 :b 2}", "{:a 1, :b 2}", "{:b 2 :a 1}", "{:a 1N, :b 2}"]
        let canonical = Set(try spellings.map { try JepsenHistory.initialValue($0).canonical.description })
        #expect(canonical.count == 1)
        #expect(try JepsenHistory.initialValue("#{1 2 3}").canonical == JepsenHistory.initialValue("#{3, 1 2}").canonical)
        #expect(try JepsenHistory.initialValue("(1 [2 3])").canonical == JepsenHistory.initialValue("[1 (2 3)]").canonical)
        // Different values stay different.
        #expect(try JepsenHistory.initialValue("{:a 1}").canonical != JepsenHistory.initialValue("{:a 1.0}").canonical)
        // Two strings, or one string holding quotes: they used to print alike.
        #expect(try JepsenHistory.initialValue(#"["x" "y"]"#).canonical.description != JepsenHistory.initialValue(#"["x\" \"y"]"#).canonical.description)
        // Repeated keys or members have no one value.
        for bad in ["{:a 1 :a 2}", "#{1 1}", "", "1 2"] {
            #expect(throws: EDNError.self) { _ = try JepsenHistory.initialValue(bad) }
        }
    }

    /// The two spellings of `--initial` that used to give different verdicts, and values inside the
    /// history written in different orders.
    @Test func initialAndHistoryValuesAreComparedAsEDN() throws {
        let history = """
        [{:process 0 :type :invoke :f :read :value nil}
         {:process 0 :type :ok :f :read :value {:b 2, :a 1}}
         {:process 1 :type :invoke :f :write :value #{:x :y}}
         {:process 1 :type :ok :f :write :value #{:x :y}}
         {:process 0 :type :invoke :f :cas :value [#{:y :x} {:a 1 :b 2}]}
         {:process 0 :type :ok :f :cas :value [#{:y, :x} {:a 1 :b 2}]}
         {:process 0 :type :invoke :f :read :value nil}
         {:process 0 :type :ok :f :read :value {:b 2 :a 1}}]
        """
        for initial in ["{:a 1 :b 2}", "{:a 1, :b 2}", "{:b 2, :a 1}"] {
            let parsed = try JepsenHistory.parse(history, model: .casRegister, initial: initial)
            #expect(LinearizabilityChecker(history: parsed).check() == .linearizable, "--initial \(initial)")
        }
        let other = try JepsenHistory.parse(history, model: .casRegister, initial: "{:a 1 :b 3}")
        #expect(LinearizabilityChecker(history: other).check() != .linearizable)
    }

    @Test func commandComparesInitialValuesAsEDN() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("initial-\(UUID().uuidString).edn")
        try "[{:process 0 :type :invoke :f :read :value nil} {:process 0 :type :ok :f :read :value {:a 1, :b 2}}]"
            .write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let spaced = try RegisterEngineTests.run(["verify", "--from", "jepsen", "--initial", "{:a 1 :b 2}", file.path])
        let commas = try RegisterEngineTests.run(["verify", "--from", "jepsen", "--initial", "{:a 1, :b 2}", file.path])
        #expect(spaced.0 == 0 && commas.0 == 0, "\(spaced.1)\(commas.1)")
        // Refused while validating the options: in-process.
        let bad = CommandLineOutcome(CommitCheckCommand.self, ["verify", "--from", "jepsen", "--initial", "{:a 1", file.path])
        #expect(bad.exitCode == 2 && bad.message.contains("--initial '{:a 1' is not one EDN value"), "\(bad)")
        let misplaced = CommandLineOutcome(CommitCheckCommand.self, ["verify", "--from", "porcupine-etcd", "--initial", "1", file.path])
        #expect(misplaced.exitCode == 2 && misplaced.message.contains("--initial applies to --from jepsen only"), "\(misplaced)")
    }

    @Test func commandRefusesHistoriesWithNothingInThem() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("unreadable-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let empty = directory.appendingPathComponent("empty.edn")
        try "".write(to: empty, atomically: true, encoding: .utf8)
        let passwd = directory.appendingPathComponent("passwd")
        try "root:x:0:0:root:/root:/bin/bash\n".write(to: passwd, atomically: true, encoding: .utf8)
        for (source, file, line) in [("jepsen", empty, 1), ("porcupine-etcd", empty, 1), ("porcupine-etcd", passwd, 1), ("jepsen", passwd, 1)] {
            let (code, output) = try RegisterEngineTests.run(["verify", "--from", source, file.path])
            #expect(code == 2, "\(source) \(file.lastPathComponent): \(output)")
            #expect(output.contains("\(file.path):\(line):"), "\(source) \(file.lastPathComponent): \(output)")
        }
    }

    /// A Knossos history whose every entry is the nemesis' (as Knossos' labelled
    /// `mongodb-v0-ack-rollback` is): nothing about the register, yet a history Knossos calls valid.
    static let nemesisOnlyHistory = """
    [{:type :info, :f :start, :process :nemesis, :value nil, :time 1000}
     {:type :info, :f :start, :process :nemesis, :value [:isolated {"n1" #{"n2" "n3"}}], :time 2000}
     {:type :info, :f :stop, :process :nemesis, :value nil, :time 3000}
     {:type :info, :f :stop, :process :nemesis, :value :network-healed, :time 4000}]
    """

    @Test func allowEmptyReachesRegisterHistories() throws {
        // Issue 30 item 1: --allow-empty lets a history with no client operation pass, as it does for
        // commit traces; without it the refusal names the flag.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nemesis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let nemesis = directory.appendingPathComponent("nemesis-only.edn")
        try Self.nemesisOnlyHistory.write(to: nemesis, atomically: true, encoding: .utf8)
        let refused = try RegisterEngineTests.run(["verify", "--from", "jepsen", nemesis.path])
        #expect(refused.0 == 2, "\(refused.1)")
        #expect(refused.1.contains("\(nemesis.path):1:"), "\(refused.1)")
        #expect(refused.1.contains("no client operation"), "\(refused.1)")
        #expect(refused.1.contains("--allow-empty"), "\(refused.1)")
        let allowed = try RegisterEngineTests.run(["verify", "--from", "jepsen", "--allow-empty", nemesis.path])
        #expect(allowed.0 == 0, "\(allowed.1)")
        #expect(allowed.1.contains("no client operation"), "\(allowed.1)")
        let json = try RegisterEngineTests.run(["verify", "--from", "jepsen", "--allow-empty", "--format", "json", nemesis.path])
        #expect(json.0 == 0 && json.1.contains("\"holds\""), "\(json.1)")
        // A log of other loggers only is Porcupine's "no operation": the flag lets it pass too.
        let quiet = directory.appendingPathComponent("quiet.log")
        try "INFO  jepsen.core - Running test\n".write(to: quiet, atomically: true, encoding: .utf8)
        let porcupine = try RegisterEngineTests.run(["verify", "--from", "porcupine-etcd", quiet.path])
        #expect(porcupine.0 == 2 && porcupine.1.contains("--allow-empty"), "\(porcupine.1)")
        #expect(try RegisterEngineTests.run(["verify", "--from", "porcupine-etcd", "--allow-empty", quiet.path]).0 == 0)
        // The flag accepts nothing to check, never something unreadable.
        let passwd = directory.appendingPathComponent("passwd")
        try "root:x:0:0:root:/root:/bin/bash\n".write(to: passwd, atomically: true, encoding: .utf8)
        for source in ["jepsen", "porcupine-etcd"] {
            let unreadable = try RegisterEngineTests.run(["verify", "--from", source, "--allow-empty", passwd.path])
            #expect(unreadable.0 == 2, "\(source): \(unreadable.1)")
            #expect(!unreadable.1.contains("--allow-empty"), "\(source): \(unreadable.1)")
        }
        // One client operation is something to check: the flag changes nothing there.
        let one = directory.appendingPathComponent("one.edn")
        try "[{:process :nemesis :type :info :f :start}\n {:process 0 :type :invoke :f :write :value 1}\n {:process 0 :type :ok :f :write :value 1}]"
            .write(to: one, atomically: true, encoding: .utf8)
        let checked = try RegisterEngineTests.run(["verify", "--from", "jepsen", "--allow-empty", one.path])
        #expect(checked.0 == 0 && !checked.1.contains("no client operation"), "\(checked.1)")
    }

    @Test func registerMinimisationTurnedOffSaysSo() throws {
        // Issue 30 item 5, for register histories: --minimize-timeout 0 is no budget that ran out.
        let path = PackagePaths.histories.appendingPathComponent("registers/knossos-stale-read.edn").path
        let off = try RegisterEngineTests.run(["verify", "--from", "jepsen", "--minimize-timeout", "0", path])
        #expect(off.0 == 1, "\(off.1)")
        #expect(off.1.contains("(not minimal: minimisation was turned off, --minimize-timeout 0)"), "\(off.1)")
        #expect(!off.1.contains("budget ran out"), "\(off.1)")
        let json = try RegisterEngineTests.run(["verify", "--from", "jepsen", "--minimize-timeout", "0", "--format", "json", path])
        #expect(json.1.contains("\"minimizationOff\" : true"), "\(json.1)")
        let on = try RegisterEngineTests.run(["verify", "--from", "jepsen", path])
        #expect(on.0 == 1 && !on.1.contains("turned off") && !on.1.contains("not minimal"), "\(on.1)")
    }
}
