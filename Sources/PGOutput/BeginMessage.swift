/// `Begin ('B')`: a transaction starts; its changes follow, then Commit.
public struct BeginMessage: Sendable, Hashable {
    /// The LSN of the transaction's commit record.
    public var finalLSN: LSN
    /// When it committed.
    public var commitTime: PostgresTimestamp
    /// Its transaction id.
    public var xid: UInt32

    /// A message from its fields.
    public init(finalLSN: LSN, commitTime: PostgresTimestamp, xid: UInt32) {
        self.finalLSN = finalLSN
        self.commitTime = commitTime
        self.xid = xid
    }

    /// Decodes the fields after the tag.
    public static func decode(from reader: inout ByteReader) throws(PGOutputError) -> BeginMessage {
        BeginMessage(finalLSN: try reader.readLSN(), commitTime: try reader.readTimestamp(), xid: try reader.readUInt32())
    }
}
