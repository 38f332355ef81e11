import Dispatch

/// What the fetch results of one component of linked keys come to, decided once for all its keys.
enum ComponentReads: Sendable {
    /// The component has no fetch results.
    case none
    /// Every read is explained by the order alone (its writer is forced): the reads rule out no schedule.
    case settled
    /// Some schedule explains every read; these reads still rule some schedules out.
    case open([ReadPlacement], engine: DecisionProcedure)
    /// No schedule explains these reads together (a minimal set).
    case clash([ReadPlacement], engine: DecisionProcedure)
    /// The solver could not tell in time.
    case unknown(String)
}

/// One `verify` run over one history: what every key's check shares, read-only.
struct Run: @unchecked Sendable {
    let history: History
    let graph: OrderGraph
    let order: HappensBefore
    let members: [PartitionKey: (commits: [Int], fetches: [Int])]
    let components: KeyComponents
    let options: VerifyOptions
    let cancellation: Cancellation
    /// `--timeout`'s end, in `DispatchTime` nanoseconds.
    let deadline: UInt64?

    /// The Z3 budget left for one check, in milliseconds (`nil`: none).
    var solverMilliseconds: UInt32? {
        guard let deadline else { return nil }
        let now = DispatchTime.now().uptimeNanoseconds
        let left = deadline > now ? Double(deadline - now) / 1e6 : 1
        return UInt32(min(max(left, 1), Double(UInt32.max)))
    }

    func decider(explain: Bool = false) -> Z3Decider {
        var decider = Z3Decider(timeoutMilliseconds: solverMilliseconds, explain: explain)
        decider.cancellation = cancellation
        return decider
    }

    /// Why a key is `unknown` when the run stopped before deciding it.
    var stopReason: String { cancellation.reason ?? "interrupted" }

    // MARK: Phase 1: reads

    /// Decides whether some schedule explains every read of a component, placing each read first so
    /// that reads whose writer the order forces never reach the solver.
    func decideReads(component: Int) -> Result<ComponentReads, TraceError> {
        let reads = components.reads[component]
        guard !reads.isEmpty else { return .success(.none) }
        if cancellation.isCancelled { return .success(.unknown("\(stopReason) before the fetch results were checked")) }
        var timelines: [PartitionKey: KeyTimeline] = [:]
        for read in reads where timelines[read.key] == nil {
            timelines[read.key] = KeyTimeline(key: read.key, commits: members[read.key]?.commits ?? [], history: history, graph: graph, order: order)
        }
        let solverReads: [ReadPlacement]
        if options.engine == .z3 {
            solverReads = reads.map { timelines[$0.key]!.unpruned(fetch: $0.fetch, value: $0.value, point: graph.readPoint[$0.fetch]) }
        } else {
            var placements: [ReadPlacement] = []
            var initialSeen: [PartitionKey: ReadPlacement] = [:]
            for (index, read) in reads.enumerated() {
                if index % 1024 == 1023, cancellation.isCancelled { return .success(.unknown("\(stopReason) while the fetch results were checked")) }
                let placement = timelines[read.key]!.place(fetch: read.fetch, value: read.value, point: graph.readPoint[read.fetch], order: order, graph: graph)
                // A read whose writer the order forces either returns that writer's value or clashes on its own.
                switch placement.expectedValue(history) {
                case .some(.some(let expected)) where expected != placement.value:
                    return .success(.clash([placement], engine: .graph))
                case .some(.none):
                    // The unknown initial value is one value: two reads forced to see it must agree.
                    if let earlier = initialSeen[placement.key], earlier.value != placement.value {
                        return .success(.clash([earlier, placement], engine: .graph))
                    }
                    initialSeen[placement.key] = placement
                default: break
                }
                placements.append(placement)
            }
            let open = placements.filter { $0.determined == nil }
            if open.isEmpty { return .success(.settled) }
            // Reads forced to see an unknown initial value pin it for the open reads of their key.
            let openKeys = Set(open.map(\.key))
            solverReads = placements.filter { $0.determined == nil || ($0.determined == .initial && openKeys.contains($0.key)) }
        }
        let anchor = components.keys[component][0]
        var problem = OrderProblem(key: anchor, history: history, graph: graph, commits: [], reads: solverReads, projecting: false)
        if options.engine == .auto, GraphReads.explainsEveryRead(problem, order: order) { return .success(.open(solverReads, engine: .graph)) }
        problem.project(graph: graph)
        do {
            let outcome = try decider().checkReads(problem)
            switch outcome.verdict {
            case .holds: return .success(.open(solverReads, engine: .z3))
            case .violated: return .success(.clash(outcome.clashingReads.map { solverReads[$0] }, engine: .z3))
            default:
                return .success(.unknown(cancellation.isCancelled ? "\(stopReason) while the fetch results were checked" : outcome.reason ?? "Z3 gave no answer"))
            }
        } catch is Z3Decider.Inconsistent {
            return .failure(Verifier.inconsistentChoices(history, graph))
        } catch {
            return .success(.unknown("\(error)"))
        }
    }

