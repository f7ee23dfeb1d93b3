/// `Commit ('C')`: the transaction's changes are complete.
public struct CommitMessage: Sendable, Hashable {
    /// Flags (currently unused, 0).
    public var flags: UInt8
    /// The LSN of the commit record (equals the Begin's `finalLSN`).
    public var commitLSN: LSN
    /// The end of the commit record: the position to confirm once the transaction is stored.
    public var endLSN: LSN
    /// When it committed.
    public var commitTime: PostgresTimestamp

    /// A message from its fields.
    public init(flags: UInt8, commitLSN: LSN, endLSN: LSN, commitTime: PostgresTimestamp) {
        self.flags = flags
        self.commitLSN = commitLSN
        self.endLSN = endLSN
        self.commitTime = commitTime
    }

    /// Decodes the fields after the tag.
    public static func decode(from reader: inout ByteReader) throws(PGOutputError) -> CommitMessage {
        CommitMessage(
            flags: try reader.readUInt8(), commitLSN: try reader.readLSN(), endLSN: try reader.readLSN(),
            commitTime: try reader.readTimestamp())
    }
}
