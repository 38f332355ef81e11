/// Turns a decision into a ``Counterexample``: the regressing pair told as a story in schedule order.
///
/// The story follows the Sarama race of the README: who built what, who sent what, where the apply
/// points fall (and, for transactions, where staged offsets become visible), and which two values the
/// key takes in which order, with the trace's line number on every recorded event.
struct Storyteller {
    let history: History
    let graph: OrderGraph
    let order: HappensBefore

    /// The fetch results that no schedule explains together, with the commits that could have
    /// written each value. The reads may be on other keys linked to `key` through shared commits or
    /// fetches: one apply point per commit and one read point per fetch tie them together.
    func readsCounterexample(key: PartitionKey, clashing: [ReadPlacement], evidence: [Int]?) -> Counterexample {
        var narrative: [String] = []
        var lines = Set<Int>()
        for read in clashing {
            let fetch = history.fetches[read.fetch]
            for event in [fetch.fetch, fetch.fetched].compactMap({ $0 }) { lines.insert(history.events[event].line) }
            let location = fetch.fetched.map { history.location(of: $0) } ?? ""
            narrative.append("\(pad(location))fetch \(fetch.id) reads \(read.key.partition) = \(read.value)")
            // A value only an aborted transaction staged: a broker that exposed it broke rule 8.
            for commit in history.commits where commit.group == read.key.group && commit.offset(for: read.key.partition) == read.value {
                guard let transaction = commit.transaction, history.transactions[transaction].outcome == .aborted else { continue }
                let record = history.transactions[transaction]
                let ends = record.ends.map { history.location(of: $0) }.joined(separator: ", ")
                narrative.append("          \(read.value) was staged by commit \(commit.id) (\((commit.send ?? commit.build).map { history.location(of: $0) } ?? "")) in transaction \(record.id), which aborted (EndTxn at \(ends)): its offsets must never become visible")
                for event in [commit.send, commit.build].compactMap({ $0 }) + record.ends { lines.insert(history.events[event].line) }
            }
            switch read.determined {
            case .commit(let writer):
                let c = history.commits[writer]
                narrative.append("          but the order forces commit \(c.id) (\((c.send ?? c.build).map { history.location(of: $0) } ?? "")) to be the last to write \(read.key.partition) before it: \(c.offset(for: read.key.partition) ?? 0)")
                continue
            case .initial:
                let initial = history.initialOffset(of: read.key).map { "the initial value \($0)" } ?? "the initial value (unknown, one value for all reads)"
                narrative.append("          but no commit can apply to \(read.key.partition) before it: it sees \(initial)")
                continue
            case nil: break
            }
            let writers = read.writers.filter { history.commits[$0].offset(for: read.key.partition) == read.value }
            if writers.isEmpty {
                let initial = history.initialOffset(of: read.key).map { "the initial value is \($0)" } ?? "the initial value is unknown (one value for all reads)"
                narrative.append("          no commit that can still apply before it writes \(read.value); \(initial)")
            }
            for writer in writers {
                let c = history.commits[writer]
                narrative.append("          \(read.value) could come from commit \(c.id) (\((c.send ?? c.build).map { history.location(of: $0) } ?? ""))")
            }
        }
        var events = Set(clashing.flatMap { read in [history.fetches[read.fetch].fetch, history.fetches[read.fetch].fetched].compactMap { $0 } })
        if let evidence {
            lines = Set(evidence.map { history.events[$0].line })
            events = Set(evidence)
        }
        let ids = clashing.map { history.fetches[$0.fetch].id }
        let others = Set(clashing.map(\.key)).subtracting([key])
        let linked = others.isEmpty ? "" : " (with reads of \(others.sorted().map { "\($0.partition)" }.joined(separator: ", ")), linked to it through shared commits or fetches)"
        var example = Counterexample(summary: "\(key.partition) of group \(key.group): fetch result(s) \(ids.joined(separator: ", ")) cannot all be explained by one schedule\(linked)",
                                     narrative: narrative, lines: lines.sorted())
        example.evidence = Evidence(events: events.sorted().map { eventEvidence($0) },
                                    reads: clashing.compactMap { evidencePoint(graph.readPoint[$0.fetch]) })
        return example
    }

