/// One way to decide whether a key's applied offsets can go backwards, from its order problem.
///
/// The graph fast path, the solver and `--engine auto` all have this shape, so the run asks one
/// decider and never branches on the engine itself.
protocol KeyDecider: Sendable {
    /// The verdict, or `nil` when this decider cannot decide the problem exactly (the graph fast
    /// path with FIFO choices or reads open). It may shrink `problem` (projection, pruning); the
    /// decision's slots index the problem as it is left.
    func decide(_ problem: inout OrderProblem) throws -> Decision?
}

/// The fast path: the partial order alone (``GraphDecider``), exact when no FIFO choice or read is open.
struct GraphKeyDecider: KeyDecider {
    let order: HappensBefore
    let graph: OrderGraph

    func decide(_ problem: inout OrderProblem) throws -> Decision? {
        GraphDecider.decide(problem, order: order, graph: graph)
    }
}

/// Z3 on the problem cut down to the commits that can matter (all of them with `--explain`, which
/// names the ordering facts of every commit).
struct SolverKeyDecider: KeyDecider {
    let graph: OrderGraph
    let solver: @Sendable (_ explain: Bool) -> Z3Decider
    let explain: Bool

    func decide(_ problem: inout OrderProblem) throws -> Decision? {
        if explain {
            if problem.edges.isEmpty { problem.project(graph: graph) }
        } else {
            problem = problem.pruned(graph: graph)
        }
        return try solver(explain).decide(problem)
    }
}

/// The engine a run uses: the fast path where it is exact (`--engine auto`; none with
/// `--engine z3`), the solver for the rest, and the choice of which regression the story tells.
///
/// The story fix-up lives here, once: when the history itself forces a pair of commits into
/// decreasing order, that pair is told (a short chain of recorded facts proves it, and the minimal
/// sub-trace then shows the same pair), not the solver's witness, which names the first regressing
/// pair of one schedule that other schedules may avoid.
struct EngineKeyDecider: KeyDecider {
    let fastPath: GraphKeyDecider?
    let solver: SolverKeyDecider
    let order: HappensBefore
    let graph: OrderGraph

    func decide(_ problem: inout OrderProblem) throws -> Decision? {
        if let fastPath, let fast = try fastPath.decide(&problem) { return fast }
        guard var decision = try solver.decide(&problem) else { return nil }
        if decision.verdict == .violated, !problem.needsGeneralModel, let forced = GraphDecider.forcedDecrease(problem, order: order, graph: graph) {
            decision.regression = forced
            decision.witness = nil
            decision.witnessApplied = nil
        }
        return decision
    }
}
