/// What a collector did, for its closing log line and for tests.
public struct CollectorStatistics: Sendable, Equatable {
    /// Lines validated and written.
    public var written = 0
    /// Lines answered with an error and not written.
    public var rejected = 0
    /// `meta` lines accepted but not written (the collector's file holds many clients' lines).
    public var metaDropped = 0
    /// Connections accepted.
    public var connections = 0
    /// Connections still open when the drain timeout ran out and were closed by the collector.
    public var cutOff = 0

    public init() {}
}
