import ArgumentParser
import CommitCheck
import Dispatch
import Foundation
import NIOCore
import Prometheus
import Recording

/// The recorders' online checking options (`proxy` and `record`).
struct OnlineVerificationOptions: ParsableArguments {
    @Flag(help: "Check the trace as it is written: report a key the moment it becomes violated (and possible when its window closes) on stderr and in --findings; on exit, print the report verify gives on the trace.")
    var verify = false

    @Option(help: ArgumentHelp("With --verify: where findings go, one JSON line each (default: the trace's name + .findings.jsonl).", valueName: "file"))
    var findings: String?

    @Option(help: ArgumentHelp("Serve Prometheus metrics at http://HOST:PORT/metrics (commits and fetches recorded, keys, verdicts, open commits, bytes written).", valueName: "host:port"))
    var metrics: String?

    @Option(name: .customLong("reset-clients"), help: ArgumentHelp("With --verify: commits whose Kafka client id matches this glob are intended resets (operators' tools), whose rewinds monotonic does not count (repeatable).", valueName: "pattern"))
    var resetClients: [String] = []

    func validate() throws {
        if findings != nil && !verify { throw ValidationError("--findings needs --verify") }
        if !resetClients.isEmpty && !verify { throw ValidationError("--reset-clients needs --verify") }
        if let metrics, metricsAddress(metrics) == nil { throw ValidationError("--metrics: expected HOST:PORT, got '\(metrics)'") }
    }

    func metricsAddress(_ text: String) -> (host: String, port: Int)? {
        guard case let .tcp(host, port)? = ListenAddress(parsing: text) else { return nil }
        return (host, port)
    }

    /// The online checker for a trace file, or nil when neither --verify nor --metrics is given.
    func make(tracePath: String, label: String) -> OnlineVerification? {
        guard verify || metrics != nil else { return nil }
        return OnlineVerification(tracePath: tracePath, label: label, checks: verify,
                                  findingsPath: verify ? (findings ?? tracePath + ".findings.jsonl") : nil,
                                  metrics: metrics.flatMap(metricsAddress), resetClients: resetClients)
    }
}

/// Checks a trace while a recorder writes it, line by line, with ``StreamingCheck``; counts what
/// the recorder wrote for the metrics endpoint.
///
/// Lines come from the trace file itself (``WrittenLineTail``, after each of the recorder's
/// flushes), so the online check sees exactly what `verify` will read. A window's `violated` is
/// already true of the whole trace (more events only take schedules away), so it is reported at
/// once; `possible` is reported when the window closes. If the trace stops qualifying for
/// streaming (specs/scaling.md), online checking says so and stops; the report on exit checks the
/// whole written trace either way.
final class OnlineVerification: @unchecked Sendable {
    let tracePath: String
    let label: String
    let checks: Bool
    let findingsPath: String?
    let metricsAddress: (host: String, port: Int)?
    /// `--reset-clients`, for the windows and the report on exit alike.
    let resetClients: [String]

    private let lock = NSLock()
    private let check: StreamingCheck
    private var checking: Bool
    private var lineNumber = 0
    private var lastFlush = DispatchTime.now().uptimeNanoseconds
    private var reported: [StreamingCheck.KeyPropertySlot: Verdict] = [:]
    private var verdicts: [StreamingCheck.KeyPropertySlot: Verdict] = [:]
    private var keys: Set<PartitionKey> = []
    private var findingsFile: FileHandle?
    private var tail: WrittenLineTail?
    private var timer: DispatchSourceTimer?
    private var endpoint: MetricsEndpoint?

    private let registry = PrometheusCollectorRegistry()
    private let commitsRecorded: Counter
    private let fetchesRecorded: Counter
    private let linesWritten: Counter
    private let bytesWritten: Counter
    private let findingsReported: Counter

