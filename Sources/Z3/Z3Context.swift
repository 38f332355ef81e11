import Locking
import CZ3
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Records errors instead of exiting: Z3's default handler calls `exit(1)`.
private let recordingErrorHandler: @convention(c) (Z3_context?, Z3_error_code) -> Void = { _, _ in }

/// A reference-counted Z3 context that owns every term made in it.
///
/// Z3 contexts are not thread safe, so a context (and everything made from it) stays inside the
/// task that created it; the type is deliberately not `Sendable`. Terms are kept alive by one
/// `Z3_inc_ref` each, released all together when the context goes, which is cheaper than a Swift
/// object per term and cannot under-count.
public final class Z3Context {
    /// The raw handle, for the wrappers in this module.
    let raw: Z3_context
    private var ownedTerms: [Z3_ast] = []
    private let intSort: Z3_sort
    private let boolSort: Z3_sort

    /// Creates a context; `memoryLimitMB` caps Z3's memory (0 = no limit).
    public init() {
        let config = Z3_mk_config()!
        Z3_set_param_value(config, "model", "true")
        raw = Z3_mk_context_rc(config)!
        Z3_del_config(config)
        Z3_set_error_handler(raw, recordingErrorHandler)
        intSort = Z3_mk_int_sort(raw)!
        boolSort = Z3_mk_bool_sort(raw)!
        Z3_inc_ref(raw, Z3_sort_to_ast(raw, intSort))
        Z3_inc_ref(raw, Z3_sort_to_ast(raw, boolSort))
    }

    deinit {
        for term in ownedTerms { Z3_dec_ref(raw, term) }
        Z3_dec_ref(raw, Z3_sort_to_ast(raw, intSort))
        Z3_dec_ref(raw, Z3_sort_to_ast(raw, boolSort))
        Z3_del_context(raw)
    }

    /// Caps the memory all of Z3 may use, in megabytes (a global Z3 parameter).
    public static func setMemoryLimit(megabytes: Int) {
        Z3_global_param_set("memory_max_size", String(megabytes))
    }

    /// Throws the error Z3 recorded since the last call, if any.
    func check() throws(Z3Error) {
        let code = Z3_get_error_code(raw)
        if code != Z3_OK {
            let message = String(cString: Z3_get_error_msg(raw, code))
            Z3_set_error(raw, Z3_OK)
            throw Z3Error(code: code.rawValue, message: message)
        }
    }

    /// Keeps a fresh AST alive for the lifetime of the context.
    func own(_ ast: Z3_ast?) throws(Z3Error) -> Term {
        try check()
        guard let ast else { throw Z3Error(code: 0, message: "Z3 returned no term") }
        Z3_inc_ref(raw, ast)
        ownedTerms.append(ast)
        return Term(raw: ast)
    }

    /// Asks a running check in this context to stop, and every later one not to start.
    ///
    /// Z3 only interrupts what is running at the moment (`Z3_interrupt` on an idle context does
    /// nothing), so the request is also remembered: ``Z3Solver/check(assuming:)`` answers `unknown`
    /// without starting once it is set. Safe to call from any thread.
    public func interrupt() {
        interruption.set()
        Z3_interrupt(raw)
    }

    /// Whether ``interrupt()`` was called.
    public var isInterrupted: Bool { interruption.isSet }

    private let interruption = InterruptionFlag()

    // MARK: Terms

    /// A fresh integer constant (a time point in the order encodings).
    public func intConstant(_ name: String) throws(Z3Error) -> Term {
        let symbol = Z3_mk_string_symbol(raw, name)
        return try own(Z3_mk_const(raw, symbol, intSort))
    }

    /// A fresh boolean constant (an assumption literal or an unknown outcome).
    public func boolConstant(_ name: String) throws(Z3Error) -> Term {
        let symbol = Z3_mk_string_symbol(raw, name)
        return try own(Z3_mk_const(raw, symbol, boolSort))
    }

    /// An integer literal.
    public func int(_ value: Int) throws(Z3Error) -> Term {
        try own(Z3_mk_int64(raw, Int64(value), intSort))
    }

    /// `true` or `false`.
    public func bool(_ value: Bool) throws(Z3Error) -> Term {
        try own(value ? Z3_mk_true(raw) : Z3_mk_false(raw))
    }

    /// `a < b`: the only order atom the encodings use, which keeps them in difference logic.
    public func less(_ a: Term, _ b: Term) throws(Z3Error) -> Term {
        try own(Z3_mk_lt(raw, a.raw, b.raw))
    }

    /// `a - b < k`, the general difference-logic atom.
    public func difference(_ a: Term, _ b: Term, lessThan k: Int) throws(Z3Error) -> Term {
        let diff = try own(withRawArray([a, b]) { Z3_mk_sub(raw, 2, $0) })
        return try own(Z3_mk_lt(raw, diff.raw, try int(k).raw))
    }

    public func not(_ a: Term) throws(Z3Error) -> Term { try own(Z3_mk_not(raw, a.raw)) }

    public func implies(_ a: Term, _ b: Term) throws(Z3Error) -> Term {
        try own(Z3_mk_implies(raw, a.raw, b.raw))
    }

    public func and(_ terms: [Term]) throws(Z3Error) -> Term {
        if terms.isEmpty { return try bool(true) }
        if terms.count == 1 { return terms[0] }
        return try own(withRawArray(terms) { Z3_mk_and(raw, UInt32(terms.count), $0) })
    }

    public func or(_ terms: [Term]) throws(Z3Error) -> Term {
        if terms.isEmpty { return try bool(false) }
        if terms.count == 1 { return terms[0] }
        return try own(withRawArray(terms) { Z3_mk_or(raw, UInt32(terms.count), $0) })
    }

    func withRawArray<R>(_ terms: [Term], _ body: (UnsafePointer<Z3_ast?>) -> R) -> R {
        let raws: [Z3_ast?] = terms.map { $0.raw }
        return raws.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

/// A term (expression) owned by a ``Z3Context``; valid while its context lives.
public struct Term: Hashable {
    let raw: Z3_ast

    public static func == (a: Term, b: Term) -> Bool { a.raw == b.raw }
    public func hash(into hasher: inout Hasher) { hasher.combine(UnsafeRawPointer(raw)) }
}

/// A flag set once from any thread.
final class InterruptionFlag: @unchecked Sendable {
    private let lock = PthreadLock()
    private var value = false

    func set() { lock.withLock { value = true } }

    var isSet: Bool { lock.withLock { value } }
}
