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
    public var budget: Double

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
        var current = Array(history.events.indices)
        for seed in seeds {
            let candidate = Array(Set(seed)).sorted()
            if shows(candidate) { current = candidate; break }
        }
        var chunk = max(current.count / 2, 1)
        while true {
            var removedAny = false
            var start = 0
            while start < current.count {
                if DispatchTime.now().uptimeNanoseconds > deadline { return Result(events: current, minimal: false) }
                let end = min(start + chunk, current.count)
                let candidate = Array(current[..<start]) + Array(current[end...])
                if !candidate.isEmpty && shows(candidate) {
                    current = candidate
                    removedAny = true
                } else {
                    start = end
                }
            }
            if chunk == 1 && !removedAny { return Result(events: current, minimal: true) }
            if !removedAny { chunk = max(chunk / 2, 1) }
        }
    }

    /// Re-verification without nested minimisation, on the calling thread.
    static let recheckOptions: VerifyOptions = {
        var options = VerifyOptions(engine: .auto)
        options.minimize = false
        options.jobs = 1
        return options
    }()

    /// Whether a sub-history, written out and verified again, gives the key the same verdict.
    public func shows(_ events: [Int]) -> Bool {
        guard let sub = try? TraceReader().read(bytes: Array(subTrace(events).utf8), name: "counterexample"),
              let report = try? Verifier(options: Self.recheckOptions).verify(history: sub) else { return false }
        return report.keys.contains {
            $0.group == key.group && $0.topic == key.partition.topic && $0.partition == key.partition.partition
                && $0.property == property && $0.verdict == verdict
        }
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