    init(tracePath: String, label: String, checks: Bool, findingsPath: String?, metrics: (host: String, port: Int)?, resetClients: [String] = []) {
        self.tracePath = tracePath
        self.label = label
        self.checks = checks
        self.checking = checks
        self.findingsPath = findingsPath
        self.metricsAddress = metrics
        var options = VerifyOptions()
        options.jobs = 1
        options.minimizeTimeout = 1
        options.resetClients = resetClients
        self.resetClients = resetClients
        check = StreamingCheck(file: tracePath, windowOptions: options, minimumWindowEvents: 1, batchEvents: 4_096)
        commitsRecorded = registry.makeCounter(name: "commitcheck_commits_recorded_total", help: "Commit requests recorded (build events, and sends that carry their offsets).")
        fetchesRecorded = registry.makeCounter(name: "commitcheck_fetches_recorded_total", help: "OffsetFetch requests recorded.")
        linesWritten = registry.makeCounter(name: "commitcheck_trace_lines_total", help: "Trace lines written.")
        bytesWritten = registry.makeCounter(name: "commitcheck_trace_bytes_total", help: "Trace bytes written (line ends included).")
        findingsReported = registry.makeCounter(name: "commitcheck_findings_total", help: "Online findings reported (a key becoming violated or possible).")
    }

