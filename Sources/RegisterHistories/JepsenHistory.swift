/// Turns a Jepsen/Knossos EDN history into register operations with Knossos' semantics.
///
/// A history is a vector or list of op maps (`:process`, `:type`, `:f`, `:value`, any other keys).
/// `:fail` never happened (the operation is dropped); `:info` may have happened at any point after its
/// invoke (open to the end, outcome unknown); an `:ok` read of `nil` tells nothing. Values are
/// compared by their printed EDN form, so nested values work.
public enum JepsenHistory {
    public static func parse(_ text: String, model: RegisterModel, initial: String?) throws(EDNError) -> RegisterHistory {
        var reader = EDNReader(text)
        let forms = try reader.readAll()
        let ops: [EDNValue]
        switch forms.count == 1 ? forms[0] : .list(forms) {
        case .vector(let items), .list(let items): ops = items
        default: throw EDNError(line: 1, column: 1, message: "expected a vector or list of operation maps")
        }
        var history = RegisterHistory()
        if let initial { history.initial = initial == "nil" ? 0 : history.intern(initial) }
        var pending: [EDNValue: Int] = [:]
        for (position, raw) in ops.enumerated() {
            var op = raw
            if case .tagged(_, let inner) = op { op = inner }
            let event = position + 1
            guard case .map = op, let type = op[keyword: "type"], let process = op[keyword: "process"] else {
                throw EDNError(line: 0, column: 0, message: "operation \(event): expected a map with :type and :process, found \(raw)")
            }
            // The nemesis (fault injection) is not a client of the register.
            if case .keyword = process { continue }
            let function = op[keyword: "f"] ?? .null
            let value = op[keyword: "value"] ?? .null
            func valueID(_ v: EDNValue) -> Int { v == .null ? 0 : history.intern(v.description) }
            switch type {
            case .keyword("invoke"):
                let effect: RegisterEffect
                switch function {
                case .keyword("read"): effect = .read(value: nil)
                case .keyword("write"): effect = .write(value: valueID(value))
                case .keyword("cas"):
                    guard model == .casRegister else {
                        throw EDNError(line: 0, column: 0, message: "operation \(event): cas in a history checked as a plain register (use --model cas-register)")
                    }
                    guard case .vector(let pair) = value, pair.count == 2 else {
                        throw EDNError(line: 0, column: 0, message: "operation \(event): a cas value must be [expected new], found \(value)")
                    }
                    effect = .cas(expected: valueID(pair[0]), new: valueID(pair[1]), succeeded: nil)
                default:
                    throw EDNError(line: 0, column: 0, message: "operation \(event): unknown :f \(function)")
                }
                pending[process] = history.operations.count
                history.operations.append(RegisterOperation(process: process.description, call: event, ret: Int.max, effect: effect,
                                                            callLine: event, returnLine: 0))
            case .keyword("ok"), .keyword("fail"), .keyword("info"):
                guard let index = pending.removeValue(forKey: process) else { continue }
                if type == .keyword("info") { continue }
                history.operations[index].ret = event
                history.operations[index].returnLine = event
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
                throw EDNError(line: 0, column: 0, message: "operation \(event): unknown :type \(type)")
            }
        }
        history.operations.removeAll { $0.ret == -1 }
        return history
    }
}
