/// Results written by concurrent workers, each into its own slot, read once all are done.
///
/// The one shape for fan-out work here (keys decided in parallel, simulation runs of a sweep):
/// workers store by index, the caller takes by index in order, so results come out in input order
/// whatever order the workers finish in.
package final class ResultSlots<Value>: @unchecked Sendable {
    private var slots: [Value?]
    private var stored = 0
    private let lock = PthreadLock()

    package init(count: Int) { slots = Array(repeating: nil, count: count) }

    package func store(_ index: Int, _ value: Value) {
        lock.withLock {
            if slots[index] == nil { stored += 1 }
            slots[index] = value
        }
    }

    /// How many slots hold a result (progress while workers run).
    package var storedCount: Int { lock.withLock { stored } }

    /// The result in slot `index`; it must have been stored.
    package func take(_ index: Int) -> Value { lock.withLock { slots[index]! } }
}
