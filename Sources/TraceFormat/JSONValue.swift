/// A parsed JSON value, as much of JSON as trace lines need and nothing lossy.
///
/// Integers stay exact: a number that does not fit `Int` is kept as ``bigNumber(_:)`` so that a field
/// which needs an integer can reject it by name instead of silently rounding.
package enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    /// A number with a fraction or exponent.
    case double(Double)
    /// An integer too large for `Int`, as written.
    case bigNumber(String)
    case string(String)
    case array([JSONValue])
    /// Members in their written order (duplicate names are rejected by the scanner).
    case object([(String, JSONValue)])

    package static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case let (.bool(x), .bool(y)): x == y
        case let (.int(x), .int(y)): x == y
        case let (.double(x), .double(y)): x == y
        case let (.bigNumber(x), .bigNumber(y)): x == y
        case let (.string(x), .string(y)): x == y
        case let (.array(x), .array(y)): x == y
        case let (.object(x), .object(y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    /// The name of the JSON type, for error messages.
    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .int, .double, .bigNumber: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
