/// Turns a Jepsen/Knossos EDN history into register operations with Knossos' semantics.
///
/// A history is a vector or list of op maps, or op maps one after another (Jepsen's `history.edn`)
/// (`:process`, `:type`, `:f`, `:value`, any other keys). `:fail` never happened (the operation is
/// dropped); `:info` may have happened at any point after its invoke (open to the end, outcome
/// unknown); an `:ok` read of `nil` tells nothing. Values are compared as EDN values (see
/// `EDNValue.canonical`), so nested values, commas and map order work as they do in Jepsen.
///
/// An unreadable history never passes as linearizable (specs/trace-format.md, "Other tools'
/// histories"): a file with no client operation, an operation that is not a map with `:type` and
/// `:process`, or a completion with no invocation before it is an error naming its line. Only the first is `nothingToCheck`, which
/// `verify --allow-empty` accepts.
public enum JepsenHistory {
    public static func parse(_ text: String, model: RegisterModel, initial: String?) throws(EDNError) -> RegisterHistory {
        var reader = EDNReader(text)
        let forms = try reader.readAll()
        let ops: [EDNValue]
        let lines: [Int]
        switch forms.count == 1 ? forms[0] : .list(forms) {
        case .vector(let items) where forms.count == 1, .list(let items) where forms.count == 1:
            ops = items
            lines = reader.itemLines
        case .list(let items):
            ops = items
            lines = reader.formLines
        case .map, .tagged(_, .map):
            ops = forms  // a history of one operation, written as Jepsen writes history.edn
            lines = reader.formLines
        default: throw EDNError(line: reader.formLines.first ?? 1, column: 1, message: "expected a vector or list of operation maps, found \(forms[0])")
        }
        var history = RegisterHistory()
        if let initial {
            let value = try initialValue(initial)
            history.initial = value == .null ? 0 : history.intern(value.canonical.description)
        }
        var pending: [EDNValue: Int] = [:]
        var clientEvents = 0
        for (position, raw) in ops.enumerated() {
            var op = raw
            if case .tagged(_, let inner) = op { op = inner }
            let event = position + 1
            let line = position < lines.count ? lines[position] : 0
            func failure(_ message: String) -> EDNError {
                EDNError(line: line, column: 1, message: "operation \(event): \(message)")
            }
            guard case .map = op, let type = op[keyword: "type"], let process = op[keyword: "process"] else {
                throw failure("expected a map with :type and :process, found \(raw)")
            }
            // The nemesis (fault injection) is not a client of the register.
            if case .keyword = process { continue }
            clientEvents += 1
            let function = op[keyword: "f"] ?? .null
            let value = op[keyword: "value"] ?? .null
            func valueID(_ v: EDNValue) -> Int { v == .null ? 0 : history.intern(v.canonical.description) }
            switch type {
            case .keyword("invoke"):
                if let open = pending[process] {
                    throw failure("process \(process) invokes again while its operation at line \(history.operations[open].callLine) has not completed")
                }
                let effect: RegisterEffect
                switch function {
                case .keyword("read"): effect = .read(value: nil)
                case .keyword("write"): effect = .write(value: valueID(value))
                case .keyword("cas"):
                    guard model == .casRegister else {
                        throw failure("cas in a history checked as a plain register (use --model cas-register)")
                    }
                    guard case .vector(let pair) = value.canonical, pair.count == 2 else {
                        throw failure("a cas value must be [expected new], found \(value)")
                    }
                    effect = .cas(expected: valueID(pair[0]), new: valueID(pair[1]), succeeded: nil)
                default:
                    throw failure("unknown :f \(function) (a register knows :read, :write and :cas)")
                }
                pending[process] = history.operations.count
                history.operations.append(RegisterOperation(process: process.description, call: event, ret: Int.max, effect: effect,
                                                            callLine: line, returnLine: 0))
            case .keyword("ok"), .keyword("fail"), .keyword("info"):
                guard let index = pending.removeValue(forKey: process) else {
                    throw failure("\(type) of process \(process), which has no operation in flight")
                }
                if type == .keyword("info") { continue }
                history.operations[index].ret = event
                history.operations[index].returnLine = line
                if type == .keyword("fail") {
                    history.operations[index].ret = -1  // never happened: removed below
                    continue
                }
                switch history.operations[index].effect {
                case .read: history.operations[index].effect = .read(value: value == .null ? nil : valueID(value))
                case .cas(let expected, let new, _): history.operations[index].effect = .cas(expected: expected, new: new, succeeded: true)
                case .write: break
                }
            default:
                throw failure("unknown :type \(type) (expected :invoke, :ok, :fail or :info)")
            }
        }
        if clientEvents == 0 {
            throw EDNError(line: lines.first ?? 1, column: 1,
                           message: ops.isEmpty ? "no operation: the history is empty" : "no client operation: every entry is the nemesis'",
                           nothingToCheck: true)
        }
        history.operations.removeAll { $0.ret == -1 }
        return history
    }

    /// Reads `--initial`: exactly one EDN value.
    public static func initialValue(_ text: String) throws(EDNError) -> EDNValue {
        var reader = EDNReader(text)
        let forms = try reader.readAll()
        guard forms.count == 1 else {
            throw EDNError(line: 1, column: 1, message: forms.isEmpty ? "no value" : "\(forms.count) values where one is expected")
        }
        return forms[0]
    }
}
