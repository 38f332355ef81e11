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
        case .string(let text): "\"" + Self.escaped(text) + "\""
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

extension EDNValue {
    /// The value in a form where values that EDN (and Clojure's `=`, which Knossos compares with)
    /// calls equal are identical: map entries and set members sorted, duplicate set members merged,
    /// lists as vectors (`(1 2)` equals `[1 2]`), big integers without their `N`.
    ///
    /// Register histories compare values by this form's `description`, so `{:a 1 :b 2}`,
    /// `{:a 1, :b 2}` and `{:b 2 :a 1}` are one value, as they are to Jepsen.
    public var canonical: EDNValue {
        switch self {
        case .null, .bool, .integer, .double, .string, .character, .keyword, .symbol: return self
        case .bigInteger(let text):
            let digits = text.hasSuffix("N") ? String(text.dropLast()) : text
            if let value = Int(digits) { return .integer(value) }
            return .bigInteger(digits.hasPrefix("+") ? String(digits.dropFirst()) : digits)
        case .list(let items), .vector(let items): return .vector(items.map(\.canonical))
        case .set(let items):
            var seen = Set<String>()
            let members = items.map(\.canonical).map { ($0.description, $0) }.sorted { $0.0 < $1.0 }
            return .set(members.filter { seen.insert($0.0).inserted }.map(\.1))
        case .map(let pairs):
            let entries = pairs.map { EDNPair(key: $0.key.canonical, value: $0.value.canonical) }
            return .map(entries.sorted { $0.key.description < $1.key.description })
        case .tagged(let tag, let value): return .tagged(tag, value.canonical)
        }
    }

    /// `text` with the quote and the backslash escaped, so that distinct strings print distinctly.
    static func escaped(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }
}

/// One key and value of an EDN map, in written order.
public struct EDNPair: Hashable, Sendable {
    public var key: EDNValue
    public var value: EDNValue
}
