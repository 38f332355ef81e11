/// Why a trace cannot be checked: bad JSON, a bad field, or events that contradict each other.
///
/// Every error names where it is, so a user can open the file at that line; the CLI exits 2 on it.
public struct TraceError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The trace file, when known.
    public var file: String?
    /// The 1-based line the error is on (the first of ``relatedLines`` when there are several).
    public var line: Int
    /// The 1-based byte column, when known.
    public var column: Int?
    /// The field at fault, when one is.
    public var field: String?
    public var message: String
    /// Other lines that take part (the earlier `build` of a duplicate, the rest of a contradiction).
    public var relatedLines: [Int]
    /// The trace may be fine but reading it hit a resource limit (``MemoryBudget``): exit 3, not 2.
    public var isResourceLimit = false

    public init(file: String? = nil, line: Int, column: Int? = nil, field: String? = nil, message: String, relatedLines: [Int] = []) {
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.message = message
        self.relatedLines = relatedLines
    }

    public var description: String {
        var text = "\(file ?? "trace"):\(line)"
        if let column { text += ":\(column)" }
        text += ": "
        if let field { text += "field '\(field)': " }
        text += message
        return text
    }
}