    /// Where minimisation of a linearizability violation starts: the clashing reads with their
    /// possible writers, then with every commit of the keys they read.
    func readSeeds(clashing: [ReadPlacement]) -> [[Int]] {
        let reads = clashing.flatMap { read -> [Int] in
            let fetch = history.fetches[read.fetch]
            return [fetch.fetch, fetch.fetched].compactMap { $0 }
        }
        var writers = Set<Int>()
        for read in clashing {
            writers.formUnion(read.writers)
            if case .commit(let writer) = read.determined { writers.insert(writer) }
        }
        let keys = Set(clashing.map(\.key))
        let keyCommits = history.commits.indices.filter { index in
            let commit = history.commits[index]
            return commit.offsets.contains { keys.contains(PartitionKey(group: commit.group, partition: $0.0)) }
        }
        return [reads + writers.sorted().flatMap { events(ofCommit: $0) }, reads + keyCommits.flatMap { events(ofCommit: $0) }]
    }

    /// Why a key holds: the forced chains behind each ordering fact of the proof, and the commits
    /// that never apply. Shown by `verify --explain`.
    func proof(for problem: OrderProblem, _ decision: Decision, limit: Int = 12) -> Counterexample? {
        guard let facts = decision.proofFacts else { return nil }
        var narrative: [String] = []
        var lines = Set<Int>()
        var proofEvents = Set<Int>()
        var forced: [ForcedStep] = []
        for (index, (before, after)) in facts.enumerated() {
            guard before < problem.commits.count, after < problem.commits.count else { continue }
            if index == limit {
                narrative.append("... and \(facts.count - limit) more ordering facts")
                break
            }
            let lower = problem.commits[before], higher = problem.commits[after]
            narrative.append("commit \(history.commits[lower.commit].id) (\(lower.offset)) must apply before commit \(history.commits[higher.commit].id) (\(higher.offset)):")
            let chain = ForcedChain.shortest(from: problem.points[before], to: problem.points[after], in: graph)
            for step in chain {
                for point in [step.from, step.to] {
                    for event in graph.events(of: point, history) {
                        lines.insert(history.events[event].line)
                        proofEvents.insert(event)
                    }
                }
            }
            forced += typed(chain)
            narrative += tell(chain)
        }
        for (index, commit) in history.commits.enumerated() where commit.group == problem.key.group {
            guard commit.offset(for: problem.key.partition) != nil,
                  history.applyStatus(of: index, on: problem.key.partition) == .notApplied else { continue }
            if let transaction = commit.transaction, history.transactions[transaction].outcome == .aborted,
               history.requestStatus(of: index, on: problem.key.partition) != .notApplied {
                let record = history.transactions[transaction]
                for end in record.ends { lines.insert(history.events[end].line); proofEvents.insert(end) }
                narrative.append("commit \(commit.id) never applies to \(problem.key.partition): transaction \(record.id) aborted, its offsets never became visible")
                continue
            }
            guard let ack = commit.ack else { continue }
            lines.insert(history.events[ack].line)
            proofEvents.insert(ack)
            narrative.append("commit \(commit.id) never applies to \(problem.key.partition): \(describe(point: graph.eventPoint[ack]))")
        }
        if narrative.isEmpty { narrative.append("at most one offset is ever applied to this key") }
        var example = Counterexample(summary: "why \(problem.key.partition) of group \(problem.key.group) cannot go backwards",
                                     narrative: narrative, lines: lines.sorted())
        example.evidence = Evidence(events: proofEvents.sorted().map { eventEvidence($0) }, forced: forced)
        return example
    }

    /// Where minimisation starts: the two commits' events, plus the chain of facts that forces
    /// their order when the verdict is `violated`; then every event of the key's commits.
    func seeds(for problem: OrderProblem, _ decision: Decision) -> [[Int]] {
        guard let (earlierSlot, laterSlot) = decision.regression else { return [] }
        let involved = [earlierSlot.map { problem.commits[$0].commit }, problem.commits[laterSlot].commit].compactMap { $0 }
        var story = involved.flatMap { events(ofCommit: $0) }
        if decision.verdict == .violated, let earlierSlot {
            for (point, _) in forcedPath(from: problem.points[earlierSlot], to: problem.points[laterSlot]) {
                story += graph.events(of: point, history)
            }
        }
        let keyEvents = problem.commits.flatMap { events(ofCommit: $0.commit) }
        return [story, story + keyEvents]
    }

