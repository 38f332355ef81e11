import CZ3

/// The outcome of a satisfiability check.
public enum SolverResult: Equatable, Sendable {
    case satisfiable
    case unsatisfiable
    /// Z3 gave up; the reason is Z3's own (`timeout`, `canceled`, `max. memory exceeded`, ...).
    case unknown(reason: String)
}

/// A reference-counted Z3 solver bound to one context.
public final class Z3Solver {
    public let context: Z3Context
    let raw: Z3_solver

    /// Creates a solver for a logic such as `QF_IDL` (difference logic), or a general one.
    ///
    /// - Parameter timeoutMilliseconds: per-check budget; past it a check answers `.unknown`.
    public init(context: Z3Context, logic: String? = "QF_IDL", timeoutMilliseconds: UInt32? = nil) throws(Z3Error) {
        self.context = context
        let ctx = context.raw
        let made: Z3_solver?
        if let logic {
            made = Z3_mk_solver_for_logic(ctx, Z3_mk_string_symbol(ctx, logic))
        } else {
            made = Z3_mk_solver(ctx)
        }
        try context.check()
        guard let made else { throw Z3Error(code: 0, message: "Z3 made no solver") }
        raw = made
        Z3_solver_inc_ref(ctx, raw)
        let params = Z3_mk_params(ctx)!
        Z3_params_inc_ref(ctx, params)
        // Z3 installs its own SIGINT handler around each check unless told not to, and a Ctrl-C
        // then stops only that check: the program's own handler (which stops the whole run and
        // reports what is decided) never sees it. Interruption goes through `Z3Context.interrupt`.
        Z3_params_set_bool(ctx, params, Z3_mk_string_symbol(ctx, "ctrl_c"), false)
        if let timeoutMilliseconds {
            Z3_params_set_uint(ctx, params, Z3_mk_string_symbol(ctx, "timeout"), timeoutMilliseconds)
        }
        Z3_solver_set_params(ctx, raw, params)
        Z3_params_dec_ref(ctx, params)
        try context.check()
    }

    deinit { Z3_solver_dec_ref(context.raw, raw) }

    public func assert(_ term: Term) throws(Z3Error) {
        Z3_solver_assert(context.raw, raw, term.raw)
        try context.check()
    }

    public func push() throws(Z3Error) {
        Z3_solver_push(context.raw, raw)
        try context.check()
    }

    public func pop(_ levels: UInt32 = 1) throws(Z3Error) {
        Z3_solver_pop(context.raw, raw, levels)
        try context.check()
    }

    /// Checks the asserted terms, under the given assumption literals if any.
    public func check(assuming assumptions: [Term] = []) throws(Z3Error) -> SolverResult {
        if context.isInterrupted { return .unknown(reason: "canceled") }
        let answer: Z3_lbool
        if assumptions.isEmpty {
            answer = Z3_solver_check(context.raw, raw)
        } else {
            answer = context.withRawArray(assumptions) {
                Z3_solver_check_assumptions(context.raw, raw, UInt32(assumptions.count), $0)
            }
        }
        try context.check()
        switch answer {
        case Z3_L_TRUE: return .satisfiable
        case Z3_L_FALSE: return .unsatisfiable
        default:
            let reason = String(cString: Z3_solver_get_reason_unknown(context.raw, raw))
            return .unknown(reason: reason)
        }
    }

    /// The model of the last satisfiable check.
    public func model() throws(Z3Error) -> Z3Model {
        let model = Z3_solver_get_model(context.raw, raw)
        try context.check()
        guard let model else { throw Z3Error(code: 0, message: "no model") }
        return Z3Model(context: context, raw: model)
    }

    /// The assumption literals of the last unsatisfiable check that Z3 used (not minimal).
    public func unsatCore() throws(Z3Error) -> [Term] {
        let vector = Z3_solver_get_unsat_core(context.raw, raw)
        try context.check()
        guard let vector else { return [] }
        Z3_ast_vector_inc_ref(context.raw, vector)
        defer { Z3_ast_vector_dec_ref(context.raw, vector) }
        var core: [Term] = []
        for index in 0..<Z3_ast_vector_size(context.raw, vector) {
            core.append(try context.own(Z3_ast_vector_get(context.raw, vector, index)))
        }
        return core
    }
}

/// A model: values for the constants of a satisfiable check.
public final class Z3Model {
    let context: Z3Context
    let raw: Z3_model

    init(context: Z3Context, raw: Z3_model) {
        self.context = context
        self.raw = raw
        Z3_model_inc_ref(context.raw, raw)
    }

    deinit { Z3_model_dec_ref(context.raw, raw) }

    /// The integer value of a term, completing the model where the term is unconstrained.
    public func intValue(_ term: Term) throws(Z3Error) -> Int {
        var result: Z3_ast? = nil
        guard Z3_model_eval(context.raw, raw, term.raw, true, &result), let result else {
            try context.check()
            throw Z3Error(code: 0, message: "cannot evaluate term in model")
        }
        let value = try context.own(result)
        var out: Int64 = 0
        guard Z3_get_numeral_int64(context.raw, value.raw, &out) else {
            try context.check()
            throw Z3Error(code: 0, message: "term is not an integer numeral")
        }
        return Int(out)
    }

    /// The boolean value of a term, completing the model where the term is unconstrained.
    public func boolValue(_ term: Term) throws(Z3Error) -> Bool {
        var result: Z3_ast? = nil
        guard Z3_model_eval(context.raw, raw, term.raw, true, &result), let result else {
            try context.check()
            throw Z3Error(code: 0, message: "cannot evaluate term in model")
        }
        let value = try context.own(result)
        return Z3_get_bool_value(context.raw, value.raw) == Z3_L_TRUE
    }
}
