/// A cluster proxy's trace of many small groups: every key has two commits from two threads of
/// its own (a connection each) that race, all stamped by the one recorder clock.
///
/// Each key is `possible` (nothing orders the higher commit after the lower one), so every key gets
/// a counterexample: the case measures the work per bad key, which must stay linear in the keys
/// (a thread per connection used to make the order's vector clocks keys × events).
public struct RacingKeysTrace: Sendable {
    public var keys: Int

    public init(keys: Int) { self.keys = keys }

    /// Writes the trace through `write` in chunks of whole lines.
    public func generate(_ write: (String) -> Void) {
        var chunk = "{\"ev\":\"meta\",\"format\":\"commitcheck/1\"}\n"
        var ts = 0
        func line(_ ev: String, _ key: Int, _ thread: Int, _ rest: String) {
            ts += 1
            chunk += "{\"ev\":\"\(ev)\",\"proc\":\"proxy\",\"thread\":\"k\(key)-t\(thread)\",\"ts\":\(ts),\"commit\":\"k\(key)-c\(thread)\"\(rest)}\n"
        }
        for key in 0..<keys {
            for (thread, offset) in [(0, 12), (1, 11)] {
                line("build", key, thread, ",\"group\":\"group-\(key)\",\"offsets\":{\"orders/0\":\(offset)}")
            }
            for thread in [0, 1] { line("send", key, thread, "") }
            for thread in [1, 0] { line("ack", key, thread, ",\"status\":\"ok\"") }
            if chunk.utf8.count > 1 << 20 {
                write(chunk)
                chunk = ""
            }
        }
        write(chunk)
    }
}