    func events(ofCommit commit: Int) -> [Int] {
        let c = history.commits[commit]
        return [c.build, c.send, c.ack].compactMap { $0 } + c.applies
    }

    func counterexample(for problem: OrderProblem, _ decision: Decision, evidence: [Int]? = nil) -> Counterexample? {
        guard let (earlierSlot, laterSlot) = decision.regression else { return nil }
        let key = problem.key
        let later = problem.commits[laterSlot]
        let earlier = earlierSlot.map { problem.commits[$0] }
        let fromOffset = earlier?.offset ?? problem.initial ?? 0
        let summary: String
        if let earlier {
            summary = "\(key.partition) of group \(key.group) goes \(earlier.offset) -> \(later.offset): commit \(history.commits[later.commit].id) applies after commit \(history.commits[earlier.commit].id)"
        } else {
            summary = "\(key.partition) of group \(key.group) goes from its initial \(fromOffset) -> \(later.offset): commit \(history.commits[later.commit].id)"
        }

        // Order the two commits' points as the witness does, consistently with the whole history.
        let involved = [earlier?.commit, later.commit].compactMap { $0 }
        var wanted = Set<Int32>()
        for event in evidence ?? involved.flatMap({ events(ofCommit: $0) }) { wanted.insert(graph.eventPoint[event]) }
        for commit in involved {
            wanted.insert(graph.applyPoint[commit])
            wanted.insert(graph.visibilityPoint[commit])
        }
        let schedule: [Int32]
        if let witness = decision.witness {
            var extra: [(Int32, Int32)] = []
            for index in witness.indices.dropFirst() {
                extra.append((problem.points[witness[index - 1]], problem.points[witness[index]]))
            }
            schedule = Schedule.linearize(graph, history: history, adding: extra, keeping: wanted)
        } else {
            let pair = earlier.map { (graph.applyPoint[$0.commit], graph.applyPoint[later.commit]) }
            schedule = Schedule.order(Array(wanted), graph: graph, history: history, order: order, forcing: pair)
        }
        var narrative: [String] = []
        var steps: [String] = []
        var lines = Set<Int>()
        var storyEvents = Set<Int>()
        var witness: [EvidencePoint] = []
        for point in schedule {
            if let named = evidencePoint(point) { witness.append(named) }
            switch graph.kinds[Int(point)] {
            case .event(let index):
                let event = history.events[index]
                lines.insert(event.line)
                storyEvents.insert(index)
                narrative.append("\(pad(history.location(of: index)))\(actor(event)) \(describe(event))")
                steps.append("\(event.kind.rawValue) \(event.commit ?? event.fetch ?? "")")
            case .apply(let commit):
                let c = history.commits[commit]
                let offset = c.offset(for: key.partition) ?? 0
                let place = pad(c.applies.first.map { history.location(of: $0) } ?? "")
                var text: String
                if let transaction = c.transaction {
                    text = "\(place)coordinator stages commit \(c.id) in transaction \(history.transactions[transaction].id): \(key.partition) = \(offset) (not yet visible)"
                } else {
                    text = "\(place)broker applies commit \(c.id): \(key.partition) = \(offset)"
                    if c.reset { text += " (a reset: a new epoch)" }
                    if commit == later.commit { text += "   <- regression \(fromOffset) -> \(offset)" }
                }
                for apply in c.applies {
                    lines.insert(history.events[apply].line)
                    storyEvents.insert(apply)
                }
                narrative.append(text)
                steps.append("apply \(c.id)")
            case .visible(let index):
                let entry = graph.transactionCommits[index]
                let record = history.transactions[entry.transaction]
                let staged = involved.filter { history.commits[$0].transaction == entry.transaction }
                let values = staged.compactMap { commit in history.commits[commit].offset(for: key.partition).map { "\(key.partition) = \($0)" } }
                var text = "\(pad(""))transaction \(record.id) commits at the coordinator: its staged \(values.joined(separator: ", ")) become\(values.count == 1 ? "s" : "") visible"
                if staged.contains(later.commit) { text += "   <- regression \(fromOffset) -> \(later.offset)" }
                narrative.append(text)
                steps.append("visible \(record.id)")
            default: break
            }
        }
        narrative += transactionNotes(involved: involved, key: key)
        // A client trace joined with the wire: name the stale snapshot when the regressing commit was
        // built before the commit it overtook (the Sarama race of README.md's "Why",
        // histories/sarama-2940-seed.jsonl: G1 builds {P0:11} before G0 builds {P0:12}).
        if let earlier, let staleBuild = history.commits[later.commit].build {
            let newer = history.commits[earlier.commit]
            if let newerStart = newer.build ?? newer.send, order.precedes(graph.eventPoint[staleBuild], graph.eventPoint[newerStart]) {
                // The evidence lines stay the minimal set when there is one: these two explain, they are not needed.
                if evidence == nil {
                    lines.insert(history.events[staleBuild].line)
                    lines.insert(history.events[newerStart].line)
                    storyEvents.formUnion([staleBuild, newerStart])
                }
                let stale = history.commits[later.commit]
                narrative.append("stale snapshot: commit \(stale.id) was built (\(history.location(of: staleBuild))) before commit \(newer.id) was "
                                 + "\(newer.build != nil ? "built" : "sent") (\(history.location(of: newerStart))), and overtook it: its \(key.partition) = \(later.offset) was already out of date")
            }
        }
        var forced: [ForcedStep] = []
        if decision.verdict == .violated, let earlier {
            // Only the counterexample's own events may explain its order.
            let chain = ForcedChain.shortest(fromApplyOf: earlier.commit, toApplyOf: later.commit, within: evidence,
                                             history: history, graph: graph, key: problem.key, verdict: decision.verdict)
            forced = typed(chain)
            if !chain.isEmpty {
                narrative.append("why the order is forced (\(chain.count) step\(chain.count == 1 ? "" : "s")):")
                narrative += tell(chain)
                if evidence == nil {
                    for step in chain {
                        for point in [step.from, step.to] {
                            for event in graph.events(of: point, history) {
                                lines.insert(history.events[event].line)
                                storyEvents.insert(event)
                            }
                        }
                    }
                }
            }
        }
        var example = Counterexample(summary: summary, narrative: narrative, lines: lines.sorted(),
                                     earlierCommit: earlier.map { history.commits[$0.commit].id },
                                     laterCommit: history.commits[later.commit].id,
                                     fromOffset: fromOffset, toOffset: later.offset, schedule: steps)
        let evidenceEvents = evidence.map { Set($0) } ?? storyEvents
        example.evidence = Evidence(
            events: evidenceEvents.sorted { Schedule.priority(graph.eventPoint[$0], graph, history) < Schedule.priority(graph.eventPoint[$1], graph, history) }
                .map { eventEvidence($0) },
            // Where the two values became the committed one: apply points, or commit points of transactions.
            earlierApply: earlier.flatMap { evidencePoint(graph.visibilityPoint[$0.commit]) },
            laterApply: evidencePoint(graph.visibilityPoint[later.commit]),
            reads: witness.filter { $0.role == .read },
            forced: forced, witness: witness)
        return example
    }

