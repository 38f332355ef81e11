import Workloads
/// A deterministic simulation of a Sarama-style consumer group's commit path.
///
/// Every consumer process runs one goroutine per partition (process a message, mark its offset,
/// commit per the strategy) and talks to one coordinator connection. The broker applies requests of
/// a connection in arrival order (TCP), arrival keeps send order, and the response comes back after
/// a latency. The simulation records exactly what an instrumented client would (`build`, `send`
/// with `conn` — recorded while the connection's write lock is held, as Sarama's broker.Send holds
/// it — and `ack`) and, separately, the broker's true apply order: the ground truth the verifier
/// never sees.
public final class ConsumerGroupSimulator {
    public let config: SimulationConfig
    private let queue = DiscreteEventQueue()
    private var random: SplitMix64
    private var lines: [String] = []
    private var truth = GroundTruth()
    private var commitCounter = 0
    private var requests: [(partitions: [Int: Int], built: Int, sent: Int, answered: Int?, rejected: Bool)] = []

    public init(config: SimulationConfig) {
        self.config = config
        random = SplitMix64(seed: config.seed)
    }

    /// Runs the simulation: the trace as `commitcheck/1` text, and the ground truth.
    public static func run(_ config: SimulationConfig) -> (trace: String, truth: GroundTruth) {
        let simulator = ConsumerGroupSimulator(config: config)
        return simulator.simulate()
    }

    private final class Consumer {
        let id: Int
        let partitions: [Int]
        var marked: [Int: Int] = [:]
        var dirty: Set<Int> = []
        let commitMutex = SimulatedMutex()
        let connectionLock = SimulatedMutex()
        var lastArrival = 0
        var activeWorkers: Int
        init(id: Int, partitions: [Int]) {
            self.id = id
            self.partitions = partitions
            activeWorkers = partitions.count
        }
        var proc: String { "consumer-\(id)" }
        var conn: String { "coordinator-\(id)" }
    }

    private func simulate() -> (trace: String, truth: GroundTruth) {
        lines.append("{\"ev\":\"meta\",\"format\":\"commitcheck/1\",\"clock\":\"monotonic\"}")
        for id in 0..<config.consumers {
            let owned = Array((id * config.partitions)..<((id + 1) * config.partitions))
            let consumer = Consumer(id: id, partitions: owned)
            for partition in owned {
                queue.after(random.exponential(mean: config.processingTime)) { self.work(consumer, partition, message: 1) }
            }
            if config.strategy == .autoCommit {
                queue.after(config.autoCommitInterval) { self.tick(consumer) }
            }
        }
        queue.run()
        // Requests whose send order differs from their build order, per partition offsets.
        for i in requests.indices {
            for j in requests.indices where i < j {
                let a = requests[i], b = requests[j]
                let shared = a.partitions.keys.filter { b.partitions[$0] != nil && b.partitions[$0] != a.partitions[$0] }
                if !shared.isEmpty && !a.rejected && !b.rejected && (a.built < b.built) != (a.sent < b.sent) { truth.racingPairs += 1 }
                let aEnd = a.answered ?? Int.max, bEnd = b.answered ?? Int.max
                if a.sent < bEnd && b.sent < aEnd { truth.overlappingPairs += 1 }
            }
        }
        truth.requests = requests.count
        return (lines.joined(separator: "\n") + "\n", truth)
    }

    // MARK: Goroutines

    private func work(_ consumer: Consumer, _ partition: Int, message: Int) {
        // Processed message `message - 1`: the next offset to consume is `message`.
        consumer.marked[partition] = message
        consumer.dirty.insert(partition)
        let next = {
            if message < self.config.messages {
                self.queue.after(self.random.exponential(mean: self.config.processingTime)) { self.work(consumer, partition, message: message + 1) }
            } else {
                consumer.activeWorkers -= 1
            }
        }
        if config.strategy != .autoCommit && message % config.commitEvery == 0 {
            commit(consumer, thread: "p\(partition)", then: next)
        } else {
            next()
        }
    }

    private func tick(_ consumer: Consumer) {
        let finished = consumer.activeWorkers == 0
        commit(consumer, thread: "ticker") {
            if !finished || !consumer.dirty.isEmpty {
                self.queue.after(self.config.autoCommitInterval) { self.tick(consumer) }
            }
        }
    }

