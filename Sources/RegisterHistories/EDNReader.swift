/// Why EDN text could not be read, with a 1-based line and column.
public struct EDNError: Error, CustomStringConvertible, Sendable {
    public var line: Int
    public var column: Int
    public var message: String
    /// The text was read but holds no client operation (empty, or only the nemesis'): nothing to
    /// check rather than unreadable, which `--allow-empty` may accept.
    public var nothingToCheck = false
    public var description: String { "\(line):\(column): \(message)" }

    public init(line: Int, column: Int, message: String, nothingToCheck: Bool = false) {
        self.line = line
        self.column = column
        self.message = message
        self.nothingToCheck = nothingToCheck
    }
}

/// Reads EDN as Jepsen and Knossos write histories.
///
/// Handles: `nil`, booleans, integers (with `N`), floats (with `M`), strings with escapes, characters,
/// keywords, symbols, lists, vectors, maps, sets, `#_` discards, tagged literals such as `#inst` or
/// `#jepsen.history.Op{...}` (read as a tag on the following value), `;` comments, commas as white
/// space. Does not handle: ratios (`1/2`), `#?` reader conditionals, `##Inf`/`##NaN`, namespaced map
/// syntax (`#:ns{...}`), metadata (`^`). Nesting is limited to 256 levels so hostile input cannot
/// exhaust the stack.
public struct EDNReader {
    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var lineStart = 0
    private var recordsItemLines = false

    public static let maximumDepth = 256

    /// The line each top-level value of the last `readAll()` starts on (discarded values excluded).
    public private(set) var formLines: [Int] = []
    /// The line each item of the first top-level vector or list starts on: where a history's
    /// operations are, so that errors about an operation can name its line.
    public private(set) var itemLines: [Int] = []

    public init(_ text: String) { bytes = Array(text.utf8) }
    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// Reads every top-level value.
    public mutating func readAll() throws(EDNError) -> [EDNValue] {
        var values: [EDNValue] = []
        while true {
            skipWhitespace()
            if index >= bytes.count { return values }
            let start = line
            if let value = try readValue(depth: 0) {
                values.append(value)
                formLines.append(start)
            }
        }
    }

