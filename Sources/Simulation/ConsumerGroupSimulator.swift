import Workloads

/// A deterministic simulation of a Sarama consumer group's commit path, on Sarama's real connection.
///
/// Every consumer process has one connection to its broker (one broker is both group coordinator
/// and partition leader, as in the real runs against Tansu, so Sarama shares one `*Broker` and its
/// lock). A fetch goroutine long-polls that connection for messages (`Consumer.MaxWaitTime`) and
/// hands each partition's goroutine its messages; each goroutine processes a message, marks its
/// offset and commits per the strategy. Under v1.43.2 (`unsynchronized`, `commit-mutex`,
/// `auto-commit`) whoever holds the connection lock holds it until the response, so a commit built
/// during a fetch waits about `fetchWait` and then competes with the others for the lock; under
/// v1.43.3 (`broker-lock`) the lock covers only build and send. The broker handles a connection's
/// requests one at a time in arrival order and answers in that order (Kafka's per-connection
/// guarantee), and arrival keeps send order (TCP).
///
/// The trace records what an instrumented client would: `build`, `send` with `conn` (recorded while
/// the connection lock is held) and `ack`. Message fetches are not part of the trace format. The
/// broker's true apply order is kept apart as the ground truth, which the verifier never sees.
public final class ConsumerGroupSimulator {
    public let config: SimulationConfig
    private let queue = DiscreteEventQueue()
    private let random: RandomSource
    private var lines: [String] = []
    private var truth = GroundTruth()
    private var commitCounter = 0
    private var requests: [(partitions: [Int: Int], built: Int, sent: Int, finished: Int, rejected: Bool)] = []
    private var processed = 0
    private let totalMessages: Int
    private let progress: ((Int, Int) -> Void)?

    public init(config: SimulationConfig, progress: ((Int, Int) -> Void)? = nil) {
        self.config = config
        self.progress = progress
        random = RandomSource(seed: config.seed)
        totalMessages = config.partitions * config.consumers * config.messages
    }

    /// Runs the simulation: the trace as `commitcheck/1` text, and the ground truth. `progress`
    /// gets (messages processed, messages in all) now and then, for long runs.
    public static func run(_ config: SimulationConfig, progress: ((Int, Int) -> Void)? = nil) -> (trace: String, truth: GroundTruth) {
        ConsumerGroupSimulator(config: config, progress: progress).simulate()
    }

    /// One connection to the broker: Sarama's `*Broker`, its lock and the broker's side of it.
    private final class Connection {
        let name: String
        let lock: SimulatedMutex
        var lastArrival = 0
        var brokerFree = 0
        var lastResponse = 0
        init(name: String, lock: SimulatedMutex) {
            self.name = name
            self.lock = lock
        }
    }

    private final class Consumer {
        let id: Int
        let partitions: [Int]
        let connection: Connection
        var marked: [Int: Int] = [:]
        var dirty: Set<Int> = []
        let commitMutex: SimulatedMutex
        /// Messages fetched so far, per partition.
        var delivered: [Int: Int] = [:]
        /// Goroutines waiting for their next message, per partition.
        var waiting: [Int: () -> Void] = [:]
        var activeWorkers: Int
        init(id: Int, partitions: [Int], mutex: () -> SimulatedMutex) {
            self.id = id
            self.partitions = partitions
            connection = Connection(name: "coordinator-\(id)", lock: mutex())
            commitMutex = mutex()
            activeWorkers = partitions.count
        }
        var proc: String { "consumer-\(id)" }
    }

