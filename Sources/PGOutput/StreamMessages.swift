/// `Stream Start ('S')` (protocol v2+): the changes that follow, up to Stream Stop, belong to the
/// in-progress transaction `xid`; they arrive before it commits and may still be aborted.
public struct StreamStartMessage: Sendable, Hashable {
    /// The streamed transaction.
    public var xid: UInt32
    /// Whether this is the transaction's first streamed segment.
    public var isFirstSegment: Bool

    /// A message from its fields.
    public init(xid: UInt32, isFirstSegment: Bool) {
        self.xid = xid
        self.isFirstSegment = isFirstSegment
    }

    /// Decodes the fields after the tag.
    public static func decode(from reader: inout ByteReader) throws(PGOutputError) -> StreamStartMessage {
        let xid = try reader.readUInt32()
        let first = try reader.readUInt8()
        return StreamStartMessage(xid: xid, isFirstSegment: first == 1)
    }
}

/// `Stream Commit ('c')` (protocol v2+): a streamed transaction committed.
public struct StreamCommitMessage: Sendable, Hashable {
    /// The transaction.
    public var xid: UInt32
    /// Flags (currently unused, 0).
    public var flags: UInt8
    /// The LSN of the commit record.
    public var commitLSN: LSN
    /// The end of the commit record.
    public var endLSN: LSN
    /// When it committed.
    public var commitTime: PostgresTimestamp

    /// A message from its fields.
    public init(xid: UInt32, flags: UInt8, commitLSN: LSN, endLSN: LSN, commitTime: PostgresTimestamp) {
        self.xid = xid
        self.flags = flags
        self.commitLSN = commitLSN
        self.endLSN = endLSN
        self.commitTime = commitTime
    }

    /// Decodes the fields after the tag.
    public static func decode(from reader: inout ByteReader) throws(PGOutputError) -> StreamCommitMessage {
        StreamCommitMessage(
            xid: try reader.readUInt32(), flags: try reader.readUInt8(), commitLSN: try reader.readLSN(),
            endLSN: try reader.readLSN(), commitTime: try reader.readTimestamp())
    }
}

/// `Stream Abort ('A')` (protocol v2+): a streamed (sub)transaction rolled back; its changes must
/// be discarded. With protocol v4 and `streaming = parallel`, it also carries where and when.
public struct StreamAbortMessage: Sendable, Hashable {
    /// The top-level transaction.
    public var xid: UInt32
    /// The aborted subtransaction (equal to `xid` when the whole transaction aborted).
    public var subtransactionXid: UInt32
    /// The LSN of the abort (v4 parallel streaming only).
    public var abortLSN: LSN?
    /// When it aborted (v4 parallel streaming only).
    public var abortTime: PostgresTimestamp?

    /// A message from its fields.
    public init(xid: UInt32, subtransactionXid: UInt32, abortLSN: LSN? = nil, abortTime: PostgresTimestamp? = nil) {
        self.xid = xid
        self.subtransactionXid = subtransactionXid
        self.abortLSN = abortLSN
        self.abortTime = abortTime
    }

    /// Decodes the fields after the tag; `withPosition` when the stream is v4 with parallel streaming.
    public static func decode(from reader: inout ByteReader, withPosition: Bool) throws(PGOutputError) -> StreamAbortMessage {
        let xid = try reader.readUInt32()
        let subtransaction = try reader.readUInt32()
        guard withPosition else { return StreamAbortMessage(xid: xid, subtransactionXid: subtransaction) }
        return StreamAbortMessage(
            xid: xid, subtransactionXid: subtransaction, abortLSN: try reader.readLSN(), abortTime: try reader.readTimestamp())
    }
}
