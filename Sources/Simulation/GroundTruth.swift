/// What really happened at the simulated broker: the order it applied offsets in, per key.
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

    /// The largest drop per key (offsets re-consumed after a restart), for keys that regressed.
    public var regressions: [String: Int] {
        var result: [String: Int] = [:]
        for (key, offsets) in applied {
            var current = Int.min
            var drop = 0
            for offset in offsets {
                if offset < current { drop = max(drop, current - offset) }
                current = offset
            }
            if drop > 0 { result[key] = drop }
        }
        return result
    }

    public var regressed: Bool { !regressions.isEmpty }
}
