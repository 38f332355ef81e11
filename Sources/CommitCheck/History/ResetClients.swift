#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension History {
    /// The history with every commit whose Kafka client id matches one of the glob patterns marked
    /// as a reset (`--reset-clients`: operators' tools have recognisable client ids).
    package func markingResets(clients patterns: [String]) -> History {
        guard !patterns.isEmpty else { return self }
        var marked = self
        for index in commits.indices where !commits[index].reset {
            guard let client = commits[index].client, Self.matches(client, patterns) else { continue }
            marked.commits[index].reset = true
        }
        return marked
    }

    /// Whether a client id matches a shell glob (`*`, `?`, `[...]`) of the list.
    package static func matches(_ client: String, _ patterns: [String]) -> Bool {
        patterns.contains { fnmatch($0, client, 0) == 0 }
    }
}
