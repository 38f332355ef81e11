/// What a register operation did, as far as the history tells.
public enum RegisterEffect: Hashable, Sendable {
    /// A read that returned `value` (a value id), or told nothing (`nil`: timed out, or Knossos' `nil`).
    case read(value: Int?)
    case write(value: Int)
    /// Compare-and-set from `expected` to `new`; `succeeded` is nil when the outcome is unknown.
    case cas(expected: Int, new: Int, succeeded: Bool?)
}

/// One operation: when it was invoked and completed (event positions), and its effect.
public struct RegisterOperation: Hashable, Sendable {
    public var process: String
    /// Position of the invocation among the history's events.
    public var call: Int
    /// Position of the completion; `Int.max` for operations still open at the end (`:info`, crashed).
    public var ret: Int
    public var effect: RegisterEffect
    /// Source lines of the invocation and the completion (0 when there is none).
    public var callLine: Int
    public var returnLine: Int
    /// The operation may have taken effect at some point inside its window, or not at all.
    ///
    /// Explanations use it to forget what is recorded about the operations they leave out
    /// (`RegisterExplainer`) without pretending those operations did not exist.
    public var optional: Bool = false

    public var isOpen: Bool { ret == Int.max }
}

/// A single-register history: operations plus the table that turns value ids back into text.
public struct RegisterHistory: Sendable {
    public var operations: [RegisterOperation]
    /// Value id -> written form; id 0 is "no value" (nil).
    public var values: [String]
    /// The initial value id (0: no value).
    public var initial: Int

    public init(operations: [RegisterOperation] = [], values: [String] = ["nil"], initial: Int = 0) {
        self.operations = operations
        self.values = values
        self.initial = initial
    }

    /// The id of a value's written form, adding it when new.
    public mutating func intern(_ text: String) -> Int {
        if let index = values.firstIndex(of: text) { return index }
        values.append(text)
        return values.count - 1
    }

    /// The same history restricted to some operations (for minimisation).
    public func keeping(_ indices: [Int]) -> RegisterHistory {
        var copy = self
        copy.operations = indices.map { operations[$0] }
        return copy
    }

    /// Describes an operation the way Porcupine and Knossos print them.
    public func describe(_ operation: RegisterOperation) -> String {
        let text: String
        switch operation.effect {
        case .read(let value): text = "read() -> \(value.map { values[$0] } ?? "?")"
        case .write(let value): text = "write(\(values[value]))"
        case .cas(let expected, let new, let succeeded):
            text = "cas(\(values[expected]), \(values[new])) -> \(succeeded.map { $0 ? "ok" : "fail" } ?? "unknown")"
        }
        let place = operation.returnLine > 0 ? "lines \(operation.callLine)-\(operation.returnLine)" : "line \(operation.callLine), open"
        return "process \(operation.process): \(text) (\(place))"
    }
}

/// The register model a history is checked against.
public enum RegisterModel: String, Sendable, CaseIterable {
    /// Reads and writes only.
    case register
    /// Reads, writes and compare-and-set.
    case casRegister = "cas-register"

    /// The state after `operation` from `state`, or nil when the operation cannot happen there.
    @inline(__always)
    static func step(_ state: Int, _ effect: RegisterEffect) -> Int? {
        switch effect {
        case .read(let value): return value == nil || value == state ? state : nil
        case .write(let value): return value
        case .cas(let expected, let new, let succeeded):
            let matches = state == expected
            switch succeeded {
            case true?: return matches ? new : nil
            case false?: return matches ? nil : state
            case nil: return matches ? new : state
            }
        }
    }
}
