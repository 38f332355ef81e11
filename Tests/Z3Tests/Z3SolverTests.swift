import Testing
@testable import Z3

@Suite struct Z3SolverTests {
    @Test func differenceLogicSatAndModel() throws {
        let context = Z3Context()
        let solver = try Z3Solver(context: context, timeoutMilliseconds: 5_000)
        let x = try context.intConstant("x"), y = try context.intConstant("y")
        try solver.assert(try context.less(x, y))
        #expect(try solver.check() == .satisfiable)
        let model = try solver.model()
        #expect(try model.intValue(x) < model.intValue(y))
    }

    @Test func cycleIsUnsatWithCoreOfAssumptions() throws {
        let context = Z3Context()
        let solver = try Z3Solver(context: context)
        let a = try context.intConstant("a"), b = try context.intConstant("b"), c = try context.intConstant("c")
        let p = try context.boolConstant("p"), q = try context.boolConstant("q"), r = try context.boolConstant("r")
        let unrelated = try context.boolConstant("unrelated")
        try solver.assert(try context.implies(p, try context.less(a, b)))
        try solver.assert(try context.implies(q, try context.less(b, c)))
        try solver.assert(try context.implies(r, try context.less(c, a)))
        #expect(try solver.check(assuming: [p, q, r, unrelated]) == .unsatisfiable)
        let core = Set(try solver.unsatCore())
        #expect(core.isSuperset(of: [p, q, r]))
        #expect(try solver.check(assuming: [p, q]) == .satisfiable)
    }

    @Test func errorsAreThrownNotExited() throws {
        let context = Z3Context()
        let x = try context.intConstant("x")
        let p = try context.boolConstant("p")
        // Mixing sorts is a Z3 error; the default handler would exit the process.
        #expect(throws: Z3Error.self) { _ = try context.less(x, p) }
        // The context stays usable afterwards.
        let solver = try Z3Solver(context: context)
        try solver.assert(try context.less(x, try context.int(3)))
        #expect(try solver.check() == .satisfiable)
    }

    @Test func booleanModelValues() throws {
        let context = Z3Context()
        let solver = try Z3Solver(context: context, logic: nil)
        let p = try context.boolConstant("p")
        try solver.assert(try context.not(p))
        #expect(try solver.check() == .satisfiable)
        #expect(try solver.model().boolValue(p) == false)
    }
}
