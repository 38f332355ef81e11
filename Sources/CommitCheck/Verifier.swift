import Locking
import Dispatch
import Z3
#if canImport(Glibc)
import Glibc
#endif

/// Which procedure decides keys (`--engine`).
public enum Engine: String, Sendable, CaseIterable {
    /// The graph fast path where it is exact, Z3 for the rest.
    case auto
    /// Z3 for every key.
    case z3
}

/// How `verify` runs.
public struct VerifyOptions: Sendable {
    public var engine: Engine = .auto
    /// Per-key solver budget in seconds (`nil`: none).
    public var timeout: Double? = nil
    /// Skip unknown `ev` values instead of failing.
    public var lenient = false
    /// Keys decided at once (each worker has its own Z3 context).
    public var jobs = max(1, System.coreCount)
    /// For keys that hold, report the ordering facts the proof rests on.
    public var explain = false
    /// When set and cancelled, undecided keys become `unknown` and running solver checks stop.
    public var cancellation: Cancellation? = nil
    /// Z3's memory limit in megabytes (`nil`: none); past it a key is `unknown`.
    public var maxMemoryMegabytes: Int? = nil
    /// Reading stops with a resource-limit error past this much memory (`nil`: no check).
    public var memoryBudget: MemoryBudget? = nil
    /// Check only the keys of shard `index` of `count` (by a stable hash of the key), for running one
    /// trace on several machines; the JSON reports of all shards together cover every key once.
    public var shard: (index: Int, count: Int)? = nil
    /// Shrink counterexamples to 1-minimal sub-traces (re-verifying each candidate).
    public var minimize = true
    /// Seconds of minimisation per bad key before settling for a non-minimal sub-trace.
    public var minimizeTimeout: Double = 10
    /// Tell bad keys' stories (counterexample, regression size); a re-check during minimisation
    /// wants only the verdicts.
    public var evidence = true
    /// Whether `timeout` also arms a timer that interrupts the run where it stands. Re-checks during
    /// minimisation turn it off: their solver checks are bounded by the per-check timeout, and a
    /// timer per re-check would outlive most of them.
    var armsDeadlineTimer = true
    /// Told after each key is decided, from the worker that decided it (a progress line).
    public var keyDecided: (@Sendable () -> Void)? = nil
    /// Glob patterns of Kafka client ids whose commits are intended resets (`--reset-clients`):
    /// operators' tools, whose rewinds `monotonic` does not count (specs/system-model.md, rule 9).
    public var resetClients: [String] = []

    public init(engine: Engine = .auto, timeout: Double? = nil, lenient: Bool = false) {
        self.engine = engine
        self.timeout = timeout
        self.lenient = lenient
    }
}

enum System {
    static var coreCount: Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
}

/// The pipeline of specs/system-model.md ("How the checker encodes it"): parse, derive the history, constrain, decide per key, report.
public struct Verifier: Sendable {
    public var options: VerifyOptions

    public init(options: VerifyOptions = VerifyOptions()) { self.options = options }

    /// Verifies trace files (several files are merged into one history; one file holding several
    /// histories, as `--counterexample` writes them, has each verified on its own).
    public func verify(paths: [String]) throws(TraceError) -> Report {
        let started = DispatchTime.now().uptimeNanoseconds
        let documents = try TraceReader(lenient: options.lenient, memoryBudget: options.memoryBudget).readDocuments(paths: paths)
        let parseSeconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        var report = try verify(documents: documents, paths: paths)
        report.statistics?.parseSeconds = parseSeconds
        return report
    }

