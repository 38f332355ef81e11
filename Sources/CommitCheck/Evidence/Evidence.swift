/// The typed evidence behind a verdict: the recorded events it rests on, the regressing pair's apply
/// points, the shortest chain of forced orders and the witness schedule.
///
/// Built once by the verifier (``Storyteller``) and rendered by every reporter; the narrative is one
/// rendering of it, not its source.
public struct Evidence: Codable, Sendable, Equatable {
    /// The recorded events the evidence rests on, in witness (or trace) order, with file and line.
    public var events: [EvidencePoint]
    /// For a regression: the apply point of the commit that applies first (absent when the key
    /// regresses against its initial offset).
    public var earlierApply: EvidencePoint?
    /// For a regression: the apply point of the commit that applies later, with the lower offset.
    public var laterApply: EvidencePoint?
    /// Read points of fetches in the evidence.
    public var reads: [EvidencePoint]
    /// For `violated`: the shortest chain of forced orders from `earlierApply` to `laterApply`
    /// (fewest steps, preferring facts recorded in the trace over inferred connection order); for
    /// `holds` with `--explain`: the chains behind the proof's ordering facts, one after another.
    public var forced: [ForcedStep]
    /// A witness schedule of the evidence points, in order.
    public var witness: [EvidencePoint]

    public init(events: [EvidencePoint] = [], earlierApply: EvidencePoint? = nil, laterApply: EvidencePoint? = nil,
                reads: [EvidencePoint] = [], forced: [ForcedStep] = [], witness: [EvidencePoint] = []) {
        self.events = events
        self.earlierApply = earlierApply
        self.laterApply = laterApply
        self.reads = reads
        self.forced = forced
        self.witness = witness
    }

    /// The files the evidence's events come from, in order of first appearance.
    public var files: [String] {
        var seen = Set<String>()
        return events.compactMap(\.file).filter { seen.insert($0).inserted }
    }
}