    /// Opens the findings file, serves metrics, and starts following the trace.
    func start(group: EventLoopGroup) throws {
        if let findingsPath {
            FileManager.default.createFile(atPath: findingsPath, contents: nil)
            findingsFile = FileHandle(forWritingAtPath: findingsPath)
        }
        if let metricsAddress {
            let endpoint = MetricsEndpoint(group: group) { [self] in renderMetrics() }
            let bound = try endpoint.start(host: metricsAddress.host, port: metricsAddress.port)
            self.endpoint = endpoint
            FileOutput.standardError("\(label): metrics at http://\(bound.ipAddress ?? metricsAddress.host):\(bound.port ?? metricsAddress.port)/metrics\n")
        }
        let tail = WrittenLineTail(path: tracePath) { [self] line in observe(line) }
        self.tail = tail
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "commitcheck.online"))
        timer.schedule(deadline: .now() + .milliseconds(100), repeating: .milliseconds(100))
        timer.setEventHandler { [self] in
            tail.deliverWrittenLines()
            lock.lock()
            defer { lock.unlock() }
            decidePending(force: true)
        }
        timer.resume()
        self.timer = timer
    }

    /// One trace line, in trace order.
    func observe(_ line: String) {
        lock.lock()
        defer { lock.unlock() }
        lineNumber += 1
        linesWritten.increment()
        bytesWritten.increment(by: Int64(line.utf8.count + 1))
        let event: TraceEvent?
        do { event = try TraceEventDecoder.decode(line: Array(line.utf8), lineNumber: lineNumber) } catch {
            stopChecking("line \(lineNumber) does not read: \(error.message)")
            return
        }
        guard let event else { return }
        switch event.kind {
        case .build: commitsRecorded.increment()
        case .send where event.offsets != nil: commitsRecorded.increment()
        case .fetch: fetchesRecorded.increment()
        default: break
        }
        if let group = event.group ?? nil, let offsets = event.offsets {
            for (partition, _) in offsets { keys.insert(PartitionKey(group: group, partition: partition)) }
        }
        guard checking else { return }
        do { report(try check.feed(event)) } catch { stopChecking(error.reason) }
        decidePending(force: false)
    }

    /// Decides closed windows now and then (every line when forced by the timer).
    private func decidePending(force: Bool) {
        guard checking else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        guard force || now - lastFlush > 50_000_000 else { return }
        lastFlush = now
        do { report(try check.flush()) } catch { stopChecking(error.reason) }
    }

    private func stopChecking(_ reason: String) {
        guard checking else { return }
        checking = false
        FileOutput.standardError("\(label): online checking stopped: \(reason); the report on exit checks the whole trace\n")
    }

    /// Logs and writes each finding that is news: a key's first `possible`, its first `violated`.
    private func report(_ findings: [StreamingCheck.Finding]) {
        for finding in findings {
            let result = finding.result
            guard let group = result.group, let topic = result.topic, let partition = result.partition else { continue }
            let slot = StreamingCheck.KeyPropertySlot(key: PartitionKey(group: group, partition: TopicPartition(topic: topic, partition: partition)), property: result.property)
            verdicts[slot] = max(verdicts[slot] ?? .holds, result.verdict)
            guard result.verdict == .violated || result.verdict == .possible else { continue }
            if let previous = reported[slot], previous >= result.verdict { continue }
            reported[slot] = result.verdict
            findingsReported.increment()
            let word = result.verdict == .violated ? "VIOLATED" : "POSSIBLE"
            var text = "\(label): \(word) \(result.keyDescription) \(result.property.rawValue) (by line \(finding.windowEndLine))"
            if let example = result.counterexample {
                text += ": \(example.summary)\n" + example.narrative.map { "    \($0)" }.joined(separator: "\n")
            }
            FileOutput.standardError(text + "\n")
            writeFinding(result, line: finding.windowEndLine)
        }
    }

    private func writeFinding(_ result: KeyResult, line: Int) {
        guard let findingsFile else { return }
        var object: [String: Any] = [
            "format": "commitcheck-finding/1", "group": result.group ?? "", "topic": result.topic ?? "", "partition": result.partition ?? -1,
            "property": result.property.rawValue, "verdict": result.verdict.rawValue, "line": line,
            "detectedAt": Date().timeIntervalSince1970,
        ]
        if let example = result.counterexample {
            object["summary"] = example.summary
            object["narrative"] = example.narrative
            object["lines"] = example.lines
        }
        do {
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            findingsFile.write(data + Data("\n".utf8))
            try findingsFile.synchronize()
        } catch {
            FileOutput.standardError("\(label): cannot write the finding for line \(line) to the findings file: \(error)\n")
        }
    }

    /// The metrics page of this moment.
    func renderMetrics() -> [UInt8] {
        lock.lock()
        let openCommits = checking ? check.openCommits : 0
        var counts: [String: Int] = [:]
        for (slot, verdict) in verdicts where slot.property == .monotonic { counts[verdict.rawValue, default: 0] += 1 }
        let keyCount = keys.count
        let active = checking
        lock.unlock()
        registry.makeGauge(name: "commitcheck_keys", help: "Keys (group, topic, partition) seen in the trace.").set(to: Double(keyCount))
        registry.makeGauge(name: "commitcheck_open_commits", help: "Commits sent and not yet acked.").set(to: Double(openCommits))
        registry.makeGauge(name: "commitcheck_online_checking", help: "1 while online checking runs (0: stopped or not asked for).").set(to: active ? 1.0 : 0.0)
        for verdict in Verdict.allCases {
            registry.makeGauge(name: "commitcheck_keys_by_verdict", labels: [("verdict", verdict.rawValue)],
                               help: "Keys by their monotonic verdict so far (the worst of their closed windows).")
                .set(to: Double(counts[verdict.rawValue] ?? 0))
        }
        return registry.emitToBuffer()
    }

    /// Stops following the trace (after the recorder closed it), checks what is left, and gives
    /// the report `verify` gives on the written trace.
    func finish() -> Report? {
        timer?.cancel()
        tail?.deliverWrittenLines()
        lock.lock()
        if checking { do { report(try check.finish()) } catch { stopChecking(error.reason) } }
        checking = false
        lock.unlock()
        endpoint?.stop()
        defer { try? findingsFile?.close() }
        guard checks else { return nil }
        do {
            var options = VerifyOptions()
            options.resetClients = resetClients
            let (report, _) = try StreamingVerifier(options: options).verify(paths: [tracePath])
            FileOutput.standardError("\(label): the written trace verifies as:\n" + TextReporter.render(report))
            if let findingsPath {
                do {
                    try FileOutput.write(JSONReporter.render(report), to: findingsPath + ".report.json")
                } catch {
                    FileOutput.standardError("\(label): cannot write \(findingsPath).report.json: \(error)\n")
                }
            }
            return report
        } catch {
            FileOutput.standardError("\(label): the written trace does not verify: \(error)\n")
            return nil
        }
    }
}