    /// Verifies histories already read: one history, or each counterexample sub-history on its own.
    ///
    /// A sub-history labelled by its meta line (`verify --counterexample` writes one per bad key)
    /// reports only the key and property it was written for, with the verdict it was written for
    /// as `expected`: the other keys a minimal sub-trace touches are incidental, and reporting them
    /// would list one key several times with different verdicts.
    package func verify(documents: [TraceReader.Document], paths: [String]) throws(TraceError) -> Report {
        let shard = options.shard.map { Shard(index: $0.index, count: $0.count) }
        if documents.count == 1 && documents[0].history.meta.counterexample == nil {
            var report = try verify(history: documents[0].history)
            report.shard = shard
            return report
        }
        var keys: [KeyResult] = []
        var warnings: [String] = []
        for document in documents {
            let report = try verify(history: document.history)
            warnings += report.warnings
            guard let label = document.history.meta.counterexample else {
                keys += report.keys
                continue
            }
            var result = report.keys.first { $0.group == label.group && $0.topic == label.topic && $0.partition == label.partition && $0.property == label.property }
                ?? KeyResult(group: label.group, topic: label.topic, partition: label.partition, property: label.property, verdict: .holds,
                             reason: "the sub-history has no commit on this key")
            result.expected = label.verdict
            result.subHistoryLine = document.firstLine
            if result.verdict != label.verdict {
                warnings.append("sub-history at line \(document.firstLine) (\(result.keyDescription) \(label.property.rawValue)): expected \(label.verdict.rawValue), got \(result.verdict.rawValue)")
            }
            keys.append(result)
        }
        keys = keys.enumerated().sorted { a, b in
            let x = a.element, y = b.element
            let left = (x.group ?? "", x.topic ?? "", x.partition ?? -1), right = (y.group ?? "", y.topic ?? "", y.partition ?? -1)
            return left != right ? left < right : a.offset < b.offset
        }.map(\.element)
        var report = Report(traces: paths, keys: keys, warnings: warnings)
        report.shard = shard
        return report
    }

    /// Verifies a history already read.
    public func verify(history: History) throws(TraceError) -> Report {
        if let megabytes = options.maxMemoryMegabytes { Z3Context.setMemoryLimit(megabytes: megabytes) }
        let started = DispatchTime.now().uptimeNanoseconds
        // `--timeout` bounds the whole run: past it, whatever is still running is interrupted and
        // every key not decided yet is `unknown`. SIGINT does the same through the parent.
        let cancellation = Cancellation(parent: options.cancellation)
        let deadline = options.timeout.flatMap { seconds in options.armsDeadlineTimer ? seconds : nil }.map { seconds in
            cancellation.arm(seconds: seconds, reason: "the --timeout of \(Self.seconds(seconds)) ran out")
        }
        defer { deadline?.disarm() }
        let prepared = try OrderedHistory(history.markingResets(clients: options.resetClients))
        return try verify(prepared, started: started, cancellation: cancellation)
    }

    /// Verifies a history whose order is already computed (a caller that also analyses the order,
    /// such as `analyze`, builds it once).
    package func verify(_ prepared: OrderedHistory) throws(TraceError) -> Report {
        let cancellation = Cancellation(parent: options.cancellation)
        let deadline = options.timeout.flatMap { seconds in options.armsDeadlineTimer ? seconds : nil }.map { seconds in
            cancellation.arm(seconds: seconds, reason: "the --timeout of \(Self.seconds(seconds)) ran out")
        }
        defer { deadline?.disarm() }
        return try verify(prepared, started: DispatchTime.now().uptimeNanoseconds, cancellation: cancellation)
    }

