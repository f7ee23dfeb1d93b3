/// The fields that Begin Prepare, Prepare and Stream Prepare share (protocol v3+, `two_phase`).
public struct PrepareInfo: Sendable, Hashable {
    /// The LSN of the PREPARE TRANSACTION record.
    public var prepareLSN: LSN
    /// The end of the prepared transaction.
    public var endLSN: LSN
    /// When it was prepared.
    public var prepareTime: PostgresTimestamp
    /// The transaction.
    public var xid: UInt32
    /// The global identifier given to PREPARE TRANSACTION.
    public var gid: String

    /// The fields.
    public init(prepareLSN: LSN, endLSN: LSN, prepareTime: PostgresTimestamp, xid: UInt32, gid: String) {
        self.prepareLSN = prepareLSN
        self.endLSN = endLSN
        self.prepareTime = prepareTime
        self.xid = xid
        self.gid = gid
    }

    static func decode(from reader: inout ByteReader) throws(PGOutputError) -> PrepareInfo {
        PrepareInfo(
            prepareLSN: try reader.readLSN(), endLSN: try reader.readLSN(), prepareTime: try reader.readTimestamp(),
            xid: try reader.readUInt32(), gid: try reader.readCString())
    }
}

/// `Commit Prepared ('K')` in the pgoutput layer (protocol v3+): a prepared transaction committed.
/// (Not the `K` old-key marker inside Update/Delete, nor the CopyBoth keepalive `k`.)
public struct CommitPreparedMessage: Sendable, Hashable {
    /// Flags (currently unused, 0).
    public var flags: UInt8
    /// The LSN of the COMMIT PREPARED record.
    public var commitLSN: LSN
    /// Its end: the position to confirm once the transaction is stored.
    public var endLSN: LSN
    /// When it committed.
    public var commitTime: PostgresTimestamp
    /// The transaction.
    public var xid: UInt32
    /// The global identifier.
    public var gid: String

    /// A message from its fields.
    public init(flags: UInt8, commitLSN: LSN, endLSN: LSN, commitTime: PostgresTimestamp, xid: UInt32, gid: String) {
        self.flags = flags
        self.commitLSN = commitLSN
        self.endLSN = endLSN
        self.commitTime = commitTime
        self.xid = xid
        self.gid = gid
    }

    /// Decodes the fields after the tag.
    public static func decode(from reader: inout ByteReader) throws(PGOutputError) -> CommitPreparedMessage {
        CommitPreparedMessage(
            flags: try reader.readUInt8(), commitLSN: try reader.readLSN(), endLSN: try reader.readLSN(),
            commitTime: try reader.readTimestamp(), xid: try reader.readUInt32(), gid: try reader.readCString())
    }
}

/// `Rollback Prepared ('r')` in the pgoutput layer (protocol v3+): a prepared transaction was
/// rolled back. (Not the standby status update `r` of the CopyBoth layer.)
public struct RollbackPreparedMessage: Sendable, Hashable {
    /// Flags (currently unused, 0).
    public var flags: UInt8
    /// The end of the prepared transaction.
    public var preparedEndLSN: LSN
    /// The end of the ROLLBACK PREPARED record.
    public var rollbackEndLSN: LSN
    /// When it was prepared.
    public var prepareTime: PostgresTimestamp
    /// When it was rolled back.
    public var rollbackTime: PostgresTimestamp
    /// The transaction.
    public var xid: UInt32
    /// The global identifier.
    public var gid: String

    /// A message from its fields.
    public init(
        flags: UInt8, preparedEndLSN: LSN, rollbackEndLSN: LSN, prepareTime: PostgresTimestamp, rollbackTime: PostgresTimestamp,
        xid: UInt32, gid: String
    ) {
        self.flags = flags
        self.preparedEndLSN = preparedEndLSN
        self.rollbackEndLSN = rollbackEndLSN
        self.prepareTime = prepareTime
        self.rollbackTime = rollbackTime
        self.xid = xid
        self.gid = gid
    }

    /// Decodes the fields after the tag.
    public static func decode(from reader: inout ByteReader) throws(PGOutputError) -> RollbackPreparedMessage {
        RollbackPreparedMessage(
            flags: try reader.readUInt8(), preparedEndLSN: try reader.readLSN(), rollbackEndLSN: try reader.readLSN(),
            prepareTime: try reader.readTimestamp(), rollbackTime: try reader.readTimestamp(),
            xid: try reader.readUInt32(), gid: try reader.readCString())
    }
}