    /// What the story says of each transaction it involves: where it was staged, whether and where
    /// it committed, and plain commits appended between its staging and its commit (they win).
    func transactionNotes(involved: [Int], key: PartitionKey) -> [String] {
        var notes: [String] = []
        var told = Set<Int>()
        for commit in involved {
            guard let transaction = history.commits[commit].transaction, told.insert(transaction).inserted else { continue }
            let record = history.transactions[transaction]
            let stagedAt = history.commits[commit].send.map { " (\(history.location(of: $0)))" } ?? ""
            var note = "commit \(history.commits[commit].id) is staged in transaction \(record.id)\(stagedAt); "
            switch record.outcome {
            case .committed:
                let end = record.firstCommitRequest(in: history.events).map { " after \(history.location(of: $0)) (its EndTxn)" } ?? ""
                note += "\(record.id) committed at the coordinator\(end): its offsets became visible there, not when they were staged"
            case .aborted: note += "\(record.id) aborted: its offsets never applied"
            case .undecided: note += "\(record.id) may commit or abort (\(record.ends.isEmpty ? "no EndTxn recorded" : "its EndTxn got no answer or an unknown one"))"
            }
            notes.append(note)
            for other in involved where other != commit && history.commits[other].transaction == nil
                && order.precedes(graph.applyPoint[commit], graph.applyPoint[other]) {
                notes.append("plain commit \(history.commits[other].id) was appended after \(record.id)'s staging, so it wins when \(record.id) commits")
            }
        }
        return notes
    }

