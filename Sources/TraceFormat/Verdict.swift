/// What the checker concludes about one property of one key (specs/verdicts.md).
public enum Verdict: String, Codable, Sendable, CaseIterable, Comparable {
    /// No consistent schedule breaks the property: a proof.
    case holds
    /// Some consistent schedule breaks it and some does not: the client does not guarantee it.
    case possible
    /// Every consistent schedule breaks it: it was broken.
    case violated
    /// A resource limit was hit before an answer.
    case unknown

    /// Severity order used to summarise many keys: violated > possible > unknown > holds.
    package var severity: Int {
        switch self {
        case .holds: 0
        case .unknown: 1
        case .possible: 2
        case .violated: 3
        }
    }

    public static func < (a: Verdict, b: Verdict) -> Bool { a.severity < b.severity }
}

/// The property a verdict is about.
public enum Property: String, Codable, Sendable {
    /// Applied offsets of a key never decrease.
    case monotonic
    /// Some consistent schedule explains every read (fetch results, register reads).
    case linearizable
}