    private func error(_ message: String) -> EDNError {
        EDNError(line: line, column: index - lineStart + 1, message: message)
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0A { index += 1; line += 1; lineStart = index; continue }
            if byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == UInt8(ascii: ",") { index += 1; continue }
            if byte == UInt8(ascii: ";") {
                while index < bytes.count && bytes[index] != 0x0A { index += 1 }
                continue
            }
            return
        }
    }

    /// Reads one value; nil for a `#_` discard that consumed the next value.
    private mutating func readValue(depth: Int) throws(EDNError) -> EDNValue? {
        if depth > Self.maximumDepth { throw error("nesting deeper than \(Self.maximumDepth) levels") }
        skipWhitespace()
        guard index < bytes.count else { throw error("unexpected end of input") }
        let byte = bytes[index]
        switch byte {
        case UInt8(ascii: "("), UInt8(ascii: "["):
            index += 1
            // Only the first top-level sequence holds a history's operations.
            if depth == 0 { recordsItemLines = formLines.isEmpty }
            defer { if depth == 0 { recordsItemLines = false } }
            if byte == UInt8(ascii: "(") { return .list(try readItems(until: UInt8(ascii: ")"), depth: depth)) }
            return .vector(try readItems(until: UInt8(ascii: "]"), depth: depth))
        case UInt8(ascii: "{"): index += 1; return try readMap(depth: depth)
        case UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"):
            throw error("unexpected '\(Character(Unicode.Scalar(byte)))'")
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "\\"):
            index += 1
            return .character(readToken())
        case UInt8(ascii: "#"):
            index += 1
            guard index < bytes.count else { throw error("unexpected end of input after '#'") }
            if bytes[index] == UInt8(ascii: "{") {
                index += 1
                let items = try readItems(until: UInt8(ascii: "}"), depth: depth)
                // EDN: a set with a repeated member is invalid (and would make equal sets compare unequal).
                var members = Set<String>()
                for item in items where !members.insert(item.canonical.description).inserted { throw error("set repeats \(item)") }
                return .set(items)
            }
            if bytes[index] == UInt8(ascii: "_") {
                index += 1
                _ = try readValue(depth: depth + 1)
                return nil
            }
            let tag = readToken()
            if tag.isEmpty { throw error("unsupported dispatch '#\(Character(Unicode.Scalar(bytes[index])))'") }
            guard let value = try readValue(depth: depth + 1) else { throw error("tag #\(tag) needs a value") }
            return .tagged(tag, value)
        case UInt8(ascii: ":"):
            index += 1
            let name = readToken()
            if name.isEmpty { throw error("empty keyword") }
            return .keyword(name)
        default:
            let token = readToken()
            if token.isEmpty { throw error("unexpected byte 0x\(String(byte, radix: 16))") }
            return try atom(token)
        }
    }

    private mutating func readItems(until close: UInt8, depth: Int) throws(EDNError) -> [EDNValue] {
        var items: [EDNValue] = []
        while true {
            skipWhitespace()
            guard index < bytes.count else { throw error("unterminated collection: expected '\(Character(Unicode.Scalar(close)))'") }
            if bytes[index] == close { index += 1; return items }
            let start = line
            if let value = try readValue(depth: depth + 1) {
                items.append(value)
                if recordsItemLines && depth == 0 { itemLines.append(start) }
            }
        }
    }

    private mutating func readMap(depth: Int) throws(EDNError) -> EDNValue {
        let items = try readItems(until: UInt8(ascii: "}"), depth: depth)
        guard items.count % 2 == 0 else { throw error("a map needs an even number of forms") }
        // EDN: a map with a repeated key is invalid (which of its values would count?).
        var keys = Set<String>()
        for key in stride(from: 0, to: items.count, by: 2).map({ items[$0] }) where !keys.insert(key.canonical.description).inserted {
            throw error("map repeats key \(key)")
        }
        return .map(stride(from: 0, to: items.count, by: 2).map { EDNPair(key: items[$0], value: items[$0 + 1]) })
    }

    private mutating func readToken() -> String {
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == UInt8(ascii: ",")
                || byte == UInt8(ascii: "(") || byte == UInt8(ascii: ")") || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "]")
                || byte == UInt8(ascii: "{") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: ";") {
                break
            }
            index += 1
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private func atom(_ token: String) throws(EDNError) -> EDNValue {
        switch token {
        case "nil": return .null
        case "true": return .bool(true)
        case "false": return .bool(false)
        default: break
        }
        let first = token.first!
        if first.isNumber || ((first == "-" || first == "+") && token.count > 1 && token.dropFirst().first!.isNumber) {
            var digits = token
            if digits.hasSuffix("N") { digits.removeLast(); return Int(digits).map(EDNValue.integer) ?? .bigInteger(token) }
            if digits.hasSuffix("M") { digits.removeLast() }
            if let value = Int(digits) { return .integer(value) }
            if digits.allSatisfy({ $0.isNumber || $0 == "-" || $0 == "+" }) { return .bigInteger(token) }
            if let value = Double(digits) { return .double(value) }
            throw error("invalid number '\(token)'")
        }
        return .symbol(token)
    }

    private mutating func readString() throws(EDNError) -> String {
        index += 1
        var scalars = String.UnicodeScalarView()
        var pending: [UInt8] = []
        func flush() {
            scalars.append(contentsOf: String(decoding: pending, as: UTF8.self).unicodeScalars)
            pending.removeAll()
        }
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "\"") { flush(); return String(scalars) }
            if byte == 0x0A { line += 1; lineStart = index }
            if byte == UInt8(ascii: "\\") {
                guard index < bytes.count else { break }
                flush()
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "u"):
                    guard index + 4 <= bytes.count, let code = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16),
                          let scalar = Unicode.Scalar(code) else { throw error("invalid \\u escape") }
                    scalars.append(scalar)
                    index += 4
                default: throw error("invalid escape '\\\(Character(Unicode.Scalar(escape)))'")
                }
                continue
            }
            pending.append(byte)
        }
        throw error("unterminated string")
    }
}