    private func simulate() -> (trace: String, truth: GroundTruth) {
        lines.append("{\"ev\":\"meta\",\"format\":\"commitcheck/1\",\"clock\":\"monotonic\"}")
        for id in 0..<config.consumers {
            let owned = Array((id * config.partitions)..<((id + 1) * config.partitions))
            let consumer = Consumer(id: id, partitions: owned) {
                SimulatedMutex(queue: self.queue, random: self.random, wakeLatency: self.config.wakeLatency)
            }
            for partition in owned { awaitMessage(consumer, partition, message: 1) }
            fetch(consumer)
            if config.strategy == .autoCommit {
                queue.after(config.autoCommitInterval) { self.tick(consumer) }
            }
        }
        queue.run()
        countPairs()
        truth.requests = requests.count
        progress?(totalMessages, totalMessages)
        return (lines.joined(separator: "\n") + "\n", truth)
    }

    /// Racing pairs (built in one order, sent in the other, carrying different offsets of a
    /// partition) and overlapping pairs, looking only at requests whose windows can meet.
    private func countPairs() {
        // Requests are appended in build order.
        for i in requests.indices {
            let a = requests[i]
            var j = i + 1
            while j < requests.count && requests[j].built <= a.sent {
                let b = requests[j]
                if b.sent < a.sent && !a.rejected && !b.rejected
                    && a.partitions.contains(where: { b.partitions[$0.key] != nil && b.partitions[$0.key] != $0.value }) {
                    truth.racingPairs += 1
                }
                j += 1
            }
        }
        let bySend = requests.indices.sorted { (requests[$0].sent, $0) < (requests[$1].sent, $1) }
        for (position, i) in bySend.enumerated() {
            var next = position + 1
            while next < bySend.count && requests[bySend[next]].sent < requests[i].finished {
                truth.overlappingPairs += 1
                next += 1
            }
        }
    }

    // MARK: Goroutines

    /// A partition's goroutine waits for message `message` to be fetched, then processes it.
    private func awaitMessage(_ consumer: Consumer, _ partition: Int, message: Int) {
        if consumer.delivered[partition, default: 0] >= message {
            queue.after(random.exponential(mean: config.processingTime)) { self.process(consumer, partition, message: message) }
        } else {
            consumer.waiting[partition] = { self.awaitMessage(consumer, partition, message: message) }
        }
    }

