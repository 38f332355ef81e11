import Foundation
import Testing
import Workloads
@testable import CommitCheck

/// Random traces that qualify for streaming: one recorder (one `proc`), `ts` on every event and
/// never decreasing, two groups each on its own connection, several threads, commits that race or
/// follow each other, every ack status, per-partition errors, and fetches of one or two partitions.
enum RandomStreamingTrace {
    static func make(seed: UInt64) -> String {
        var rng = SplitMix64(seed: seed)
        var lines = [#"{"ev":"meta","format":"commitcheck/1"\#(Int.random(in: 0..<5, using: &rng) == 0 ? #","initial":{"g1":{"t/0":1}}"# : "")}"#]
        let groups = ["g1", "g2"].prefix(Int.random(in: 1...2, using: &rng))
        let partitions = ["t/0", "t/1"]
        var clock = 0
        var running: [(events: [String], next: Int, thread: String)] = []
        var lastThread = ""
        let commitCount = Int.random(in: 2...6, using: &rng)
        var started = 0
        var fetches = 0
        // Equal timestamps only on one thread (program order): then every two events are ordered.
        func tick(_ thread: String) -> Int {
            clock += thread == lastThread && Int.random(in: 0..<3, using: &rng) == 0 ? 0 : 1
            lastThread = thread
            return clock
        }
        // Start commits now and then; advance a random running one a step at a time.
        while started < commitCount || !running.isEmpty {
            if started < commitCount && (running.isEmpty || Int.random(in: 0..<3, using: &rng) == 0) {
                let group = groups.randomElement(using: &rng)!
                let thread = ["a", "b", "c"].randomElement(using: &rng)!
                let id = "c\(started)"
                started += 1
                var offsets: [String] = []
                for partition in partitions where Bool.random(using: &rng) || offsets.isEmpty {
                    offsets.append("\"\(partition)\":\(Int.random(in: 0...4, using: &rng))")
                }
                let head = #""proc":"x","thread":"\#(thread)""#
                var events = [
                    #"{"ev":"build",\#(head),"ts":TS,"commit":"\#(id)","group":"\#(group)","offsets":{\#(offsets.joined(separator: ","))}}"#,
                    #"{"ev":"send",\#(head),"ts":TS,"commit":"\#(id)","conn":"k-\#(group)"}"#,
                ]
                switch Int.random(in: 0..<10, using: &rng) {
                case 0: events.append(#"{"ev":"ack",\#(head),"ts":TS,"commit":"\#(id)","status":"fail"}"#)
                case 1: events.append(#"{"ev":"ack",\#(head),"ts":TS,"commit":"\#(id)","status":"unknown"}"#)
                case 2: events.append(#"{"ev":"ack",\#(head),"ts":TS,"commit":"\#(id)","status":"ok","errors":{"t/1":"E"}}"#)
                case 3: break
                default: events.append(#"{"ev":"ack",\#(head),"ts":TS,"commit":"\#(id)","status":"ok"}"#)
                }
                running.append((events, 0, thread))
            } else if !running.isEmpty {
                let pick = Int.random(in: 0..<running.count, using: &rng)
                lines.append(running[pick].events[running[pick].next].replacingOccurrences(of: "TS", with: String(tick(running[pick].thread))))
                running[pick].next += 1
                if running[pick].next == running[pick].events.count { running.remove(at: pick) }
            }
            if fetches < 2 && Int.random(in: 0..<8, using: &rng) == 0 {
                let group = groups.randomElement(using: &rng)!
                let read = Bool.random(using: &rng) ? partitions : [partitions.randomElement(using: &rng)!]
                let id = "f\(fetches)"
                fetches += 1
                let head = #""proc":"x","thread":"r""#
                lines.append(#"{"ev":"fetch",\#(head),"ts":\#(tick("r")),"fetch":"\#(id)","group":"\#(group)","partitions":[\#(read.map { "\"\($0)\"" }.joined(separator: ","))]}"#)
                let values = read.map { "\"\($0)\":\(Int.random(in: -1...4, using: &rng))" }
                lines.append(#"{"ev":"fetched",\#(head),"ts":\#(tick("r")),"fetch":"\#(id)","offsets":{\#(values.joined(separator: ","))}}"#)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// The streaming path gives the verdicts and counterexamples of the whole-history path.
@Suite struct StreamingTests {
    /// What must agree between the two paths: every key's verdicts and counterexamples.
    static func comparable(_ report: Report) -> [String] {
        report.keys.map { key in
            let example = key.counterexample
            return "\(key.keyDescription) \(key.property.rawValue) \(key.verdict.rawValue) \(example?.summary ?? "-") \(example?.lines ?? []) \(example?.subTrace ?? "-") \(example?.largestDrop.map(String.init) ?? "-") \(example?.guaranteedDrop.map(String.init) ?? "-")"
        }
    }

    static func temporaryFile(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("streaming-\(UUID().uuidString).jsonl")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    static func options() -> VerifyOptions {
        var options = VerifyOptions()
        options.jobs = 1
        return options
    }

    /// Cuts each generated trace at every possible point (one allowed cut at a time), and at
    /// every exact point at once, and compares each run with the whole history.
    @Test(arguments: Array<UInt64>(0..<4))
    func streamingEqualsWholeHistoryAtEveryCut(batch: UInt64) throws {
        var traces = 0, streamed = 0, cutRuns = 0, windowsClosed = 0, windowFindings = 0
        var seen: Set<String> = []
        for seed in (batch * 60)..<((batch + 1) * 60) {
            let text = RandomStreamingTrace.make(seed: seed)
            let path = try Self.temporaryFile(text)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let whole: Report
            do { whole = try Verifier(options: Self.options()).verify(paths: [path]) } catch { continue }
            traces += 1
            for key in whole.keys { seen.insert("\(key.property.rawValue)-\(key.verdict.rawValue)") }
            let lineCount = text.split(separator: "\n").count
            // nil: every exact point, each window decided alone and then windows of a group merged
            // while they wait in a batch of 7 events; then each single line as the only cut.
            let runs: [(cutLine: Int?, batchEvents: Int)] = [(nil, 1), (nil, 7)] + (2...lineCount + 1).map { ($0, 1) }
            for (cutLine, batchEvents) in runs {
                var streaming = StreamingVerifier(options: Self.options(), mode: .on)
                streaming.minimumWindowEvents = 1
                streaming.batchEvents = batchEvents
                if let cutLine { streaming.cutAllowed = { $0 == cutLine } }
                var findings: [StreamingCheck.Finding] = []
                streaming.finding = { findings.append($0) }
                switch try streaming.stream(path: path) {
                case .ineligible(let reason):
                    Issue.record("seed \(seed): generated trace not streamed: \(reason)\n\(text)")
                    return
                case .report(let report):
                    cutRuns += 1
                    if cutLine == nil && batchEvents == 1 { streamed += 1 }
                    windowsClosed += report.path?.windows ?? 0
                    #expect(report.path?.name == "streaming")
                    #expect(Self.comparable(report) == Self.comparable(whole), "seed \(seed) cut \(cutLine.map(String.init) ?? "everywhere") batch \(batchEvents)\n\(text)")
                    #expect(report.verdict == whole.verdict)
                    #expect(report.warnings == whole.warnings)
                }
                // A window's bad verdict, reported online, must already be true of the whole history.
                for found in findings {
                    windowFindings += 1
                    let final = whole.keys.first { $0.group == found.result.group && $0.topic == found.result.topic && $0.partition == found.result.partition && $0.property == found.result.property }
                    switch found.result.verdict {
                    case .violated: #expect(final?.verdict == .violated, "seed \(seed): window said violated, whole history \(final?.verdict.rawValue ?? "nil")\n\(text)")
                    case .possible: #expect(final?.verdict == .violated || final?.verdict == .possible, "seed \(seed): window said possible\n\(text)")
                    default: break
                    }
                }
            }
        }
        print("streaming batch \(batch): \(traces) traces, \(cutRuns) cut runs compared, \(windowsClosed) windows, \(windowFindings) window findings, outcomes \(seen.sorted())")
        #expect(traces > 40)
        #expect(windowsClosed > cutRuns, "the generator must produce traces with exact cuts")
        for outcome in ["monotonic-holds", "monotonic-violated", "monotonic-possible", "linearizable-holds", "linearizable-violated"] {
            #expect(seen.contains(outcome), "no \(outcome) in batch \(batch)")
        }
    }

    /// Every history of the manifest: streaming (where it qualifies) equals the whole-history path.
    @Test func manifestHistoriesAgree() throws {
        var compared = 0, streamed = 0
        for history in HistoryManifestTests.histories {
            let paths = history.expectations[0].paths
            let whole: Report
            do { whole = try Verifier(options: Self.options()).verify(paths: paths) } catch { continue }
            var streaming = StreamingVerifier(options: Self.options(), mode: .on)
            streaming.minimumWindowEvents = 1
            streaming.batchEvents = 1
            let (report, _) = try streaming.verify(paths: paths)
            compared += 1
            if report.path?.name == "streaming" { streamed += 1 }
            #expect(Self.comparable(report) == Self.comparable(whole), "\(history.file) (\(report.path?.description ?? "no path"))")
            #expect(report.verdict == whole.verdict, "\(history.file)")
        }
        print("manifest: \(compared) histories compared, \(streamed) on the streaming path")
        #expect(compared >= 20)
    }

    /// A regression across a cut: the window after the cut starts from the carried commit's value,
    /// so 10 -> 5 is found even though 10 and 5 are in different windows; a key that only rises
    /// across the cut holds, and the windows' reads of the carried value are explained.
    @Test func regressionAcrossACutIsFound() throws {
        let text = """
        {"ev":"send","proc":"x","thread":"a","ts":1,"commit":"c1","conn":"k","group":"g","offsets":{"t/0":10,"t/1":1}}
        {"ev":"ack","proc":"x","thread":"a","ts":2,"commit":"c1","status":"ok"}
        {"ev":"send","proc":"x","thread":"a","ts":3,"commit":"c2","conn":"k","group":"g","offsets":{"t/0":11,"t/1":2}}
        {"ev":"ack","proc":"x","thread":"a","ts":4,"commit":"c2","status":"ok"}
        {"ev":"fetch","proc":"x","thread":"a","ts":5,"fetch":"f1","group":"g","partitions":["t/0"]}
        {"ev":"fetched","proc":"x","thread":"a","ts":6,"fetch":"f1","offsets":{"t/0":11}}
        {"ev":"send","proc":"x","thread":"a","ts":7,"commit":"c3","conn":"k","group":"g","offsets":{"t/0":5,"t/1":3}}
        {"ev":"ack","proc":"x","thread":"a","ts":8,"commit":"c3","status":"ok"}

        """
        let path = try Self.temporaryFile(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let whole = try Verifier(options: Self.options()).verify(paths: [path])
        var streaming = StreamingVerifier(options: Self.options(), mode: .on)
        streaming.minimumWindowEvents = 1
        streaming.batchEvents = 1
        var findings: [StreamingCheck.Finding] = []
        streaming.finding = { findings.append($0) }
        guard case .report(let report) = try streaming.stream(path: path) else {
            Issue.record("not streamed")
            return
        }
        #expect((report.path?.windows ?? 0) >= 3, "\(report.path?.description ?? "")")
        #expect(report.path?.reverifiedGroups == 1)
        let verdicts = report.keys.map { "\($0.keyDescription) \($0.property.rawValue) \($0.verdict.rawValue)" }
        #expect(verdicts == ["g t/0 monotonic violated", "g t/0 linearizable holds", "g t/1 monotonic holds"])
        #expect(Self.comparable(report) == Self.comparable(whole))
        // The window that holds c3 found the regression from c2's carried value alone.
        #expect(findings.contains { $0.result.partition == 0 && $0.result.verdict == .violated && $0.windowEndLine == 8 })
    }

    /// A trace with several processes falls back, and the report names the whole-history path.
    @Test func severalProcessesTakeTheWholeHistoryPath() throws {
        let text = """
        {"ev":"build","proc":"a","ts":1,"commit":"c1","group":"g","offsets":{"t/0":5}}
        {"ev":"build","proc":"b","ts":2,"commit":"c2","group":"g","offsets":{"t/0":4}}
        """
        let path = try Self.temporaryFile(text + "\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (report, _) = try StreamingVerifier(options: Self.options(), mode: .on).verify(paths: [path])
        #expect(report.path?.name == "whole-history")
        #expect(report.path?.reason?.contains("several processes") == true)
        #expect(try JSONReporter.render(report).contains("\"whole-history\""))
    }

    /// A streaming pass stopped by Ctrl-C says nothing it does not know: no key `holds` (the rest
    /// of the trace was not read), a `violated` key is violated on the whole trace, and every key of
    /// the whole trace that the pass reached is listed (unknown if undecided), none dropped.
    @Test func interruptedStreamClaimsNothingUnread() throws {
        var text = ""
        ProxyFleetTrace(events: 6_000, groups: 20, staleEvery: 40).generate { text += $0 }
        let path = try Self.temporaryFile(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let whole = try Verifier(options: Self.options()).verify(paths: [path])
        #expect(whole.keys.contains { $0.verdict == .violated })
        // Ctrl-C as soon as a window finds a regression: the pass stops at its next check (every
        // 1,024 lines), with that window's violated key known.
        var options = Self.options()
        let cancellation = Cancellation()
        options.cancellation = cancellation
        var streaming = StreamingVerifier(options: options, mode: .on)
        streaming.minimumWindowEvents = 1
        streaming.batchEvents = 64
        var cancelledAt: Int? = nil
        streaming.finding = { found in
            if found.result.verdict == .violated, cancelledAt == nil {
                cancelledAt = found.windowEndLine
                cancellation.cancel()
            }
        }
        guard case .report(let report) = try streaming.stream(path: path) else {
            Issue.record("not streamed")
            return
        }
        let stoppedBy = (cancelledAt ?? 0) + 1_024 + 64
        #expect(report.path?.name == "streaming")
        #expect(cancelledAt != nil && report.statistics?.events ?? 0 < stoppedBy, "read on after the interruption: \(report.statistics?.events ?? 0) events, cancelled at line \(cancelledAt ?? -1)")
        #expect(report.warnings.contains { $0.contains("interrupted at line") }, "\(report.warnings)")
        #expect(!report.keys.contains { $0.verdict == .holds || $0.verdict == .possible })
        let wholeVerdicts = Dictionary(uniqueKeysWithValues: whole.keys.map { ("\($0.keyDescription) \($0.property.rawValue)", $0.verdict) })
        var violated = 0
        for key in report.keys {
            let name = "\(key.keyDescription) \(key.property.rawValue)"
            #expect(wholeVerdicts[name] != nil, "\(name) is not a key of the trace")
            if key.verdict == .violated {
                violated += 1
                #expect(wholeVerdicts[name] == .violated, "\(name): violated before the interruption, \(wholeVerdicts[name]?.rawValue ?? "-") on the whole trace")
            }
        }
        #expect(violated > 0, "the window that found the regression keeps it")
        // Every group the pass reached is listed with all its keys: 20 groups × 4 partitions.
        #expect(Set(report.keys.map { "\($0.keyDescription) \($0.property.rawValue)" }).count == report.keys.count)
        #expect(report.keys.filter { $0.property == .monotonic }.count == 80, "\(report.keys.count) keys")
    }

    /// Ctrl-C bounds a streamed run's wall time: `verify` stops reading, prints what it knows and
    /// does not read the file again.
    @Test func sigintStopsAStreamedRunPromptly() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("streaming-\(UUID().uuidString).jsonl").path
        guard let file = fopen(path, "w") else { throw CocoaError(.fileWriteUnknown) }
        ProxyFleetTrace(events: 400_000, groups: 200).generate { fputs($0, file) }
        fclose(file)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = try Fixtures.interrupted(["verify", "--stream", "on", path], after: 1)
        #expect(run.stopSeconds < 4, "stopped \(run.stopSeconds) s after SIGINT")
        #expect(run.err.contains("interrupted"))
        #expect(run.code == 3 || run.code == 1, "\(run.out.suffix(500))")
        #expect(run.out.contains("unknown") && run.out.contains("path: streaming"), "\(run.out.suffix(500))")
        // Held whole, the same: reading stops at the next batch (exit 3, nothing decided) or
        // deciding stops.
        let whole = try Fixtures.interrupted(["verify", "--stream", "off", path], after: 1)
        #expect(whole.stopSeconds < 4, "stopped \(whole.stopSeconds) s after SIGINT")
        #expect(whole.err.contains("interrupted"), "\(whole.err)")
        #expect(whole.code == 3 || whole.code == 1)
    }

    /// `auto` (the default) holds a small qualifying trace whole, saying so, and `on` streams it;
    /// both give the same verdicts.
    @Test func autoStreamsOnlyLargeTraces() throws {
        let text = RandomStreamingTrace.make(seed: 7)
        let path = try Self.temporaryFile(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (auto, _) = try StreamingVerifier(options: Self.options(), mode: .auto).verify(paths: [path])
        #expect(auto.path?.name == "whole-history")
        #expect(auto.path?.reason?.contains("under 256 MB") == true, "\(auto.path?.description ?? "")")
        let (on, _) = try StreamingVerifier(options: Self.options(), mode: .on).verify(paths: [path])
        #expect(on.path?.name == "streaming")
        #expect(Self.comparable(on) == Self.comparable(auto))
    }
}
