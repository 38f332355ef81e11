import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `verify` on the streaming path: one pass over a trace with ``StreamingCheck``, holding only the
/// open windows, then the whole-history verification of just the groups with a key that is not
/// `holds` (their counterexamples then are exactly the whole-history ones, specs/scaling.md).
///
/// A trace that does not qualify (see ``StreamingCheck``) runs on the whole-history path, and the
/// report's ``Report/path`` says which path ran and why.
package struct StreamingVerifier {
    package var options: VerifyOptions
    /// `--stream`: `off` always takes the whole-history path.
    package var mode: StreamMode
    /// Tests: restrict where cuts may be made (by the line of the first event after the cut).
    package var cutAllowed: (@Sendable (Int) -> Bool)? = nil
    /// Events a group's window must gain before it is cut (1 cuts at every exact point).
    package var minimumWindowEvents = 64
    /// Closed windows are decided together once they hold this many events (1: each cut is
    /// decided on its own, as tests want; large: one verification amortised over many windows).
    package var batchEvents = 32_768
    /// Told with each window finding as it is decided (a progress line, online reporting).
    package var finding: ((StreamingCheck.Finding) -> Void)? = nil

    package init(options: VerifyOptions, mode: StreamMode = .auto) {
        self.options = options
        self.mode = mode
    }

    /// The file size from which `--stream auto` streams: held whole, such a trace takes over a
    /// gigabyte (about five times its size), while streaming holds about a hundred megabytes at any
    /// size and decides about two thirds as many events per second (specs/scaling.md).
    package static let autoThresholdBytes = 256 << 20

    /// What stands in the way of streaming before the trace is read, or nil.
    package func optionsBlockStreaming(paths: [String]) -> String? {
        if mode == .off { return "--stream off" }
        if paths.count != 1 { return "several trace files (streaming reads one)" }
        if paths[0] == "-" { return "standard input cannot be read twice" }
        if mode == .auto, let size = Self.fileSize(paths[0]), size < Self.autoThresholdBytes {
            return "under \(Self.autoThresholdBytes >> 20) MB, the whole history is faster (--stream on streams it)"
        }
        if options.explain { return "--explain" }
        if options.shard != nil { return "--shard" }
        if options.timeout != nil { return "--timeout bounds the whole run" }
        return nil
    }

    /// A regular file's size in bytes (nil for anything else, which then is not judged by size).
    static func fileSize(_ path: String) -> Int? {
        var status = stat()
        guard stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int(status.st_size)
    }

    /// Verifies the files on the streaming path when they qualify, else on the whole-history path.
    package func verify(paths: [String]) throws(TraceError) -> (report: Report, documents: [TraceReader.Document]?) {
        if let blocked = optionsBlockStreaming(paths: paths) {
            return try wholeHistory(paths: paths, reason: blocked)
        }
        switch try stream(path: paths[0]) {
        case .report(let report): return (report, nil)
        case .ineligible(let reason): return try wholeHistory(paths: paths, reason: reason)
        }
    }

    func wholeHistory(paths: [String], reason: String) throws(TraceError) -> (report: Report, documents: [TraceReader.Document]?) {
        let started = DispatchTime.now().uptimeNanoseconds
        var reader = TraceReader(lenient: options.lenient, memoryBudget: options.memoryBudget)
        reader.cancellation = options.cancellation
        let documents = try reader.readDocuments(paths: paths)
        let parseSeconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        var report = try Verifier(options: options).verify(documents: documents, paths: paths)
        report.statistics?.parseSeconds = parseSeconds
        report.path = .wholeHistory(reason)
        return (report, documents)
    }

    /// The streaming pass's result: a report, or why the trace must take the whole-history path.
    package enum Outcome: Sendable {
        case report(Report)
        case ineligible(String)
    }

    /// The streaming pass, then the whole-history verification of the unsettled groups.
    package func stream(path: String) throws(TraceError) -> Outcome {
        let started = DispatchTime.now().uptimeNanoseconds
        var windowOptions = options
        windowOptions.evidence = finding != nil
        windowOptions.minimize = false
        windowOptions.keyDecided = nil
        let check = StreamingCheck(file: path, windowOptions: windowOptions, minimumWindowEvents: minimumWindowEvents, batchEvents: batchEvents)
        check.cutAllowed = cutAllowed
        // Reading and deciding overlap: one core reads while another decides the last batch.
        check.decidesInBackground = options.jobs != 1
        var warnings: [String] = []
        // Ctrl-C (or a caller's cancel) stops the pass between events: the rest of the file is
        // not read, so what remains undecided is `unknown`, and nothing is re-read.
        var interruptedAt: Int? = nil
        var lastLine = 0
        do throws(StreamingCheck.Ineligible) {
            try Self.forEachEvent(path: path, lenient: options.lenient, warnings: &warnings) { event throws(StreamingCheck.Ineligible) in
                if event.line & 1_023 == 0, options.cancellation?.isCancelled == true {
                    interruptedAt = event.line
                    throw StreamingCheck.Ineligible(reason: "interrupted")
                }
                lastLine = event.line
                for found in try check.feed(event) { finding?(found) }
            }
            if interruptedAt == nil {
                for found in try check.finish() { finding?(found) }
            }
        } catch {
            if interruptedAt == nil { return .ineligible(error.reason) }
        }
        if interruptedAt == nil, options.cancellation?.isCancelled == true { interruptedAt = lastLine + 1 }
        if let line = interruptedAt {
            return .report(interruptedReport(check, path: path, line: line, warnings: warnings, started: started))
        }
        if check.commitCount == 0 && check.fetchCount == 0 {
            // Nothing to check: the whole-history path reports it the usual way (--allow-empty).
            return .ineligible("no commit and no fetch")
        }
        let streamedSeconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9

        // Groups with a key some window did not find `holds`: verify them on their own events.
        var keys: [KeyResult] = []
        let unsettled = check.unsettledGroups
        var statistics = check.statistics
        if !unsettled.isEmpty {
            var builder = HistoryBuilder(files: [path])
            var ignored: [String] = []
            var commitGroups: [String: String] = [:], fetchGroups: [String: String] = [:]
            do throws(StreamingCheck.Ineligible) {
                var failure: TraceError? = nil
                if let meta = check.metaEvent { try? builder.add(meta) }
                try Self.forEachEvent(path: path, lenient: options.lenient, warnings: &ignored) { event throws(StreamingCheck.Ineligible) in
                    guard failure == nil else { return }
                    if event.line & 1_023 == 0, options.cancellation?.isCancelled == true {
                        interruptedAt = event.line
                        throw StreamingCheck.Ineligible(reason: "interrupted")
                    }
                    let group: String?
                    switch event.kind {
                    // Only the unsettled groups' ids are remembered: this pass must stay as small as the first.
                    case .build, .send:
                        if let named = event.group, unsettled.contains(named) { commitGroups[event.commit!] = named }
                        group = commitGroups[event.commit!]
                    case .ack, .apply: group = commitGroups[event.commit!]
                    case .fetch:
                        if unsettled.contains(event.group!) { fetchGroups[event.fetch!] = event.group! }
                        group = event.group
                    case .fetched: group = fetchGroups[event.fetch!]
                    case .meta, .end, .ended, .completed: group = nil
                    }
                    guard let group, unsettled.contains(group) else { return }
                    do throws(TraceError) { try builder.add(event) } catch { failure = error }
                }
                if failure != nil { return .ineligible("the re-verified groups do not read on their own") }
            } catch {
                if let line = interruptedAt {
                    return .report(interruptedReport(check, path: path, line: line, warnings: warnings, started: started, wholeTraceRead: true))
                }
                return .ineligible(error.reason)
            }
            let history: History
            do throws(TraceError) { history = try builder.finish() } catch {
                return .ineligible("the re-verified groups do not read on their own")
            }
            let report: Report
            do throws(TraceError) { report = try Verifier(options: options).verify(history: history) } catch {
                return .ineligible("the re-verified groups do not verify on their own")
            }
            keys += report.keys
            if let figures = report.statistics { statistics.addDecisions(of: figures) }
        }
        for (slot, result) in check.latest where !unsettled.contains(slot.key.group) { keys.append(result) }
        keys.sort(by: Self.reportOrder)
        // Only the unsettled groups' keys went through the counted stages above; settled keys were
        // counted per window, so recount the engines over the final list.
        statistics.keysByGraph = 0
        statistics.keysByZ3 = 0
        for key in keys where key.property == .monotonic {
            if key.engine == "z3" { statistics.keysByZ3 += 1 } else { statistics.keysByGraph += 1 }
        }
        statistics.events = check.eventCount
        statistics.parseSeconds = streamedSeconds
        var report = Report(traces: [path], keys: keys, warnings: warnings)
        report.statistics = statistics
        report.path = VerificationPath(name: "streaming", windows: check.windowCount, reverifiedGroups: unsettled.count)
        return .report(report)
    }

    /// The order of a report's keys: by group, topic and partition, `monotonic` first.
    static func reportOrder(_ a: KeyResult, _ b: KeyResult) -> Bool {
        let x = (a.group ?? "", a.topic ?? "", a.partition ?? -1), y = (b.group ?? "", b.topic ?? "", b.partition ?? -1)
        if x != y { return x < y }
        return a.property == .monotonic && b.property != .monotonic
    }

    /// The report of a pass stopped before line `line`: keys a window found `violated` stay so
    /// (more events only take schedules away), and the other keys are `unknown`. The exception is a
    /// stop during the re-verifying pass: the whole trace was read by then, so keys of groups every
    /// window found `holds` keep it. No group is re-verified (that would read the file again).
    func interruptedReport(_ check: StreamingCheck, path: String, line: Int, warnings: [String], started: UInt64,
                           wholeTraceRead: Bool = false) -> Report {
        let stopped = options.cancellation?.reason ?? "interrupted"
        let why = wholeTraceRead
            ? "\(stopped) at line \(line) of \(path), while re-reading the trace for this group's counterexample"
            : "\(stopped) at line \(line) of \(path), before the rest of the trace was read"
        var keys: [KeyResult] = []
        for (_, result) in check.latest {
            var key = result
            if wholeTraceRead && !check.unsettledGroups.contains(key.group ?? "") {
                keys.append(key)
                continue
            }
            if key.verdict != .violated {
                key.verdict = .unknown
                key.reason = why
                key.counterexample = nil
            } else {
                key.reason = "violated in a window before the interruption (\(why)); its counterexample comes from re-verifying the group, which was skipped"
            }
            keys.append(key)
        }
        // Keys only the held events name: no window decided them yet.
        for (key, read) in check.heldKeys {
            for property in read ? [Property.monotonic, .linearizable] : [.monotonic]
            where check.latest[StreamingCheck.KeyPropertySlot(key: key, property: property)] == nil {
                keys.append(KeyResult(group: key.group, topic: key.partition.topic, partition: key.partition.partition,
                                      property: property, verdict: .unknown, reason: why))
            }
        }
        keys.sort(by: Self.reportOrder)
        var statistics = check.statistics
        statistics.events = check.eventCount
        statistics.parseSeconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        var report = Report(traces: [path], keys: keys, warnings: warnings + ["\(stopped) at line \(line) of \(path): keys not found violated or settled are unknown"])
        report.statistics = statistics
        report.path = VerificationPath(name: "streaming", windows: check.windowCount, reverifiedGroups: 0)
        return report
    }

    /// Reads a trace's events in order, decoding batches on all cores (as ``TraceReader`` does),
    /// collecting the same warnings; any line that is bad input makes the trace ineligible (the
    /// whole-history path then reports it exactly as it always does).
    static func forEachEvent(path: String, lenient: Bool, warnings: inout [String],
                             _ body: (consuming TraceEvent) throws(StreamingCheck.Ineligible) -> Void) throws(StreamingCheck.Ineligible) {
        var reader: LineReader
        do { reader = try LineReader(path: path) } catch {
            throw StreamingCheck.Ineligible(reason: "cannot read \(path)")
        }
        defer { reader.closeFile() }
        var pendingCutOff: Int? = nil
        var thrown: StreamingCheck.Ineligible? = nil
        func take(_ results: DecodedSlots, of batch: LineBatch) throws(StreamingCheck.Ineligible) {
            for index in 0..<results.count {
                let number = batch.numbers[index]
                switch results.take(index) {
                case .blank: continue
                case .skipped: warnings.append("\(path):\(number): unknown event skipped (--lenient)")
                case .failed(let error):
                    if !batch.terminated[index] && error.message.hasPrefix("invalid JSON") {
                        pendingCutOff = number
                        continue
                    }
                    throw StreamingCheck.Ineligible(reason: "bad input at line \(number)")
                case .event(let event):
                    try body(event)
                }
            }
        }
        var batch = LineBatch.reserved()
        var inFlight: DecodingBatch? = nil
        let failure = reader.forEachLine { line in
            batch.append(line.bytes, number: line.number, terminated: line.terminated)
            guard batch.isFull else { return true }
            let next = DecodingBatch(batch, lenient: lenient)
            batch = LineBatch.reserved()
            defer { inFlight = next }
            guard let previous = inFlight else { return true }
            do throws(StreamingCheck.Ineligible) { try take(previous.wait(), of: previous.batch) } catch {
                thrown = error
                return false
            }
            return true
        }
        if let thrown { throw thrown }
        if failure != nil { throw StreamingCheck.Ineligible(reason: "the file does not read to its end") }
        if let previous = inFlight { try take(previous.wait(), of: previous.batch) }
        try take(batch.decode(lenient: lenient), of: batch)
        if let cutOff = pendingCutOff {
            warnings.append("\(path):\(cutOff): last line is cut off (no line end, not valid JSON): ignored, the rest is checked")
        }
    }
}
