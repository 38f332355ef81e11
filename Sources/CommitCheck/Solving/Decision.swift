/// The procedure that decided a key (the report's `engine` field).
package enum DecisionProcedure: String, Codable, Sendable {
    /// The fast path over the partial order (``GraphDecider``), or the read placement on it.
    case graph
    /// The SMT solver.
    case z3
}

/// A decided key: the verdict and, for bad verdicts, a witness the report can tell as a story.
package struct Decision: Sendable {
    package var verdict: Verdict
    /// Why, in a sentence (Z3's reason for `unknown`).
    package var reason: String?
    /// Which procedure decided it.
    package var engine: DecisionProcedure
    /// Slots of a regressing pair: the higher offset applied first, then the lower one.
    /// `earlier == nil` means the regression is from the initial offset.
    package var regression: (earlier: Int?, later: Int)?
    /// A witness order of the problem's slots (for `violated` and `possible`).
    package var witness: [Int]?
    /// The commit slots that apply in the witness.
    package var witnessApplied: Set<Int>?
    /// For `holds`: the ordering facts the proof rests on, as (before, after) slot pairs.
    package var proofFacts: [(Int, Int)]?
    /// The `linearizable` verdict when the key has fetch results (rule 7).
    package var reads: ReadsDecision?

    package init(verdict: Verdict, reason: String? = nil, engine: DecisionProcedure,
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
package struct ReadsDecision: Sendable {
    package var verdict: Verdict
    package var reason: String?
    /// For `violated`: a minimal set of reads (indices into ``OrderProblem/reads``) no schedule explains together.
    package var clashingReads: [Int] = []
}

/// How far a bad key's committed offset goes back: a value reached before minus a lower one applied
/// later (a drawdown), which is what a consumer restarting then would consume again.
package struct RegressionSize: Sendable, Equatable {
    /// The most some consistent schedule loses.
    package var largest: Int
    /// For `violated`: the least every consistent schedule loses.
    package var guaranteed: Int?

    package init(largest: Int, guaranteed: Int? = nil) {
        self.largest = largest
        self.guaranteed = guaranteed
    }
}
