import PGOutput

/// The transaction an event belongs to.
public struct TransactionInfo: Sendable, Hashable {
    /// The transaction id.
    public var xid: UInt32
    /// The LSN of the commit record: with an event's `seq`, the unique, ordered id of the event.
    public var commitLSN: LSN
    /// When the transaction committed.
    public var commitTime: PostgresTimestamp
    /// The replication origin the transaction came from, if the server named one.
    public var origin: String?
    /// The global identifier of a prepared transaction (two-phase decoding), handed out at its
    /// COMMIT PREPARED; `nil` for an ordinary transaction.
    public var gid: String? = nil

    /// A transaction of the stream (or the snapshot).
    package init(xid: UInt32, commitLSN: LSN, commitTime: PostgresTimestamp, origin: String?, gid: String? = nil) {
        self.xid = xid
        self.commitLSN = commitLSN
        self.commitTime = commitTime
        self.origin = origin
        self.gid = gid
    }
}
