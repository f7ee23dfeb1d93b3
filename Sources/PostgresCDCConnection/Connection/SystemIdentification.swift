import PGOutput

/// What `IDENTIFY_SYSTEM` reports about the server: which cluster, which timeline, where its WAL ends.
public struct SystemIdentification: Sendable, Hashable {
    /// The cluster's unique system identifier (a 64-bit number, as text).
    public var systemID: String
    /// The current timeline.
    public var timeline: UInt32
    /// The current WAL flush position.
    public var walPosition: LSN
    /// The database the connection is attached to.
    public var database: String?
}
