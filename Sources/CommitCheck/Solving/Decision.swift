/// The procedure that decided a key (the report's `engine` field).
public enum DecisionProcedure: String, Codable, Sendable {
    /// The fast path over the partial order (``GraphDecider``), or the read placement on it.
    case graph
    /// The SMT solver.
    case z3
}

/// A decided key: the verdict and, for bad verdicts, a witness the report can tell as a story.
public struct Decision: Sendable {
    public var verdict: Verdict
    /// Why, in a sentence (Z3's reason for `unknown`).
    public var reason: String?
    /// Which procedure decided it.
    public var engine: DecisionProcedure
    /// Slots of a regressing pair: the higher offset applied first, then the lower one.
    /// `earlier == nil` means the regression is from the initial offset.
    public var regression: (earlier: Int?, later: Int)?
    /// A witness order of the problem's slots (for `violated` and `possible`).
    public var witness: [Int]?
    /// The commit slots that apply in the witness.
    public var witnessApplied: Set<Int>?
    /// For `holds`: the ordering facts the proof rests on, as (before, after) slot pairs.
    public var proofFacts: [(Int, Int)]?
    /// The `linearizable` verdict when the key has fetch results (rule 7).
    public var reads: ReadsDecision?

    public init(verdict: Verdict, reason: String? = nil, engine: DecisionProcedure,
                regression: (earlier: Int?, later: Int)? = nil, witness: [Int]? = nil, witnessApplied: Set<Int>? = nil) {
        self.verdict = verdict
        self.reason = reason
        self.engine = engine
        self.regression = regression
        self.witness = witness
        self.witnessApplied = witnessApplied
    }
}

/// Whether a key's fetch results fit some consistent schedule, and if not, which reads clash.
public struct ReadsDecision: Sendable {
    public var verdict: Verdict
    public var reason: String?
    /// For `violated`: a minimal set of reads (indices into ``OrderProblem/reads``) no schedule explains together.
    public var clashingReads: [Int] = []
}

/// How far a bad key's committed offset goes back: a value reached before minus a lower one applied
/// later (a drawdown), which is what a consumer restarting then would consume again.
public struct RegressionSize: Sendable, Equatable {
    /// The most some consistent schedule loses.
    public var largest: Int
    /// For `violated`: the least every consistent schedule loses.
    public var guaranteed: Int?

    public init(largest: Int, guaranteed: Int? = nil) {
        self.largest = largest
        self.guaranteed = guaranteed
    }
}
