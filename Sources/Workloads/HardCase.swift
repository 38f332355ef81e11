/// The hard case of issue 8: thousands of commits on one key, all in flight together in pairs of
/// threads that share one connection without timestamps, so that the connection order is open and
/// only the solver can decide.
public struct OverlappingCommits: Sendable, CustomStringConvertible {
    public var commits: Int
    /// Commits in flight at once.
    public var window: Int

    public init(commits: Int, window: Int = 8) {
        self.commits = commits
        self.window = window
    }

    public var description: String { "\(commits) overlapping commits on one key (window \(window))" }

    public func generate(_ write: (String) -> Void) {
        var text = "{\"ev\":\"meta\",\"format\":\"commitcheck/1\"}\n"
        var inFlight: [(Int, Int)] = []
        for index in 0..<commits {
            let thread = index % 2
            let head = "\"proc\":\"app\",\"thread\":\"T\(thread)\""
            // Offsets rise, but now and then a stale one is built late (the Sarama pattern).
            let offset = index % 97 == 96 ? index - 3 : index
            text += "{\"ev\":\"build\",\(head),\"commit\":\"c\(index)\",\"group\":\"g\",\"offsets\":{\"orders/0\":\(offset)}}\n"
            text += "{\"ev\":\"send\",\(head),\"commit\":\"c\(index)\"}\n"
            inFlight.append((thread, index))
            if inFlight.count > window {
                let (ackThread, ackId) = inFlight.removeFirst()
                text += "{\"ev\":\"ack\",\"proc\":\"app\",\"thread\":\"T\(ackThread)\",\"commit\":\"c\(ackId)\",\"status\":\"ok\"}\n"
            }
            if text.utf8.count > 1 << 20 { write(text); text = "" }
        }
        for (thread, id) in inFlight {
            text += "{\"ev\":\"ack\",\"proc\":\"app\",\"thread\":\"T\(thread)\",\"commit\":\"c\(id)\",\"status\":\"ok\"}\n"
        }
        write(text)
    }
}
