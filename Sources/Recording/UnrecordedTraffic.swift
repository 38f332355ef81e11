import KafkaWire

/// Requests the proxy forwarded but could not put in its trace, counted per kind, so that nothing
/// passes silently: each kind is warned about once, at its first occurrence, and listed at exit.
struct UnrecordedTraffic: Sendable {
    /// One kind of unrecorded request: what it was, and what its absence means for the verdicts.
    struct Kind: Hashable, Sendable {
        var what: String
        var effect: Effect

        /// What a missing request of this kind can do to the verdicts.
        enum Effect: Sendable {
            case reads
            case writes
            case transactionSteps

            var meaning: String {
                switch self {
                case .reads:
                    return "reads of committed offsets missing from the trace: linearizable says nothing about what they returned"
                case .writes:
                    return "writes of committed offsets missing from the trace: reads whose writer is missing from the trace can make linearizable report violated falsely, and monotonic cannot see a regression through them"
                case .transactionSteps:
                    return "transaction steps missing from the trace: their transactions may stay undecided (may commit or abort), and reads whose writer is missing from the trace can make linearizable report violated falsely"
                }
            }
        }

        var warning: String { "forwarded \(what) without recording it (\(effect.meaning)); counted in the summary at exit" }

        /// OffsetFetch of "all of the group's partitions" (null topics): the partitions read are
        /// not known until the answer, and a `fetch` written then would misplace the read point.
        static let fetchOfAllPartitions = Kind(what: "OffsetFetch requests for all of a group's partitions", effect: .reads)
        /// DeleteGroups of a group none of whose partitions the proxy saw in a commit or fetch.
        static let deleteOfUnseenGroup = Kind(what: "DeleteGroups of groups whose partitions the proxy never saw", effect: .writes)

        /// A request of a kind the proxy records, that it could not decode (a version it does not
        /// know, or malformed bytes).
        static func undecodable(_ apiKey: KafkaAPIKey, version: Int16) -> Kind {
            Kind(what: "\(apiKey) v\(version) requests it could not decode", effect: effect(of: apiKey))
        }

        /// Requests of an API the proxy does not decode that still change committed offsets.
        static func notDecoded(_ apiKey: KafkaAPIKey) -> Kind {
            Kind(what: "\(apiKey) requests", effect: effect(of: apiKey))
        }

        private static func effect(of apiKey: KafkaAPIKey) -> Effect {
            switch apiKey {
            case .offsetFetch: return .reads
            case .endTxn, .addOffsetsToTxn, .addPartitionsToTxn, .initProducerID, .writeTxnMarkers: return .transactionSteps
            default: return .writes
            }
        }
    }

    private var counts: [Kind: Int] = [:]
    private var order: [Kind] = []

    /// Counts one request; true for the first of its kind.
    mutating func count(_ kind: Kind) -> Bool {
        let first = counts[kind] == nil
        counts[kind, default: 0] += 1
        if first { order.append(kind) }
        return first
    }

    var summary: [String] {
        order.map { "proxy: forwarded \(counts[$0]!) \($0.what) without recording them (\($0.effect.meaning))" }
    }
}
