/// A value of EDN (extensible data notation), the format of Jepsen and Knossos histories.
public indirect enum EDNValue: Hashable, Sendable, CustomStringConvertible {
    case null
    case bool(Bool)
    case integer(Int)
    /// An integer beyond 64 bits, or with an `N` suffix, as written.
    case bigInteger(String)
    case double(Double)
    case string(String)
    case character(String)
    case keyword(String)
    case symbol(String)
    case list([EDNValue])
    case vector([EDNValue])
    case set([EDNValue])
    case map([EDNPair])
    case tagged(String, EDNValue)

    /// The value of `key` in a map, by keyword name (`:process` -> "process").
    public subscript(keyword name: String) -> EDNValue? {
        guard case .map(let pairs) = self else { return nil }
        return pairs.first { $0.key == .keyword(name) }?.value
    }

    public var description: String {
        switch self {
        case .null: "nil"
        case .bool(let value): value ? "true" : "false"
        case .integer(let value): String(value)
        case .bigInteger(let text): text
        case .double(let value): String(value)
        case .string(let text): "\"\(text)\""
        case .character(let text): "\\\(text)"
        case .keyword(let name): ":\(name)"
        case .symbol(let name): name
        case .list(let items): "(" + items.map(\.description).joined(separator: " ") + ")"
        case .vector(let items): "[" + items.map(\.description).joined(separator: " ") + "]"
        case .set(let items): "#{" + items.map(\.description).joined(separator: " ") + "}"
        case .map(let pairs): "{" + pairs.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "}"
        case .tagged(let tag, let value): "#\(tag) \(value)"
        }
    }
}

/// One key and value of an EDN map, in written order.
public struct EDNPair: Hashable, Sendable {
    public var key: EDNValue
    public var value: EDNValue
}
