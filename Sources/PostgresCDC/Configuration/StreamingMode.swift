/// Whether the server sends a large transaction's changes before it commits (pgoutput's
/// `streaming` option). pgcdc hands out only committed changes, in commit order, either way.
public enum StreamingMode: String, Sendable, CaseIterable {
    /// The server holds each transaction until it commits, spilling large ones to its own disk.
    case off
    /// The server streams a transaction once it exceeds `logical_decoding_work_mem` (protocol 2+,
    /// PostgreSQL 14+); pgcdc keeps the streamed changes until the commit, spilling past
    /// ``StreamConfiguration/maxMemory``.
    case on
    /// As ``on``, and aborts carry their LSN and time (protocol 4, PostgreSQL 16+).
    case parallel
}
