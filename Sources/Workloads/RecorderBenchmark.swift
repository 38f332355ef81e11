import CommitRecorder
import Foundation

/// Measures what recording costs the client: nanoseconds per event on the hot path.
///
/// Each thread records `build`, `send`, `ack` cycles into one recorder writing a temporary file;
/// the time includes the buffered writes to the file and the final `close()` (with its `fsync`),
/// so it is what a client pays end to end, not just the formatting.
public struct RecorderBenchmark: Sendable {
    public struct Result: Codable, Sendable {
        public var threads: Int
        public var events: Int
        /// Median over the runs of wall time per event, in nanoseconds.
        public var nanosecondsPerEvent: Double
        /// Median events per second over all threads.
        public var eventsPerSecond: Double
    }

    public var eventsPerThread: Int
    public var runs: Int
    public var directory: String

    public init(eventsPerThread: Int, runs: Int, directory: String) {
        self.eventsPerThread = eventsPerThread
        self.runs = runs
        self.directory = directory
    }

    public func run(threads: Int) throws -> Result {
        var times: [Double] = []
        let cycles = max(eventsPerThread / 3, 1)
        for run in 0..<runs {
            let path = "\(directory)/recorder-\(threads)-\(run).jsonl"
            let recorder = try CommitRecorder(path: path, proc: "bench")
            let started = DispatchTime.now().uptimeNanoseconds
            DispatchQueue.concurrentPerform(iterations: threads) { thread in
                let partition = CommitRecorder.Partition("orders", Int32(thread))
                for cycle in 0..<cycles {
                    let id = recorder.build(group: "bench", offsets: [partition: Int64(cycle)])
                    recorder.send(commit: id, conn: "conn-\(thread % 2)")
                    recorder.ack(commit: id, status: .ok)
                }
            }
            try recorder.close()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - started))
            try? FileManager.default.removeItem(atPath: path)
        }
        let median = times.sorted()[times.count / 2]
        let events = cycles * 3 * threads
        return Result(threads: threads, events: events, nanosecondsPerEvent: median / Double(events),
                      eventsPerSecond: Double(events) / (median / 1e9))
    }
}
