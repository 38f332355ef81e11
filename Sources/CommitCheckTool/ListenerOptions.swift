import ArgumentParser
import Recording

/// The listener options `record` and `proxy` share: where to listen, TLS on the listener, and
/// `--allow-remote`, with one set of rules and messages for both commands.
///
/// Each command still checks who may listen where (``ListenerAccess``) in its own `validate()`,
/// because what protects a non-loopback listener differs (`record` also accepts a token).
struct ListenerOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Where clients connect: HOST:PORT (TCP; port 0 picks one) or unix:PATH.", valueName: "address"))
    var listen: String

    @Option(help: ArgumentHelp("PEM certificate (chain): clients connect with TLS.", valueName: "file"))
    var tlsCert: String?

    @Option(help: ArgumentHelp("PEM private key of --tls-cert.", valueName: "file"))
    var tlsKey: String?

    @Option(help: ArgumentHelp("Require client certificates signed by a CA in this PEM file.", valueName: "file"))
    var tlsClientCa: String?

    @Flag(help: "Allow listening on a non-loopback address (then TLS and a way to know the clients are required; see the discussion above).")
    var allowRemote = false

    func validate() throws {
        _ = try address()
        try TLSOptionRules.pair(tlsCert, "--tls-cert", tlsKey, "--tls-key")
        if tlsClientCa != nil && tlsCert == nil { throw ValidationError("--tls-client-ca needs --tls-cert and --tls-key") }
    }

    /// `--listen` parsed; a usage error naming the option and the accepted forms otherwise.
    func address() throws -> ListenAddress {
        try Self.parse(listen, option: "--listen")
    }

    /// A listener address given to `option`, or a usage error that says what was expected.
    static func parse(_ text: String, option: String) throws -> ListenAddress {
        guard let address = ListenAddress(parsing: text) else {
            throw ValidationError("\(option): expected HOST:PORT or unix:PATH, got '\(text)'")
        }
        return address
    }

    /// TLS on the listener, when `--tls-cert` and `--tls-key` are given.
    var tls: TLSListenerSettings? {
        guard let tlsCert, let tlsKey else { return nil }
        return TLSListenerSettings(certificateFile: tlsCert, keyFile: tlsKey, clientCAFile: tlsClientCa)
    }
}

enum TLSOptionRules {
    /// A certificate without its key (or the reverse) is a mistake, never a reason to go plaintext.
    static func pair(_ first: String?, _ firstName: String, _ second: String?, _ secondName: String) throws {
        if (first == nil) != (second == nil) {
            throw ValidationError("\(first == nil ? firstName : secondName) is missing: \(firstName) and \(secondName) go together")
        }
    }
}