    /// One line for a regression into a commit that looks like an operator's rewind: its client id
    /// made that one commit request in the group while other clients committed there (admin tools
    /// such as `kafka-consumer-groups --reset-offsets` commit once; consumers commit again and again).
    func resetHint(for problem: OrderProblem, _ decision: Decision) -> String? {
        guard let (_, laterSlot) = decision.regression else { return nil }
        let commit = history.commits[problem.commits[laterSlot].commit]
        guard !commit.reset, let client = commit.client else { return nil }
        let group = history.commits.filter { $0.group == commit.group }
        guard group.filter({ $0.client == client }).count == 1, group.contains(where: { $0.client != nil && $0.client != client }) else { return nil }
        return "hint: if commit \(commit.id) (client \(client)) was an intended reset, --reset-clients '\(Self.clientPattern(client))'"
    }

    /// A glob for a client id's family: its trailing number becomes `*` (`adminclient-1` → `adminclient-*`).
    static func clientPattern(_ client: String) -> String {
        let stem = client.reversed().drop { $0.isNumber }
        return stem.count < client.count && !stem.isEmpty ? String(stem.reversed()) + "*" : client
    }

    /// How a commit's write ends up on a partition, in words (the page's detail and the stories).
    static func effectPhrase(_ history: History, commit: Int, partition: TopicPartition) -> String {
        let effect = history.effect(of: commit, on: partition)
        var text: String
        switch effect.status {
        case .applied: text = "applies"
        case .maybe: text = effect.pendingTransaction != nil ? "may apply (its transaction may commit or abort)" : "may apply (unknown or no ack)"
        case .notApplied:
            if let transaction = history.commits[commit].transaction, history.transactions[transaction].outcome == .aborted {
                text = "does not apply (transaction \(history.transactions[transaction].id) aborted)"
            } else {
                text = "does not apply (failed)"
            }
        }
        if let transaction = history.commits[commit].transaction, effect.status != .notApplied {
            text += ", staged in transaction \(history.transactions[transaction].id), visible when it commits"
        }
        if effect.reset { text += "; a reset (a new epoch)" }
        return text
    }

    /// A transaction's outcome in words.
    static func outcomePhrase(_ outcome: TransactionOutcome) -> String {
        switch outcome {
        case .committed: "committed"
        case .aborted: "aborted: never visible"
        case .undecided: "may commit or abort"
        }
    }

    /// The typed form of a recorded event: its kind, commit or fetch, file and line, actor and time.
    func eventEvidence(_ index: Int) -> EvidencePoint {
        let event = history.events[index]
        let txn = event.txn ?? event.commit.flatMap { history.commitIndex[$0] }.flatMap { history.commits[$0].transaction }.map { history.transactions[$0].id }
        return EvidencePoint(role: .event, kind: event.kind.rawValue, commit: event.commit, fetch: event.fetch,
                             file: history.files.indices.contains(event.file) ? history.files[event.file] : nil,
                             line: event.line, proc: event.proc, thread: event.thread, ts: event.ts, txn: txn)
    }

