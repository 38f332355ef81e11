/// The trace format is part of the checker's vocabulary (events, keys, verdicts, errors), so
/// importing the checker imports it too, as `NIO` re-exports `NIOCore`.
@_exported import TraceFormat
