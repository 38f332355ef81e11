/// What really happened at the simulated broker: the order it applied offsets in, per key.
///
/// This is the register history the verifier never sees; calibration and the sweep measure
/// regressions here, not from verdicts, so that a checker change cannot move the reference.
public struct GroundTruth: Sendable, Equatable {
    /// Applied offsets per key (`topic/partition`), in apply order.
    public var applied: [String: [Int]] = [:]
    /// Commit requests sent.
    public var requests = 0
    /// Pairs of applied requests that carry different offsets of one partition and were sent in the
    /// other order than they were built: the race window of #2940 actually interleaved.
    public var racingPairs = 0
    /// Pairs of requests in flight (sent, not answered) at the same time.
    public var overlappingPairs = 0

    /// The largest drop per key (offsets re-consumed after a restart), for keys that regressed: the
    /// committed value going back from the one before it.
    public var regressions: [String: Int] {
        var result: [String: Int] = [:]
        for (key, offsets) in applied {
            let drop = zip(offsets, offsets.dropFirst()).map { $0 - $1 }.max() ?? 0
            if drop > 0 { result[key] = drop }
        }
        return result
    }

    /// How many times a committed value went back, over all keys.
    public var regressionCount: Int {
        applied.values.map { offsets in zip(offsets, offsets.dropFirst()).filter { $0 > $1 }.count }.reduce(0, +)
    }

    /// Keys whose last committed value is below the highest one committed: a restart would
    /// re-consume messages even after a clean finish.
    public var wrongFinalKeys: [String] {
        applied.filter { _, offsets in (offsets.last ?? 0) < (offsets.max() ?? 0) }.map(\.key).sorted()
    }

    public var regressed: Bool { !regressions.isEmpty }
}