    /// The typed form of a graph point (nil for a clock barrier, which stands for no event).
    func evidencePoint(_ point: Int32) -> EvidencePoint? {
        switch graph.kinds[Int(point)] {
        case .event(let index): return eventEvidence(index)
        case .apply(let commit):
            return EvidencePoint(role: .apply, commit: history.commits[commit].id,
                                 txn: history.commits[commit].transaction.map { history.transactions[$0].id })
        case .read(let fetch): return EvidencePoint(role: .read, fetch: history.fetches[fetch].id)
        case .visible(let index): return EvidencePoint(role: .visible, txn: history.transactions[graph.transactionCommits[index].transaction].id)
        case .clockBarrier: return nil
        }
    }

    /// A forced chain as typed steps.
    func typed(_ chain: [ForcedChain.Step]) -> [ForcedStep] {
        chain.compactMap { step in
            guard let from = evidencePoint(step.from), let to = evidencePoint(step.to) else { return nil }
            return ForcedStep(from: from, to: to, reason: step.reason)
        }
    }

    /// A forced chain told one fact per line: where it starts, then each step with its reason.
    func tell(_ chain: [ForcedChain.Step]) -> [String] {
        guard let first = chain.first else { return [] }
        return ["  \(describe(point: first.from))"] + chain.map { "  then (\($0.reason.label)) \(describe(point: $0.to))" }
    }

    private func pad(_ location: String) -> String {
        location + String(repeating: " ", count: max(2, 10 - location.count))
    }

    private func actor(_ event: TraceEvent) -> String {
        event.thread == "main" ? event.proc : "\(event.proc)/\(event.thread)"
    }

    private func offsetsText(_ offsets: [(TopicPartition, Int)]) -> String {
        "{" + offsets.map { "\($0.0): \($0.1)" }.joined(separator: ", ") + "}"
    }

    func describe(_ event: TraceEvent) -> String {
        switch event.payload {
        case .build(let build):
            return "builds \(build.reset ? "reset " : "")commit \(build.commit) \(offsetsText(build.offsets))\(build.txn.map { " in transaction \($0)" } ?? "")"
        case .send(let send):
            let commit = history.commitIndex[send.commit].map { history.commits[$0] }
            let offsets = commit?.offsets ?? []
            let staged = commit?.transaction.map { " staged in transaction \(history.transactions[$0].id)" } ?? ""
            let reset = commit?.reset == true ? "reset " : ""
            return "sends \(reset)commit \(send.commit) \(offsetsText(offsets))\(staged)\(send.conn.map { " on connection \($0)" } ?? "")"
                + (send.client.map { " (client \($0))" } ?? "")
        case .ack(let ack):
            var text = "gets ack \(ack.status.rawValue) for commit \(ack.commit)"
            if let errors = ack.errors, !errors.isEmpty {
                text += " (errors: " + errors.map { "\($0.0) \($0.1)" }.joined(separator: ", ") + ")"
            }
            return text
        case .apply(let apply): return "observes commit \(apply.commit) applied"
        case .fetch(let request): return "fetches \(request.fetch)"
        case .fetched(let response): return "receives fetch \(response.fetch) \(offsetsText(response.offsets))"
        case .end(let end): return "asks to \(end.result.rawValue) transaction \(end.txn) (EndTxn)"
        case .ended(let ended): return "gets answer \(ended.status.rawValue) to the EndTxn of transaction \(ended.txn)\(ended.error.map { " (\($0))" } ?? "")"
        case .completed(let completed): return "observes transaction \(completed.txn) completed"
        case .meta: return "meta"
        }
    }

    func describe(point: Int32) -> String {
        switch graph.kinds[Int(point)] {
        case .event(let index): return "\(history.location(of: index)): \(actor(history.events[index])) \(describe(history.events[index]))"
        case .apply(let commit): return "commit \(history.commits[commit].id) applies"
        case .read(let fetch): return "fetch \(history.fetches[fetch].id) reads"
        case .visible(let index): return "transaction \(history.transactions[graph.transactionCommits[index].transaction].id) commits at the coordinator"
        case .clockBarrier: return "(timestamps)"
        }
    }