    // MARK: Phase 2: keys

    /// Whether a key has fetch results of its own (and so a `linearizable` verdict).
    func isRead(_ key: PartitionKey) -> Bool {
        guard let component = components.componentOf[key] else { return false }
        return components.reads[component].contains { $0.key == key }
    }

    /// Decides one key's `monotonic` verdict, and its `linearizable` verdict when it is read.
    func check(key: PartitionKey, reads: ComponentReads) -> Result<[KeyResult], TraceError> {
        let started = DispatchTime.now().uptimeNanoseconds
        func result(_ property: Property, _ verdict: Verdict, _ reason: String?, engine: DecisionProcedure? = nil) -> KeyResult {
            KeyResult(group: key.group, topic: key.partition.topic, partition: key.partition.partition, property: property,
                      verdict: verdict, reason: reason, engine: engine?.rawValue,
                      seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
        }
        let read = isRead(key)
        if cancellation.isCancelled {
            let reason = "\(stopReason) before this key was decided"
            return .success([result(.monotonic, .unknown, reason)] + (read ? [result(.linearizable, .unknown, reason)] : []))
        }
        let commits = members[key]?.commits ?? []
        // Monotonic: over every consistent schedule first. `holds` and `violated` there hold as well
        // over the schedules that also explain the reads (a non-empty subset); only `possible` can change.
        var problem = OrderProblem(key: key, history: history, graph: graph, commits: commits, reads: [], projecting: false)
        var decision: Decision
        switch reads {
        case .open(let placements, _) where options.engine == .z3:
            problem = OrderProblem(key: key, history: history, graph: graph, commits: commits, reads: placements)
            switch solve(&problem) {
            case .success(let solved): decision = solved
            case .failure(let error): return .failure(error)
            }
        default:
            switch decideWithoutReads(&problem) {
            case .success(let solved): decision = solved
            case .failure(let error): return .failure(error)
            }
            if decision.verdict == .possible {
                switch reads {
                case .open(let placements, _):
                    var withReads = OrderProblem(key: key, history: history, graph: graph, commits: commits, reads: placements)
                    switch solve(&withReads) {
                    case .success(let solved):
                        decision = solved
                        problem = withReads
                    case .failure(let error): return .failure(error)
                    }
                case .unknown(let why):
                    decision = Decision(verdict: .unknown, reason: "some schedules regress and some do not, and the fetch results that could rule some out were not decided: \(why)", engine: .z3)
                default: break
                }
            }
        }
        if decision.verdict == .unknown, cancellation.isCancelled {
            decision.reason = "\(stopReason) before this key was decided"
        }
        var monotonic = result(.monotonic, decision.verdict, decision.reason, engine: decision.engine)
        let storyteller = Storyteller(history: history, graph: graph, order: order)
        if decision.verdict == .holds && options.explain {
            monotonic.counterexample = storyteller.proof(for: problem, decision)
        }
        if options.evidence, decision.verdict == .violated || decision.verdict == .possible {
            var evidence: [Int]? = nil
            var minimal: Bool? = nil
            var subTrace: String? = nil
            if options.minimize {
                let minimizer = minimizer(key: key, verdict: decision.verdict, property: .monotonic)
                let shrunk = minimizer.minimize(seeds: storyteller.seeds(for: problem, decision))
                evidence = shrunk.events
                minimal = shrunk.minimal
                subTrace = minimizer.subTrace(shrunk.events, extraMeta: [("counterexample", Self.label(key, .monotonic, decision.verdict))])
            }
            if let evidence { decision.regression = regressionShown(by: evidence, problem: problem, decision) }
            monotonic.counterexample = storyteller.counterexample(for: problem, decision, evidence: evidence)
            monotonic.counterexample?.minimal = minimal
            if options.minimize && options.minimizeTimeout == 0 { monotonic.counterexample?.minimizationOff = true }
            monotonic.counterexample?.subTrace = subTrace
            if let hint = storyteller.resetHint(for: problem, decision) {
                monotonic.counterexample?.narrative.append(hint)
                monotonic.counterexample?.resetHint = hint
            }
            // The size is judged over the same schedules as the verdict: those that explain the reads.
            var sized = problem
            if case .open(let placements, _) = reads, problem.reads.isEmpty {
                sized = OrderProblem(key: key, history: history, graph: graph, commits: commits, reads: placements, projecting: false)
            }
            do {
                if let size = try regressionSize(&sized, verdict: decision.verdict) {
                    monotonic.counterexample?.largestDrop = size.largest
                    monotonic.counterexample?.guaranteedDrop = size.guaranteed
                    var text = "regression size: up to \(size.largest) offset\(size.largest == 1 ? "" : "s") lost in some schedule"
                    if let least = size.guaranteed { text += ", at least \(least) in every one" }
                    let epoch = problem.commits.contains { $0.effect.reset } ? ", counted from the last reset" : ""
                    monotonic.counterexample?.narrative.append(text + " (committed value reached minus a later, lower one\(epoch))")
                }
            } catch {
                // The verdict stands; only its size is missing, and the story says why.
                monotonic.counterexample?.narrative.append("regression size: not computed (\(error))")
            }
        }
        guard read else { return .success([monotonic]) }

        var linearizable: KeyResult
        switch reads {
        case .none, .settled:
            linearizable = result(.linearizable, .holds, "the order alone explains every fetch result", engine: .graph)
        case .open(_, let engine):
            linearizable = result(.linearizable, .holds, "a consistent schedule explains every fetch result", engine: engine)
        case .unknown(let why):
            linearizable = result(.linearizable, .unknown, why, engine: .z3)
        case .clash(let clashing, let engine):
            linearizable = result(.linearizable, .violated, clashing.count == 1 && engine == .graph
                                    ? "the order forces the writer of a fetch result, and it wrote another value"
                                    : "no consistent schedule explains these fetch results together", engine: engine)
            guard options.evidence else { break }
            var evidence: [Int]? = nil
            var shrunk: Minimizer.Result? = nil
            let minimizer = minimizer(key: key, verdict: .violated, property: .linearizable)
            if options.minimize {
                shrunk = minimizer.minimize(seeds: storyteller.readSeeds(clashing: clashing))
                evidence = shrunk?.events
            }
            linearizable.counterexample = storyteller.readsCounterexample(key: key, clashing: clashing, evidence: evidence)
            if let shrunk {
                linearizable.counterexample?.minimal = shrunk.minimal
                if options.minimizeTimeout == 0 { linearizable.counterexample?.minimizationOff = true }
                linearizable.counterexample?.subTrace = minimizer.subTrace(shrunk.events, extraMeta: [("counterexample", Self.label(key, .linearizable, .violated))])
            }
        }
        return .success([monotonic, linearizable])
    }

    /// The regression the story tells, among the commits the minimal evidence holds: a forced
    /// `violated` pair the minimiser left out is replaced by a forced pair it kept (the headline
    /// then names what the evidence shows). Unchanged when both commits are in the evidence.
    private func regressionShown(by evidence: [Int], problem: OrderProblem, _ decision: Decision) -> (earlier: Int?, later: Int)? {
        guard let pair = decision.regression else { return nil }
        let kept = Set(evidence)
        func shown(_ slot: Int) -> Bool {
            let commit = history.commits[problem.commits[slot].commit]
            return [commit.send, commit.build].contains { $0.map(kept.contains) == true }
        }
        guard decision.verdict == .violated, !problem.needsGeneralModel, !(pair.earlier.map(shown) ?? true) || !shown(pair.later) else { return pair }
        let slots = problem.commits.indices.filter { shown($0) && problem.commits[$0].status == .applied }
        for x in slots {
            for y in slots where problem.commits[x].offset > problem.commits[y].offset && order.precedes(problem.points[x], problem.points[y]) {
                return (x, y)
            }
        }
        return pair
    }

    /// Commits beyond which a key whose apply points are not one chain gets no regression size
    /// (the solver's formula grows with the pairs of commits).
    static let regressionSizeLimit = 2_000

    /// The size of a bad key's regression: by one sweep when the key's apply points form a chain
    /// and no read constrains which uncertain commit applied, else Z3 on the pruned problem (reads
    /// included when they constrain the key); `nil` past ``regressionSizeLimit`` or when stopped.
    private func regressionSize(_ problem: inout OrderProblem, verdict: Verdict) throws -> RegressionSize? {
        guard !cancellation.isCancelled, !problem.commits.isEmpty else { return nil }
        if problem.needsGeneralModel {
            // Staged writes and resets: which value is visible when is the general model's, in Z3.
            guard problem.commits.count <= Self.regressionSizeLimit else { return nil }
            if problem.edges.isEmpty { problem.project(graph: graph) }
            return try decider().regressionSize(problem, guaranteed: verdict == .violated)
        }
        let slots = problem.commits.indices.sorted { problem.positions[$0] < problem.positions[$1] }
        let chain = zip(slots, slots.dropFirst()).allSatisfy { order.precedes(problem.points[$0], problem.points[$1]) }
        if chain && problem.reads.isEmpty {
            // One order for every schedule: applying every commit loses the most, only the certain ones the least.
            func drawdown(_ applied: (KeyCommit) -> Bool) -> Int {
                var peak = problem.initial, loss = 0
                for slot in slots where applied(problem.commits[slot]) {
                    let offset = problem.commits[slot].offset
                    if let high = peak { loss = max(loss, high - offset) }
                    peak = max(peak ?? Int.min, offset)
                }
                return loss
            }
            let most = drawdown { _ in true }
            guard most > 0 else { return nil }
            let least = drawdown { $0.status == .applied }
            return RegressionSize(largest: most, guaranteed: verdict == .violated && least > 0 ? least : nil)
        }
        if problem.reads.isEmpty && problem.choices.isEmpty && problem.commits.count <= Self.regressionSizeLimit {
            return partialOrderRegressionSize(problem, verdict: verdict)
        }
        guard problem.commits.count <= Self.regressionSizeLimit else { return nil }
        problem = problem.pruned(graph: graph)
        guard problem.commits.count <= Self.regressionSizeLimit else { return nil }
        return try decider().regressionSize(problem, guaranteed: verdict == .violated)
    }

    /// The regression size when the schedules are the linear extensions of a partial order (no
    /// read and no FIFO choice constrains them), from pairs alone instead of the solver.
    ///
    /// Largest: two commits that may both apply and are not forced into increasing order can apply
    /// decreasing in some schedule (any two unordered points of a partial order go either way), so
    /// the largest drop is the largest such pair (or the initial offset over a commit). Guaranteed
    /// (violated keys): leaving out every uncertain commit can only shrink drops, and over the
    /// certain ones the schedule that always applies the lowest ready offset next has no drop larger
    /// than the largest forced one (a later, lower commit it reaches was held back by a ready
    /// predecessor it had to apply first, and that pair is forced), so the least worst drop is the
    /// largest forced pair. The brute-force enumerator checks both in the differential test.
    private func partialOrderRegressionSize(_ problem: OrderProblem, verdict: Verdict) -> RegressionSize? {
        let commits = problem.commits
        var most = 0, least = 0
        for b in commits.indices {
            if b % 64 == 0 && cancellation.isCancelled { return nil }
            if let initial = problem.initial {
                most = max(most, initial - commits[b].offset)
                if commits[b].status == .applied { least = max(least, initial - commits[b].offset) }
            }
            for a in commits.indices where a != b && commits[a].offset > commits[b].offset {
                let drop = commits[a].offset - commits[b].offset
                guard drop > most || (drop > least && commits[a].status == .applied && commits[b].status == .applied) else { continue }
                if order.precedes(problem.points[a], problem.points[b]) {
                    most = max(most, drop)
                    if commits[a].status == .applied && commits[b].status == .applied { least = max(least, drop) }
                } else if !order.precedes(problem.points[b], problem.points[a]) {
                    most = max(most, drop)
                }
            }
        }
        guard most > 0 else { return nil }
        return RegressionSize(largest: most, guaranteed: verdict == .violated && least > 0 ? least : nil)
    }

    /// The run's engine: the graph fast path where it is exact, else Z3 (`--engine auto`); Z3
    /// alone with `--engine z3`.
    var engine: EngineKeyDecider {
        let explain = options.explain
        let solver = SolverKeyDecider(graph: graph, solver: { explain in self.decider(explain: explain) }, explain: explain)
        return EngineKeyDecider(fastPath: options.engine == .auto ? GraphKeyDecider(order: order, graph: graph) : nil,
                                solver: solver, order: order, graph: graph)
    }

    /// Decides the key without reads (the fast path first under `--engine auto`).
    private func decideWithoutReads(_ problem: inout OrderProblem) -> Result<Decision, TraceError> {
        decide(&problem, by: engine)
    }

    /// Decides with the solver (reads included when the problem has them).
    private func solve(_ problem: inout OrderProblem) -> Result<Decision, TraceError> {
        decide(&problem, by: EngineKeyDecider(fastPath: nil, solver: engine.solver, order: order, graph: graph))
    }

    private func decide(_ problem: inout OrderProblem, by decider: some KeyDecider) -> Result<Decision, TraceError> {
        do {
            guard let decision = try decider.decide(&problem) else {
                return .success(Decision(verdict: .unknown, reason: "no procedure decides this key", engine: .z3))
            }
            return .success(decision)
        } catch is Z3Decider.Inconsistent {
            return .failure(Verifier.inconsistentChoices(history, graph))
        } catch {
            return .success(Decision(verdict: .unknown, reason: "\(error)", engine: .z3))
        }
    }

    private func minimizer(key: PartitionKey, verdict: Verdict, property: Property) -> Minimizer {
        var budget = options.minimizeTimeout
        if let deadline {
            let now = DispatchTime.now().uptimeNanoseconds
            budget = min(budget, deadline > now ? Double(deadline - now) / 1e9 : 0)
        }
        var minimizer = Minimizer(history: history, key: key, verdict: verdict, budget: budget, property: property) { sub, options in
            // Only the verdict matters here; a sub-history the order graph rejects does not show it.
            guard let report = try? Verifier(options: options).verify(history: sub) else { return nil }
            return report.keys.first { $0.group == key.group && $0.topic == key.partition.topic
                && $0.partition == key.partition.partition && $0.property == property }?.verdict
        }
        minimizer.cancellation = cancellation
        return minimizer
    }

    /// The `counterexample` field of a sub-trace's meta line: the key and the verdict it was written for.
    static func label(_ key: PartitionKey, _ property: Property, _ verdict: Verdict) -> String {
        var text = "{\"group\":\(TraceLineWriter.quote(key.group)),\"topic\":\(TraceLineWriter.quote(key.partition.topic)),\"partition\":\(key.partition.partition)"
        if property != .monotonic { text += ",\"property\":\"\(property.rawValue)\"" }
        return text + ",\"verdict\":\"\(verdict.rawValue)\"}"
    }
}
