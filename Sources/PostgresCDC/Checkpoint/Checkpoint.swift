import PGOutput

/// How far a consumer has durably stored the stream, and of which server.
public struct Checkpoint: Sendable, Equatable {
    /// Resume here: every transaction that committed before it is stored.
    public var lsn: LSN
    /// The replication slot the position belongs to.
    public var slot: String
    /// The server's system identifier (`IDENTIFY_SYSTEM`): a checkpoint of another cluster is refused.
    public var systemIdentifier: String
    /// The timeline the position was reached on.
    public var timeline: UInt32

    /// A checkpoint at `lsn`.
    public init(lsn: LSN, slot: String, systemIdentifier: String, timeline: UInt32) {
        self.lsn = lsn
        self.slot = slot
        self.systemIdentifier = systemIdentifier
        self.timeline = timeline
    }
}