    private func process(_ consumer: Consumer, _ partition: Int, message: Int) {
        // Processed message `message - 1`: the next offset to consume is `message`.
        consumer.marked[partition] = message
        consumer.dirty.insert(partition)
        processed += 1
        if let progress, processed % 10_000 == 0 { progress(processed, totalMessages) }
        let next = {
            if message < self.config.messages {
                self.awaitMessage(consumer, partition, message: message + 1)
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

    /// The fetch goroutine: long-polls the connection while any partition goroutine still works.
    private func fetch(_ consumer: Consumer) {
        guard consumer.activeWorkers > 0 else { return }
        let connection = consumer.connection
        connection.lock.lock {
            let (_, responseAt) = self.transmit(on: connection, service: self.config.fetchWait)
            if !self.config.strategy.holdsLockForRoundTrip { connection.lock.unlock() }
            self.queue.schedule(at: responseAt) {
                for partition in consumer.partitions {
                    let fetched = consumer.delivered[partition, default: 0]
                    consumer.delivered[partition] = min(self.config.messages, fetched + self.config.messagesPerFetch)
                    if fetched < self.config.messages, let waiter = consumer.waiting.removeValue(forKey: partition) { waiter() }
                }
                if self.config.strategy.holdsLockForRoundTrip { connection.lock.unlock() }
                self.queue.after(self.random.exponential(mean: self.config.fetchGap)) { self.fetch(consumer) }
            }
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
        let connection = consumer.connection
        switch config.strategy {
        case .unsynchronized, .autoCommit:
            // v1.43.2 flushToBroker: build, look up the coordinator, then sendAndReceive, which
            // holds the connection lock from the send to the response.
            guard let request = build(consumer, thread) else { return then() }
            queue.after(lookupDelay()) {
                connection.lock.lock {
                    self.send(consumer, thread, request) {
                        connection.lock.unlock()
                        then()
                    }
                }
            }
        case .commitMutex:
            consumer.commitMutex.lock {
                guard let request = self.build(consumer, thread) else { consumer.commitMutex.unlock(); return then() }
                self.queue.after(self.lookupDelay()) {
                    connection.lock.lock {
                        self.send(consumer, thread, request) {
                            connection.lock.unlock()
                            consumer.commitMutex.unlock()
                            then()
                        }
                    }
                }
            }
        case .brokerLock:
            // v1.43.3: look up, then build and send under the connection lock; wait outside it.
            queue.after(lookupDelay()) {
                connection.lock.lock {
                    guard let request = self.build(consumer, thread) else { connection.lock.unlock(); return then() }
                    self.send(consumer, thread, request) { then() }
                    connection.lock.unlock()
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

    /// Builds a request from every dirty partition's marked offset (Sarama's constructRequest).
    private func build(_ consumer: Consumer, _ thread: String) -> Request? {
        let dirty = consumer.dirty.sorted()
        guard !dirty.isEmpty else { return nil }
        commitCounter += 1
        let id = "c\(commitCounter)"
        var offsets: [Int: Int] = [:]
        for partition in dirty { offsets[partition] = consumer.marked[partition] }
        let text = dirty.map { "\"orders/\($0)\":\(offsets[$0]!)" }.joined(separator: ",")
        record(consumer, thread, "\"ev\":\"build\"", "\"commit\":\"\(id)\",\"group\":\"group\",\"offsets\":{\(text)}")
        requests.append((offsets, queue.now, 0, 0, false))
        return Request(id: id, offsets: offsets, index: requests.count - 1)
    }

    /// Puts a request on the wire now: when the broker is done with it and when its response is
    /// back. The broker serves a connection's requests one at a time in arrival order and answers
    /// in that order.
    private func transmit(on connection: Connection, service: Int) -> (doneAt: Int, responseAt: Int) {
        let arrival = max(queue.now + config.latencyBase + random.exponential(mean: config.latencyJitter), connection.lastArrival + 1)
        connection.lastArrival = arrival
        let doneAt = max(arrival, connection.brokerFree) + service
        connection.brokerFree = doneAt
        let responseAt = max(doneAt + config.latencyBase + random.exponential(mean: config.latencyJitter), connection.lastResponse + 1)
        connection.lastResponse = responseAt
        return (doneAt, responseAt)
    }

    /// Sends a commit on the consumer's connection (the caller holds its lock); `answered` runs at
    /// the response, or when the client gives up waiting.
    private func send(_ consumer: Consumer, _ thread: String, _ request: Request, answered: @escaping () -> Void) {
        record(consumer, thread, "\"ev\":\"send\"", "\"commit\":\"\(request.id)\",\"conn\":\"\(consumer.connection.name)\"")
        let sentAt = queue.now
        requests[request.index].sent = sentAt
        let rejected = random.chance(config.failureRate)
        requests[request.index].rejected = rejected
        let (applyAt, responseAt) = transmit(on: consumer.connection, service: config.brokerTime)
        queue.schedule(at: applyAt) {
            guard !rejected else { return }
            for (partition, offset) in request.offsets.sorted(by: { $0.key < $1.key }) {
                self.truth.applied["orders/\(partition)", default: []].append(offset)
            }
        }
        if responseAt - sentAt > config.requestTimeout {
            // Timed out: the client gives up without an answer; the broker may still apply it.
            requests[request.index].finished = sentAt + config.requestTimeout
            queue.schedule(at: sentAt + config.requestTimeout) { answered() }
            return
        }
        requests[request.index].finished = responseAt
        queue.schedule(at: responseAt) {
            self.record(consumer, thread, "\"ev\":\"ack\"", "\"commit\":\"\(request.id)\",\"status\":\"\(rejected ? "fail" : "ok")\"")
            if !rejected {
                // Sarama's updateCommitted: clean only if nothing newer was marked meanwhile.
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
