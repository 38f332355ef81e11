import Dispatch

/// Shrinks a bad key's evidence to a 1-minimal sub-history that still gets the same verdict.
///
/// Delta debugging over events: start from a small set that already shows the verdict (the two
/// commits' events plus the chain of facts that forces their order), then remove chunks and single
/// events while the sub-trace, written out and verified again from scratch, keeps the verdict. What
/// comes out is 1-minimal: dropping any one of its events lifts the verdict (or leaves a sub-trace
/// that is no longer valid input, such as a commit without offsets). Every candidate goes through the
/// whole pipeline again, so the sub-trace a user re-verifies gets exactly the verdict shown.
package struct Minimizer {
    package let history: History
    package let key: PartitionKey
    /// The verdict to keep: `violated` or `possible`.
    package let verdict: Verdict
    /// The property the verdict is about.
    package var property: Property = .monotonic
    /// Wall-clock budget in seconds; when it runs out the current set is returned as not minimal.
    /// Each re-verification gets the rest of the budget as its solver timeout, so one hard candidate
    /// cannot overrun it.
    package var budget: Double
    /// Stops minimising (the current set is returned as not minimal) when cancelled (SIGINT).
    package var cancellation: Cancellation? = nil
    /// Verifies a candidate sub-history and gives the key's verdict for ``property`` (`nil`: the key
    /// is not in it). The minimiser does not know the verifier: the run that asks for the
    /// counterexample hands itself in, so nothing loops back and no flag stops a recursion.
    package var recheck: @Sendable (History, VerifyOptions) -> Verdict?

    package init(history: History, key: PartitionKey, verdict: Verdict, budget: Double = 10,
                property: Property = .monotonic,
                recheck: @escaping @Sendable (History, VerifyOptions) -> Verdict?) {
        self.history = history
        self.key = key
        self.verdict = verdict
        self.budget = budget
        self.property = property
        self.recheck = recheck
    }

    /// The outcome: event indices (ascending) and whether they are known to be 1-minimal.
    package struct Result: Sendable {
        package var events: [Int]
        package var minimal: Bool
    }

    /// Minimises, starting from the first of `seeds` that shows the verdict (the whole history last).
    package func minimize(seeds: [[Int]]) -> Result {
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(budget, 0) * 1e9)
        func outOfTime() -> Bool {
            DispatchTime.now().uptimeNanoseconds > deadline || cancellation?.isCancelled == true
        }
        // The whole history is the last seed; it is listed only when no small seed shows the
        // verdict (listing it per key would make many small keys cost keys × events).
        var shown: [Int]? = nil
        for seed in seeds {
            if outOfTime() { return Result(events: shown ?? Array(history.events.indices), minimal: false) }
            let candidate = Array(Set(seed)).sorted()
            if check(candidate, deadline: deadline) == true { shown = candidate; break }
        }
        // A candidate the solver could not decide in time is kept, but then 1-minimality is not
        // proven: dropping that event might have kept the verdict.
        let outcome = DeltaDebugging.shrink(shown ?? Array(history.events.indices), shouldStop: outOfTime) { candidate in
            check(candidate, deadline: deadline)
        }
        return Result(events: outcome.kept, minimal: outcome.minimal)
    }

    /// Re-verification without nested minimisation, on the calling thread.
    static let recheckOptions: VerifyOptions = {
        var options = VerifyOptions(engine: .auto)
        options.minimize = false
        options.evidence = false
        options.armsDeadlineTimer = false
        options.jobs = 1
        return options
    }()

    /// Whether a sub-history, written out and verified again, gives the key the same verdict.
    package func shows(_ events: [Int]) -> Bool {
        check(events, deadline: nil) == true
    }

    /// Whether the sub-history shows the verdict: `nil` when its re-check was undecided (the solver
    /// stopped at `deadline`), `false` when it is not valid input or gets another verdict.
    private func check(_ events: [Int], deadline: UInt64?) -> Bool? {
        var options = Self.recheckOptions
        options.cancellation = cancellation
        if let deadline {
            let now = DispatchTime.now().uptimeNanoseconds
            guard now < deadline else { return nil }
            options.timeout = max(Double(deadline - now) / 1e9, 0.01)
        }
        // A candidate that is not valid input (a commit left without offsets) cannot be the evidence.
        guard let sub = try? subHistory(events) else { return false }
        let verdict = recheck(sub, options)
        if verdict == .unknown { return nil }
        return verdict == self.verdict
    }

    /// The history ``subTrace(_:extraMeta:)`` reads back as, built from the events without the
    /// text round trip (a candidate is checked many times per key; the lines are written once, for
    /// the result). The same builder enforces the same rules, so an invalid candidate fails here as
    /// its text would, and `CounterexampleTests` re-reads every written sub-trace to its verdict.
    func subHistory(_ events: [Int]) throws(TraceError) -> History {
        var builder = HistoryBuilder(files: ["counterexample"])
        var settings = history.meta
        settings.counterexample = nil
        try builder.add(TraceEvent(line: 1, payload: .meta(settings)))
        let kept = Set(events)
        for (number, index) in events.sorted().enumerated() {
            var event = history.events[index]
            event.file = 0
            event.line = number + 2
            if case .send(let send) = event.payload, let commit = history.commitIndex[send.commit] {
                let build = history.commits[commit].build
                event.payload = .send(history.selfContained(send, of: commit, carrying: send.carried == nil && build.map { !kept.contains($0) } == true))
            }
            try builder.add(event)
        }
        return try builder.finish()
    }

    /// The events as a `commitcheck/1` document: meta first, sends carrying offsets when their build is gone.
    package func subTrace(_ events: [Int], extraMeta: [(String, String)] = []) -> String {
        let kept = Set(events)
        var text = TraceLineWriter.metaLine(history.meta, extra: extraMeta) + "\n"
        for index in events.sorted() {
            let event = history.events[index]
            var carry = false
            if case .send(let send) = event.payload, let commit = history.commitIndex[send.commit], let build = history.commits[commit].build {
                carry = !kept.contains(build)
            }
            text += TraceLineWriter.line(event, history: history, carryOffsets: carry) + "\n"
        }
        return text
    }
}
