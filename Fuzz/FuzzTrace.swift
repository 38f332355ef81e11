// libFuzzer entry: bytes -> trace parser -> (when they parse) the verifier with small budgets.
// Built by scripts/fuzz with swiftc (a SwiftPM executable built with -sanitize=fuzzer does not link).
@testable import CommitCheck

private let options: VerifyOptions = {
    // No `--timeout`: it arms a timer on a dispatch queue that can fire during a later input, which
    // LeakSanitizer then blames on that input. Inputs are small (at most 40 events) and libFuzzer's
    // own -timeout bounds each one; the minimiser keeps its budget.
    var options = VerifyOptions(engine: .auto, timeout: nil)
    options.minimizeTimeout = 0.2
    options.jobs = 1
    return options
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTrace(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // The fast line decoder may only ever return what the general decoder returns.
    for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: true) {
        Array(line).withUnsafeBufferPointer { line in
            guard let fast = FastLineDecoder.decode(line, lineNumber: 1) else { return }
            guard let general = try? TraceEventDecoder.decodeInGeneral(line: line, lineNumber: 1, lenient: false) else {
                fatalError("fast path accepted a line the general path rejects: \(Array(line))")
            }
            if String(reflecting: fast) != String(reflecting: general) {
                fatalError("fast and general decoders disagree: \(String(reflecting: fast)) vs \(String(reflecting: general))")
            }
        }
    }
    guard let history = try? TraceReader(lenient: size % 2 == 0).read(bytes: bytes, name: "fuzz") else { return 0 }
    guard history.events.count <= 40 else { return 0 }
    // Both engines must agree whenever both decide (a soundness check, not just a crash check).
    var z3 = options
    z3.engine = .z3
    guard let fast = try? Verifier(options: options).verify(history: history),
          let slow = try? Verifier(options: z3).verify(history: history) else { return 0 }
    for (a, b) in zip(fast.keys, slow.keys) where a.verdict != .unknown && b.verdict != .unknown && a.verdict != b.verdict {
        fatalError("engines disagree on \(a.keyDescription) \(a.property): auto \(a.verdict), z3 \(b.verdict)")
    }
    return 0
}
