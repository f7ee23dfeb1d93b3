/// `Message ('M')`: a logical decoding message written with `pg_logical_emit_message`.
public struct LogicalDecodingMessage: Sendable, Hashable {
    /// The transaction id, inside a streamed transaction (protocol v2+) only.
    public var xid: UInt32?
    /// Written as part of a transaction (delivered at its commit) rather than at once.
    public var isTransactional: Bool
    /// The message's LSN.
    public var lsn: LSN
    /// The prefix the writer chose.
    public var prefix: String
    /// The payload.
    public var content: ArraySlice<UInt8>

    /// A message from its fields.
    public init(xid: UInt32?, isTransactional: Bool, lsn: LSN, prefix: String, content: ArraySlice<UInt8>) {
        self.xid = xid
        self.isTransactional = isTransactional
        self.lsn = lsn
        self.prefix = prefix
        self.content = content
    }

    /// Decodes the fields after the tag.
    public static func decode(from reader: inout ByteReader, streamedTransaction: Bool) throws(PGOutputError) -> LogicalDecodingMessage {
        let xid = streamedTransaction ? try reader.readUInt32() : nil
        let flags = try reader.readUInt8()
        let lsn = try reader.readLSN()
        let prefix = try reader.readCString()
        let content = try reader.readLengthPrefixedBytes()
        return LogicalDecodingMessage(xid: xid, isTransactional: flags & 1 == 1, lsn: lsn, prefix: prefix, content: content)
    }
}