    /// A shortest chain of forced steps from one point to another, skipping clock barriers.
    func forcedPath(from: Int32, to: Int32) -> [(Int32, OrderReason?)] {
        var parent: [Int32: Int32] = [:]
        var queue: [Int32] = [from]
        var head = 0
        let limit = graph.topologicalPosition[Int(to)]
        while head < queue.count {
            let point = queue[head]
            head += 1
            if point == to { break }
            for next in graph.successors(of: point) where parent[next] == nil && next != from && graph.topologicalPosition[Int(next)] <= limit {
                parent[next] = point
                queue.append(next)
            }
        }
        guard parent[to] != nil else { return [] }
        var path: [Int32] = [to]
        while let previous = parent[path.last!] { path.append(previous) }
        path.reverse()
        var result: [(Int32, OrderReason?)] = []
        for (index, point) in path.enumerated() {
            let reason = index == 0 ? nil : graph.reason(from: path[index - 1], to: point)
            if graph.kinds[Int(point)] == .clockBarrier { continue }
            result.append((point, reason))
        }
        return result
    }
}

/// Linear extensions of the whole history's order, for telling stories in a consistent order.
enum Schedule {
    /// Orders a few points consistently with the history plus one forced pair `a < b`.
    ///
    /// Any order of a subset that respects the (closed) partial order extends to a whole schedule,
    /// so ordering just the points of the story is enough, at a cost quadratic in the story only.
    static func order(_ points: [Int32], graph: OrderGraph, history: History, order: HappensBefore, forcing pair: (Int32, Int32)?) -> [Int32] {
        func atMost(_ u: Int32, _ v: Int32) -> Bool { u == v || order.precedes(u, v) }
        func before(_ u: Int32, _ v: Int32) -> Bool {
            if u == v { return false }
            if order.precedes(u, v) { return true }
            if let (a, b) = pair { return atMost(u, a) && atMost(b, v) }
            return false
        }
        var remaining = points.sorted { priority($0, graph, history) < priority($1, graph, history) }
        var result: [Int32] = []
        while !remaining.isEmpty {
            let index = remaining.firstIndex { candidate in !remaining.contains { $0 != candidate && before($0, candidate) } } ?? 0
            result.append(remaining.remove(at: index))
        }
        return result
    }

    /// Events keep their trace order; an apply point sits just after its send.
    static func priority(_ point: Int32, _ graph: OrderGraph, _ history: History) -> Double {
        switch graph.kinds[Int(point)] {
        case .event(let index): return Double(index)
        case .apply(let commit):
            let c = history.commits[commit]
            return Double(c.applies.first ?? c.send ?? c.build ?? 0) + 0.5
        case .read(let fetch): return Double(history.fetches[fetch].fetch ?? 0) + 0.5
        case .visible(let index):
            let transaction = history.transactions[graph.transactionCommits[index].transaction]
            return Double(transaction.firstCommitRequest(in: history.events) ?? transaction.commits.compactMap { history.commits[$0].send }.max() ?? 0) + 0.5
        case .clockBarrier: return -1
        }
    }

    /// A linear extension of the graph plus `extra` edges that keeps close to the trace's own order,
    /// restricted to the points in `keeping`.
    static func linearize(_ graph: OrderGraph, history: History, adding extra: [(Int32, Int32)], keeping: Set<Int32>) -> [Int32] {
        let count = graph.pointCount
        var indegree = [Int32](repeating: 0, count: count)
        for target in graph.successors { indegree[Int(target)] += 1 }
        var extraSuccessors: [Int32: [Int32]] = [:]
        for (from, to) in extra {
            extraSuccessors[from, default: []].append(to)
            indegree[Int(to)] += 1
        }
        func priority(_ point: Int32) -> Double { Schedule.priority(point, graph, history) }
        var heap = MinHeap<(Double, Int32)>(by: { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) })
        for point in 0..<count where indegree[point] == 0 { heap.push((priority(Int32(point)), Int32(point))) }
        var result: [Int32] = []
        while let (_, point) = heap.pop() {
            if keeping.contains(point) { result.append(point) }
            for next in graph.successors(of: point) {
                indegree[Int(next)] -= 1
                if indegree[Int(next)] == 0 { heap.push((priority(next), next)) }
            }
            for next in extraSuccessors[point] ?? [] {
                indegree[Int(next)] -= 1
                if indegree[Int(next)] == 0 { heap.push((priority(next), next)) }
            }
        }
        return result
    }
}
