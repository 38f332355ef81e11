import Dispatch

/// Shrinks a bad key's evidence to a 1-minimal sub-history that still gets the same verdict.
///
/// Delta debugging over events: start from a small set that already shows the verdict (the two
/// commits' events plus the chain of facts that forces their order), then remove chunks and single
/// events while the sub-trace, written out and verified again from scratch, keeps the verdict. What
/// comes out is 1-minimal: dropping any one of its events lifts the verdict (or leaves a sub-trace
/// that is no longer valid input, such as a commit without offsets). Every candidate goes through the
/// whole pipeline again, so the sub-trace a user re-verifies gets exactly the verdict shown.
public struct Minimizer {
    public let history: History
    public let key: PartitionKey
    /// The verdict to keep: `violated` or `possible`.
    public let verdict: Verdict
    /// The property the verdict is about.
    public var property: Property = .monotonic
    /// Wall-clock budget in seconds; when it runs out the current set is returned as not minimal.
    /// Each re-verification gets the rest of the budget as its solver timeout, so one hard candidate
    /// cannot overrun it.
    public var budget: Double
    /// Stops minimising (the current set is returned as not minimal) when cancelled (SIGINT).
    public var cancellation: Cancellation? = nil

    public init(history: History, key: PartitionKey, verdict: Verdict, budget: Double = 10) {
        self.history = history
        self.key = key
        self.verdict = verdict
        self.budget = budget
    }

    /// The outcome: event indices (ascending) and whether they are known to be 1-minimal.
    public struct Result: Sendable {
        public var events: [Int]
        public var minimal: Bool
    }

    /// Minimises, starting from the first of `seeds` that shows the verdict (the whole history last).
    public func minimize(seeds: [[Int]]) -> Result {
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(budget, 0) * 1e9)
        func outOfTime() -> Bool {
            DispatchTime.now().uptimeNanoseconds > deadline || cancellation?.isCancelled == true
        }
        var current = Array(history.events.indices)
        // A candidate the solver could not decide in time is kept out, but then 1-minimality is not
        // proven: dropping that event might have kept the verdict.
        var inconclusive = false
        for seed in seeds {
            if outOfTime() { return Result(events: current, minimal: false) }
            let candidate = Array(Set(seed)).sorted()
            if shows(candidate, deadline: deadline, inconclusive: &inconclusive) { current = candidate; break }
        }
        var chunk = max(current.count / 2, 1)
        while true {
            var removedAny = false
            var start = 0
            while start < current.count {
                if outOfTime() { return Result(events: current, minimal: false) }
                let end = min(start + chunk, current.count)
                let candidate = Array(current[..<start]) + Array(current[end...])
                if !candidate.isEmpty && shows(candidate, deadline: deadline, inconclusive: &inconclusive) {
                    current = candidate
                    removedAny = true
                } else {
                    start = end
                }
            }
            if chunk == 1 && !removedAny { return Result(events: current, minimal: !inconclusive) }
            if !removedAny { chunk = max(chunk / 2, 1) }
        }
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
    public func shows(_ events: [Int]) -> Bool {
        var inconclusive = false
        return shows(events, deadline: nil, inconclusive: &inconclusive)
    }

    /// The same, with the solver stopped at `deadline` (a candidate it cannot decide in time does
    /// not show the verdict, so minimisation keeps the events it could not drop).
    private func shows(_ events: [Int], deadline: UInt64?, inconclusive: inout Bool) -> Bool {
        var options = Self.recheckOptions
        options.cancellation = cancellation
        if let deadline {
            let now = DispatchTime.now().uptimeNanoseconds
            guard now < deadline else { return false }
            options.timeout = max(Double(deadline - now) / 1e9, 0.01)
        }
        guard let sub = try? TraceReader().read(bytes: Array(subTrace(events).utf8), name: "counterexample"),
              let report = try? Verifier(options: options).verify(history: sub) else { return false }
        let result = report.keys.first {
            $0.group == key.group && $0.topic == key.partition.topic && $0.partition == key.partition.partition
                && $0.property == property
        }
        if result?.verdict == .unknown { inconclusive = true }
        return result?.verdict == verdict
    }

    /// The events as a `commitcheck/1` document: meta first, sends carrying offsets when their build is gone.
    public func subTrace(_ events: [Int], extraMeta: [(String, String)] = []) -> String {
        let kept = Set(events)
        var text = TraceLineWriter.metaLine(history.meta, extra: extraMeta) + "\n"
        for index in events.sorted() {
            let event = history.events[index]
            var carry = false
            if event.kind == .send, let commit = history.commitIndex[event.commit!], let build = history.commits[commit].build {
                carry = !kept.contains(build)
            }
            text += TraceLineWriter.line(event, history: history, carryOffsets: carry) + "\n"
        }
        return text
    }
}
