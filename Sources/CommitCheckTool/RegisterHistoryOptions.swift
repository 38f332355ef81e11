import ArgumentParser
import RegisterHistories

extension HistorySource: ExpressibleByArgument {}
extension RegisterModel: ExpressibleByArgument {}

/// `verify --from ...`: check register histories of other tools instead of commit traces.
struct RegisterHistoryOptions: ParsableArguments {
    @Option(help: "Read register histories instead of commit traces: jepsen (Knossos EDN) or porcupine-etcd (Porcupine's Jepsen etcd logs).")
    var from: HistorySource?

    @Option(help: "Register model for --from jepsen: register or cas-register.")
    var model: RegisterModel = .casRegister

    @Option(help: "Initial register value for --from jepsen (one EDN value, compared as a value: {:a 1 :b 2} equals {:b 2, :a 1}; default nil, no value).")
    var initial: String?

    func validate() throws {
        guard let initial else { return }
        // Porcupine's etcd model starts at nil: a value here would be silently ignored.
        guard from == .jepsen else { throw ValidationError("--initial applies to --from jepsen only") }
        do { _ = try JepsenHistory.initialValue(initial) } catch {
            throw ValidationError("--initial '\(initial)' is not one EDN value: \(error)")
        }
    }
}
