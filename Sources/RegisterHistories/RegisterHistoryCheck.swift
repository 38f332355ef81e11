import CommitCheck
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Where a register history comes from.
public enum HistorySource: String, Sendable, CaseIterable {
    /// Jepsen/Knossos EDN op histories (Knossos semantics).
    case jepsen
    /// The Jepsen etcd logs of Porcupine's test data (Porcupine semantics).
    case porcupineEtcd = "porcupine-etcd"
}

/// Checks register histories for linearizability and reports like `verify` does.
public enum RegisterHistoryCheck {
    /// Why a register history cannot be read: the file and where in it.
    public struct ReadError: Error, CustomStringConvertible {
        public var path: String
        public var underlying: EDNError
        public var description: String { "\(path):\(underlying)" }
    }

    /// Reads a history file: an unreadable line, or a file with no operation, is an error naming
    /// the line (never an empty history that passes).
    public static func read(path: String, source: HistorySource, model: RegisterModel, initial: String?) throws -> RegisterHistory {
        guard let file = fopen(path, "r") else {
            throw ReadError(path: path, underlying: EDNError(line: 0, column: 0, message: "cannot read: \(String(cString: strerror(errno)))"))
        }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        fclose(file)
        let text = String(decoding: bytes, as: UTF8.self)
        do {
            switch source {
            case .jepsen: return try JepsenHistory.parse(text, model: model, initial: initial)
            case .porcupineEtcd: return try PorcupineEtcdLog.parse(text)
            }
        } catch {
            throw ReadError(path: path, underlying: error)
        }
    }

    /// Z3 failed on a history (an error, not an answer): the run stops with Z3's message.
    ///
    /// Reported as `unknown`, a failure would pass for a timeout (exit 3, "try a longer
    /// --timeout"), and a longer timeout fails the same way; it is a fault to report instead.
    public struct SolverFailure: Error, CustomStringConvertible {
        public var path: String
        public var underlying: any Error
        public var description: String { "\(path): Z3 failed: \(underlying)" }
    }

    /// Decides a history with Z3 within a budget in milliseconds: true linearizable, false not,
    /// nil undecided in time (or interrupted); throws what Z3 throws.
    typealias Solver = (RegisterHistory, UInt32?, Cancellation?) throws -> Bool?

    /// The real solver: `RegisterZ3Encoding`.
    static func z3(_ history: RegisterHistory, milliseconds: UInt32?, cancellation: Cancellation?) throws -> Bool? {
        try RegisterZ3Encoding(history: history, timeoutMilliseconds: milliseconds, cancellation: cancellation).isLinearizable()
    }

    /// Checks each file; one `linearizable` key per file, named after it.
    ///
    /// A file with no client operation (empty, or only the nemesis') is an error whose message
    /// names `--allow-empty`; with `allowEmpty` it is a `holds` key that says it had nothing to
    /// check, as `verify --allow-empty` passes a commit trace with no commit and no fetch.
    ///
    /// With `cancellation` cancelled (SIGINT), the search, the minimisation and Z3 stop within
    /// milliseconds: the file being checked and every later one are reported `unknown`
    /// ("interrupted"), the ones decided before keep their verdicts. A Z3 failure throws
    /// `SolverFailure`.
    public static func run(paths: [String], source: HistorySource, model: RegisterModel, initial: String?,
                           timeout: Double?, minimizeTimeout: Double = 10, allowEmpty: Bool = false,
                           cancellation: Cancellation? = nil) throws -> Report {
        try run(paths: paths, source: source, model: model, initial: initial, timeout: timeout, minimizeTimeout: minimizeTimeout,
                allowEmpty: allowEmpty, cancellation: cancellation, solver: z3(_:milliseconds:cancellation:))
    }

    /// `run` with the solver given (tests make it fail).
    static func run(paths: [String], source: HistorySource, model: RegisterModel, initial: String?,
                    timeout: Double?, minimizeTimeout: Double, allowEmpty: Bool = false, cancellation: Cancellation?,
                    solver: Solver) throws -> Report {
        var keys: [KeyResult] = []
        var warnings: [String] = []
        for path in paths {
            if cancellation?.isCancelled == true {
                keys.append(KeyResult(register: path, property: .linearizable, verdict: .unknown,
                                      reason: "interrupted before this history was decided", engine: "search"))
                continue
            }
            let history: RegisterHistory
            do {
                history = try read(path: path, source: source, model: model, initial: initial)
            } catch var error as ReadError where error.underlying.nothingToCheck {
                guard allowEmpty else {
                    error.underlying.message += "; --allow-empty accepts a history with no client operation"
                    throw error
                }
                let nothing = "nothing to check: \(error.underlying.message) (passed by --allow-empty)"
                keys.append(KeyResult(register: path, property: .linearizable, verdict: .holds, reason: nothing))  // nothing ran: no engine
                warnings.append("\(path):\(error.underlying.line): \(nothing)")
                continue
            }
            keys.append(try check(history, name: path, timeout: timeout, minimizeTimeout: minimizeTimeout, cancellation: cancellation,
                                  solver: solver))
        }
        return Report(traces: paths, keys: keys, warnings: warnings)
    }

    /// Search first; Z3 for what the search cannot close in its budget. A Z3 failure throws
    /// `SolverFailure` (see there why it is no `unknown`).
    public static func check(_ history: RegisterHistory, name: String, timeout: Double?, minimizeTimeout: Double,
                             cancellation: Cancellation? = nil) throws -> KeyResult {
        try check(history, name: name, timeout: timeout, minimizeTimeout: minimizeTimeout, cancellation: cancellation, solver: z3(_:milliseconds:cancellation:))
    }

    /// `check` with the solver given (tests make it fail).
    static func check(_ history: RegisterHistory, name: String, timeout: Double?, minimizeTimeout: Double,
                      cancellation: Cancellation?, solver: Solver) throws -> KeyResult {
        let started = DispatchTime.now().uptimeNanoseconds
        func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 }
        var result = KeyResult(register: name, property: .linearizable, verdict: .unknown, engine: "search")
        switch LinearizabilityChecker(history: history, timeout: timeout, cancellation: cancellation).check() {
        case .linearizable:
            result.verdict = .holds
            result.reason = "a linearization of all \(history.operations.count) operations exists"
        case .notLinearizable:
            result.verdict = .violated
            result.reason = "no order of the operations respects real time and the register"
            result.counterexample = RegisterExplainer(history: history, budget: minimizeTimeout, cancellation: cancellation).counterexample()
            if minimizeTimeout == 0 { result.counterexample?.minimizationOff = true }
        case .interrupted:
            result.reason = "interrupted while the search was deciding it"
        case .timedOut:
            result.engine = "z3"
            let remaining = timeout.map { max($0 - elapsed(), 0.1) }
            let answer: Bool?
            do {
                answer = try solver(history, remaining.map { UInt32(min($0 * 1000, Double(UInt32.max))) }, cancellation)
            } catch {
                throw SolverFailure(path: name, underlying: error)
            }
            switch answer {
            case true?:
                result.verdict = .holds
                result.reason = "Z3 finds a linearization (the search ran out of time)"
            case false?:
                result.verdict = .violated
                result.reason = "Z3 proves no linearization exists (the search ran out of time)"
            case nil where cancellation?.isCancelled == true:
                result.reason = "interrupted while Z3 was deciding it"
            case nil:
                result.reason = "neither the search nor Z3 decided within --timeout"
            }
        }
        result.seconds = elapsed()
        return result
    }
}
