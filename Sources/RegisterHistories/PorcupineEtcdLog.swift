/// Reads the Jepsen etcd logs of Porcupine's test data with Porcupine's semantics.
///
/// `:invoke` opens an operation; `:ok :read v` observed v (`nil`: the register had no value);
/// `:ok :write`; `:ok`/`:fail :cas [a b]` succeeded or observed a value other than a (a failed cas is
/// a definite observation, not "never happened"); `:fail :read :timed-out` returned nothing; `:info`
/// (timed out) and missing completions stay open to the end with an unknown outcome.
///
/// Blank lines and log lines of other loggers (`LEVEL logger - message`) are skipped. Unlike
/// Porcupine's parser, which skips every line its pattern does not match, any other line is an
/// error naming it, and so is a log with no operation: an unreadable history (`/etc/passwd`, an
/// empty file) must never pass as linearizable (specs/trace-format.md, "Other tools' histories").
public enum PorcupineEtcdLog {
    public static func parse(_ text: String) throws(EDNError) -> RegisterHistory {
        var history = RegisterHistory()
        var pending: [String: Int] = [:]  // process -> operation index
        var event = 0
        var lastLine = 0
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = offset + 1
            if !raw.allSatisfy(\.isWhitespace) { lastLine = lineNumber }
            guard raw.contains("jepsen.util") else {
                if raw.allSatisfy(\.isWhitespace) || isOtherLoggersLine(raw) { continue }
                let shown = raw.count > 60 ? raw.prefix(60) + "..." : raw
                throw EDNError(line: lineNumber, column: 1,
                               message: "not a Jepsen etcd log line (expected 'INFO  jepsen.util - PROCESS :TYPE :F VALUE'), found '\(shown)'")
            }
            let fields = raw.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            guard let dash = fields.firstIndex(of: "-"), fields.count >= dash + 4 else {
                throw EDNError(line: lineNumber, column: 1, message: "expected 'INFO jepsen.util - PROCESS :TYPE :F VALUE'")
            }
            let process = fields[dash + 1], type = fields[dash + 2], function = fields[dash + 3]
            let value = fields[(dash + 4)...].joined(separator: " ")
            func number(_ text: Substring) throws(EDNError) -> Int {
                guard Int(text) != nil else { throw EDNError(line: lineNumber, column: 1, message: "expected an integer, found '\(text)'") }
                return history.intern(String(text))
            }
            func pair() throws(EDNError) -> (Int, Int) {
                let parts = value.trimmingCharacters(in: "[]").split(separator: " ")
                guard parts.count == 2 else { throw EDNError(line: lineNumber, column: 1, message: "expected a cas argument [from to], found '\(value)'") }
                return (try number(parts[0]), try number(parts[1]))
            }
            event += 1
            switch (type, function) {
            case (":invoke", _):
                let effect: RegisterEffect
                switch function {
                case ":read": effect = .read(value: nil)
                case ":write": effect = .write(value: try number(Substring(value)))
                case ":cas":
                    let (from, to) = try pair()
                    effect = .cas(expected: from, new: to, succeeded: nil)
                default: throw EDNError(line: lineNumber, column: 1, message: "unknown operation '\(function)'")
                }
                pending[process] = history.operations.count
                history.operations.append(RegisterOperation(process: process, call: event, ret: Int.max, effect: effect,
                                                            callLine: lineNumber, returnLine: 0))
            case (":ok", _), (":fail", _):
                guard let index = pending.removeValue(forKey: process) else {
                    throw EDNError(line: lineNumber, column: 1, message: "completion of process \(process), which has no operation in flight")
                }
                history.operations[index].ret = event
                history.operations[index].returnLine = lineNumber
                switch (type, function, history.operations[index].effect) {
                case (":ok", ":read", _):
                    history.operations[index].effect = .read(value: value == "nil" ? 0 : try number(Substring(value)))
                case (":fail", ":read", _): history.operations[index].effect = .read(value: nil)
                case (_, ":cas", .cas(let from, let to, _)):
                    history.operations[index].effect = .cas(expected: from, new: to, succeeded: type == ":ok")
                default: break
                }
            case (":info", _):
                // Timed out: may take effect at any point after its invoke, or never.
                pending.removeValue(forKey: process)
            default:
                throw EDNError(line: lineNumber, column: 1, message: "unknown type '\(type)'")
            }
        }
        if history.operations.isEmpty {
            throw EDNError(line: max(lastLine, 1), column: 1,
                           message: lastLine == 0 ? "no operation: the log is empty" : "no operation: no 'jepsen.util' line with an :invoke",
                           nothingToCheck: true)
        }
        return history
    }

    /// A line of another logger, `LEVEL logger - message` (log4j's layout in Jepsen's logs).
    static func isOtherLoggersLine(_ line: Substring) -> Bool {
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).prefix(3)
        guard fields.count == 3, ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"].contains(fields[fields.startIndex]) else { return false }
        return fields[fields.startIndex + 2] == "-"
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var scalars = Substring(self)
        while let first = scalars.first, set.contains(first) { scalars.removeFirst() }
        while let last = scalars.last, set.contains(last) { scalars.removeLast() }
        return String(scalars)
    }
}
