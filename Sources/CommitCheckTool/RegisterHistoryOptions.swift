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

    @Option(help: "Initial register value for --from jepsen (EDN; default nil, no value).")
    var initial: String?
}
