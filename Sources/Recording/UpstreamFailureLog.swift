import NIOConcurrencyHelpers
import NIOCore

/// Decides which broker connection failures the proxy logs, so that an outage is a few lines.
///
/// Clients retry quickly (about 20 attempts a second), and each attempt is a client connection the
/// proxy cannot forward: one line each would bury everything else in the log. Per broker, the
/// first failure is logged with its reason, later ones are counted and summarised at most once
/// per `summaryInterval` (with the count and the last reason), and the first connection that
/// succeeds after failures says the broker is back and how many attempts failed since the last line.
final class UpstreamFailureLog: Sendable {
    private let summaryInterval: TimeAmount
    private let now: @Sendable () -> NIODeadline
    private let brokers = NIOLockedValueBox([String: Outage]())

    private struct Outage {
        var started: NIODeadline
        var lastLine: NIODeadline
        /// Failures since the last line written about this broker.
        var unreported = 0
        var total = 1
    }

    init(summaryInterval: TimeAmount = .seconds(10), now: @escaping @Sendable () -> NIODeadline = { .now() }) {
        self.summaryInterval = summaryInterval
        self.now = now
    }

    /// A connection to `broker` failed; returns the line to log, if any.
    func failed(broker: String, reason: String) -> String? {
        let at = now()
        return brokers.withLockedValue { brokers -> String? in
            guard var outage = brokers[broker] else {
                brokers[broker] = Outage(started: at, lastLine: at)
                return "proxy: cannot reach broker \(broker): \(reason); closing the client (further failures are summarised every \(Self.seconds(summaryInterval)) s)"
            }
            outage.total += 1
            outage.unreported += 1
            defer { brokers[broker] = outage }
            guard at - outage.lastLine >= summaryInterval else { return nil }
            let line = "proxy: broker \(broker) still unreachable: \(outage.unreported) more failed connection(s) in the last \(Self.seconds(at - outage.lastLine)) s (\(outage.total) since the outage began \(Self.seconds(at - outage.started)) s ago); last: \(reason)"
            outage.unreported = 0
            outage.lastLine = at
            return line
        }
    }

    /// A connection to `broker` succeeded; returns the line to log when it ends an outage.
    func connected(broker: String) -> String? {
        let at = now()
        return brokers.withLockedValue { brokers -> String? in
            guard let outage = brokers.removeValue(forKey: broker) else { return nil }
            return "proxy: broker \(broker) reachable again after \(Self.seconds(at - outage.started)) s; \(outage.total) connection(s) failed in all"
                + (outage.unreported > 0 ? ", \(outage.unreported) since the last line" : "")
        }
    }

    private static func seconds(_ amount: TimeAmount) -> String {
        let tenths = amount.nanoseconds / 100_000_000
        return "\(tenths / 10).\(tenths % 10)"
    }
}
