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

    public init(engine: Engine = .auto, timeout: Double? = nil, lenient: Bool = false) {
        self.engine = engine
        self.timeout = timeout
        self.lenient = lenient
    }
}

enum System {
    static var coreCount: Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
}

/// The pipeline of DESIGN §2: parse, derive the history, constrain, decide per key, report.
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
    public func verify(documents: [TraceReader.Document], paths: [String]) throws(TraceError) -> Report {
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
        let graph = try OrderGraph(history: history)
        let order = HappensBefore(graph: graph)
        let ordered = DispatchTime.now().uptimeNanoseconds
        let members = history.membersByKey()
        let shard = options.shard
        let keys = members.keys.sorted().filter { shard == nil || $0.shard(of: shard!.count) == shard!.index }
        let results = ResultSlots(count: keys.count)
        let options = self.options
        DispatchQueue.concurrentPerform(iterations: min(options.jobs, max(keys.count, 1))) { worker in
            var index = worker
            while index < keys.count {
                results.store(index, Self.check(key: keys[index], members: members[keys[index]]!, history: history, graph: graph, order: order, options: options))
                index += options.jobs
            }
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

    /// Decides one key's monotonicity.
    static func check(key: PartitionKey, members: (commits: [Int], fetches: [Int]), history: History, graph: OrderGraph,
                      order: HappensBefore, options: VerifyOptions) -> Result<[KeyResult], TraceError> {
        let started = DispatchTime.now().uptimeNanoseconds
        if options.cancellation?.isCancelled == true {
            return .success([KeyResult(group: key.group, topic: key.partition.topic, partition: key.partition.partition,
                                       property: .monotonic, verdict: .unknown, reason: "interrupted before this key was decided")])
        }
        var problem = OrderProblem(key: key, history: history, graph: graph, commits: members.commits, fetches: members.fetches, projecting: false)
        var decision: Decision
        if options.engine == .auto, let fast = GraphDecider.decide(problem, order: order, graph: graph) {
            decision = fast
        } else {
            problem.project(graph: graph)
            let timeout = options.timeout.map { UInt32(min(max($0 * 1000, 1), Double(UInt32.max))) }
            do {
                var decider = Z3Decider(timeoutMilliseconds: timeout, explain: options.explain)
                decider.cancellation = options.cancellation
                decision = try decider.decide(problem)
            } catch is Z3Decider.Inconsistent {
                return .failure(inconsistentChoices(history, graph))
            } catch {
                decision = Decision(verdict: .unknown, reason: "\(error)", engine: "z3")
            }
            // Tell the story of a pair the history itself forces into decreasing order when there
            // is one: a short chain of recorded facts proves it, and the minimal sub-trace then
            // shows that same pair. The solver's witness names the first regressing pair of one
            // schedule, which other schedules may avoid.
            if decision.verdict == .violated, let forced = GraphDecider.forcedDecrease(problem, order: order, graph: graph) {
                decision.regression = forced
                decision.witness = nil
                decision.witnessApplied = nil
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        var result = KeyResult(group: key.group, topic: key.partition.topic, partition: key.partition.partition,
                               property: .monotonic, verdict: decision.verdict, reason: decision.reason,
                               engine: decision.engine, seconds: seconds)
        if decision.verdict == .holds && options.explain {
            result.counterexample = Storyteller(history: history, graph: graph, order: order).proof(for: problem, decision)
        }
        if decision.verdict == .violated || decision.verdict == .possible {
            let storyteller = Storyteller(history: history, graph: graph, order: order)
            var evidence: [Int]? = nil
            var minimal: Bool? = nil
            var subTrace: String? = nil
            if options.minimize {
                var minimizer = Minimizer(history: history, key: key, verdict: decision.verdict, budget: options.minimizeTimeout)
                minimizer.cancellation = options.cancellation
                let shrunk = minimizer.minimize(seeds: storyteller.seeds(for: problem, decision))
                evidence = shrunk.events
                minimal = shrunk.minimal
                let label = "{\"group\":\(TraceLineWriter.quote(key.group)),\"topic\":\(TraceLineWriter.quote(key.partition.topic)),\"partition\":\(key.partition.partition),\"verdict\":\"\(decision.verdict.rawValue)\"}"
                subTrace = minimizer.subTrace(shrunk.events, extraMeta: [("counterexample", label)])
            }
            result.counterexample = storyteller.counterexample(for: problem, decision, evidence: evidence)
            result.counterexample?.minimal = minimal
            result.counterexample?.subTrace = subTrace
        }
        guard let reads = decision.reads else { return .success([result]) }
        var linearizable = KeyResult(group: key.group, topic: key.partition.topic, partition: key.partition.partition,
                                     property: .linearizable, verdict: reads.verdict, reason: reads.reason, engine: "z3", seconds: seconds)
        if reads.verdict == .violated {
            let storyteller = Storyteller(history: history, graph: graph, order: order)
            var minimizer = Minimizer(history: history, key: key, verdict: .violated, budget: options.minimizeTimeout)
            minimizer.property = .linearizable
            minimizer.cancellation = options.cancellation
            var evidence: [Int]? = nil
            var shrunk: Minimizer.Result? = nil
            if options.minimize {
                shrunk = minimizer.minimize(seeds: storyteller.readSeeds(for: problem, clashing: reads.clashingReads))
                evidence = shrunk?.events
            }
            linearizable.counterexample = storyteller.readsCounterexample(for: problem, clashing: reads.clashingReads, evidence: evidence)
            if let shrunk {
                linearizable.counterexample?.minimal = shrunk.minimal
                let label = "{\"group\":\(TraceLineWriter.quote(key.group)),\"topic\":\(TraceLineWriter.quote(key.partition.topic)),\"partition\":\(key.partition.partition),\"property\":\"linearizable\",\"verdict\":\"violated\"}"
                linearizable.counterexample?.subTrace = minimizer.subTrace(shrunk.events, extraMeta: [("counterexample", label)])
            }
        }
        return .success([result, linearizable])
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

/// Per-key results written by concurrent workers, each into its own slot.
final class ResultSlots: @unchecked Sendable {
    private var slots: [Result<[KeyResult], TraceError>?]
    private let lock = NSLockLite()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func store(_ index: Int, _ result: Result<[KeyResult], TraceError>) {
        lock.withLock { slots[index] = result }
    }

    func take(_ index: Int) -> Result<[KeyResult], TraceError> { lock.withLock { slots[index]! } }
}

/// A pthread mutex, so the library needs no Foundation.
final class NSLockLite: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body()
    }
}