    /// Commit() as each strategy does it; `then` runs when Commit() returns.
    private func commit(_ consumer: Consumer, thread: String, then: @escaping () -> Void) {
        switch config.strategy {
        case .unsynchronized, .autoCommit:
            guard let request = build(consumer, thread) else { return then() }
            queue.after(lookupDelay()) {
                consumer.connectionLock.lock {
                    self.send(consumer, thread, request) { then() }
                    consumer.connectionLock.unlock()
                }
            }
        case .commitMutex:
            consumer.commitMutex.lock {
                guard let request = self.build(consumer, thread) else { consumer.commitMutex.unlock(); return then() }
                self.queue.after(self.lookupDelay()) {
                    consumer.connectionLock.lock {
                        self.send(consumer, thread, request) {
                            consumer.commitMutex.unlock()
                            then()
                        }
                        consumer.connectionLock.unlock()
                    }
                }
            }
        case .brokerLock:
            queue.after(lookupDelay()) {
                consumer.connectionLock.lock {
                    guard let request = self.build(consumer, thread) else { consumer.connectionLock.unlock(); return then() }
                    self.send(consumer, thread, request) { then() }
                    consumer.connectionLock.unlock()
                }
            }
        }
    }

    /// Coordinator lookup: usually cached, sometimes a round trip: exponential around its mean.
    private func lookupDelay() -> Int { random.exponential(mean: config.lookupTime) }

    private struct Request {
        var id: String
        var offsets: [Int: Int]
        var index: Int
    }

    /// Builds a request from every dirty partition's marked offset (Sarama's flushToBroker).
    private func build(_ consumer: Consumer, _ thread: String) -> Request? {
        let dirty = consumer.dirty.sorted()
        guard !dirty.isEmpty else { return nil }
        commitCounter += 1
        let id = "c\(commitCounter)"
        var offsets: [Int: Int] = [:]
        for partition in dirty { offsets[partition] = consumer.marked[partition] }
        let text = dirty.map { "\"orders/\($0)\":\(offsets[$0]!)" }.joined(separator: ",")
        record(consumer, thread, "\"ev\":\"build\"", "\"commit\":\"\(id)\",\"group\":\"group\",\"offsets\":{\(text)}")
        requests.append((offsets, queue.now, 0, nil, false))
        return Request(id: id, offsets: offsets, index: requests.count - 1)
    }

    /// Sends on the consumer's connection (caller holds its write lock); `answered` runs at the response.
    private func send(_ consumer: Consumer, _ thread: String, _ request: Request, answered: @escaping () -> Void) {
        record(consumer, thread, "\"ev\":\"send\"", "\"commit\":\"\(request.id)\",\"conn\":\"\(consumer.conn)\"")
        let sentAt = queue.now
        requests[request.index].sent = sentAt
        let arrival = max(sentAt + config.latencyBase + random.exponential(mean: config.latencyJitter), consumer.lastArrival + 1)
        consumer.lastArrival = arrival
        let rejected = config.failureRate > 0 && Double(random.next() % 1_000_000) / 1_000_000 < config.failureRate
        let applyAt = arrival + config.brokerTime
        requests[request.index].rejected = rejected
        queue.schedule(at: applyAt) {
            guard !rejected else { return }
            for (partition, offset) in request.offsets.sorted(by: { $0.key < $1.key }) {
                self.truth.applied["orders/\(partition)", default: []].append(offset)
            }
        }
        let responseAt = applyAt + config.latencyBase + random.exponential(mean: config.latencyJitter)
        if responseAt - sentAt > config.requestTimeout {
            // Timed out: the client gives up without an answer; the broker may still apply it.
            queue.schedule(at: sentAt + config.requestTimeout) { answered() }
            return
        }
        queue.schedule(at: responseAt) {
            self.requests[request.index].answered = responseAt
            self.record(consumer, thread, "\"ev\":\"ack\"", "\"commit\":\"\(request.id)\",\"status\":\"\(rejected ? "fail" : "ok")\"")
            if !rejected {
                for (partition, offset) in request.offsets where consumer.marked[partition] == offset {
                    consumer.dirty.remove(partition)
                }
            }
            answered()
        }
    }

    private func record(_ consumer: Consumer, _ thread: String, _ kind: String, _ fields: String) {
        let stamp = config.timestamps ? ",\"ts\":\(queue.now)" : ""
        lines.append("{\(kind),\"proc\":\"\(consumer.proc)\",\"thread\":\"\(thread)\"\(stamp),\(fields)}")
    }
}