    private func verify(_ prepared: OrderedHistory, started: UInt64, cancellation: Cancellation) throws(TraceError) -> Report {
        let history = prepared.history, graph = prepared.graph, order = prepared.order
        let ordered = DispatchTime.now().uptimeNanoseconds
        let members = prepared.members
        let allKeys = members.keys.sorted()
        let components = KeyComponents(history: history, keys: allKeys)
        let shard = options.shard
        // Keys linked by reads are judged together, so they go to one shard: their component's first key decides.
        let keys = allKeys.filter { key in
            guard let shard else { return true }
            let component = components.componentOf[key]!
            let anchor = components.reads[component].isEmpty && !components.transactional[component] ? key : components.keys[component][0]
            return anchor.shard(of: shard.count) == shard.index
        }
        let wanted = Set(keys.map { components.componentOf[$0]! })
        let run = Run(history: history, graph: graph, order: order, members: members, components: components,
                      options: options, cancellation: cancellation, deadline: options.timeout.map { started + UInt64($0 * 1e9) })

        // Phase 1: the reads of each component with reads, decided once for all its keys.
        let readComponents = wanted.filter { !components.reads[$0].isEmpty }.sorted()
        let readSlots = ResultSlots<Result<ComponentReads, TraceError>>(count: readComponents.count)
        Self.parallel(count: readComponents.count, jobs: options.jobs) { index in
            readSlots.store(index, run.decideReads(component: readComponents[index]))
        }
        var readsOf: [Int: ComponentReads] = [:]
        for (index, component) in readComponents.enumerated() {
            switch readSlots.take(index) {
            case .success(let reads): readsOf[component] = reads
            case .failure(let error): throw error
            }
        }

        // Phase 2: every key's verdicts.
        let componentReads = readsOf
        let results = ResultSlots<Result<[KeyResult], TraceError>>(count: keys.count)
        Self.parallel(count: keys.count, jobs: options.jobs) { index in
            let key = keys[index]
            results.store(index, run.check(key: key, reads: componentReads[components.componentOf[key]!] ?? .none))
            options.keyDecided?()
        }
        var keyResults: [KeyResult] = []
        for index in keys.indices {
            switch results.take(index) {
            case .success(let result): keyResults += result
            case .failure(let error): throw error
            }
        }
        var report = Report(traces: history.files, keys: keyResults, warnings: history.warnings)
        var statistics = RunStatistics()
        statistics.events = history.events.count
        statistics.orderSeconds = Double(ordered - started) / 1e9
        statistics.decideSeconds = Double(DispatchTime.now().uptimeNanoseconds - ordered) / 1e9
        for key in keyResults where key.property == .monotonic {
            if key.engine == "z3" { statistics.keysByZ3 += 1; statistics.z3Seconds += key.seconds ?? 0 } else { statistics.keysByGraph += 1 }
        }
        report.statistics = statistics
        return report
    }

    /// Runs `body(0..<count)` on up to `jobs` threads, each taking indices in turn.
    static func parallel(count: Int, jobs: Int, _ body: @Sendable (Int) -> Void) {
        guard count > 0 else { return }
        let workers = min(max(jobs, 1), count)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var index = worker
            while index < count {
                body(index)
                index += workers
            }
        }
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }

    /// The error for a history whose connection orders cannot all be met.
    static func inconsistentChoices(_ history: History, _ graph: OrderGraph) -> TraceError {
        var lines = Set<Int>()
        for choice in graph.choices {
            for point in [choice.firstSend, choice.secondSend] {
                for event in graph.events(of: point, history) { lines.insert(history.events[event].line) }
            }
        }
        let sorted = lines.sorted()
        return TraceError(file: history.files.count == 1 ? history.files[0] : nil, line: sorted.first ?? 0,
                          message: "the trace contradicts itself: no order of the sends at lines \(sorted.map(String.init).joined(separator: ", ")) on their connections fits the rest of the history",
                          relatedLines: Array(sorted.dropFirst()))
    }
}

/// A history with what every key's check reads computed once: its order graph, the happens-before
/// answers over it, and the commits and fetches of each key.
package struct OrderedHistory: Sendable {
    package let history: History
    package let graph: OrderGraph
    package let order: HappensBefore
    package let members: [PartitionKey: (commits: [Int], fetches: [Int])]

    package init(_ history: History) throws(TraceError) {
        self.history = history
        graph = try OrderGraph(history: history)
        order = HappensBefore(graph: graph)
        members = history.membersByKey()
    }
}
