/// A message of the CopyBoth layer, server to client: the envelope around pgoutput data.
///
/// See PostgreSQL's "Streaming Replication Protocol": `XLogData ('w')` and `Primary keepalive ('k')`.
public enum ReplicationMessage: Sendable {
    /// WAL data: one pgoutput message.
    case xLogData(XLogData)
    /// The server's heartbeat, possibly asking for an immediate status update.
    case primaryKeepalive(PrimaryKeepalive)

    /// Decodes one CopyData payload.
    public static func decode(_ bytes: ArraySlice<UInt8>) throws(PGOutputError) -> ReplicationMessage {
        var reader = ByteReader(bytes, context: "CopyData")
        let tag = try reader.readUInt8()
        switch tag {
        case UInt8(ascii: "w"):
            reader.context = "XLogData ('w')"
            return .xLogData(try XLogData.decode(from: &reader))
        case UInt8(ascii: "k"):
            reader.context = "primary keepalive ('k')"
            let keepalive = try PrimaryKeepalive.decode(from: &reader)
            try reader.expectEnd()
            return .primaryKeepalive(keepalive)
        default:
            throw PGOutputError.unknownMessageType(layer: "CopyBoth", tag: tag, offset: 0)
        }
    }
}
