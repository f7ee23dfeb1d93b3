/// `Primary keepalive ('k')`: the server's heartbeat.
public struct PrimaryKeepalive: Sendable, Hashable {
    /// The server's current end of WAL (for logical decoding: how far it has decoded).
    public var walEnd: LSN
    /// When the server sent it.
    public var serverTime: PostgresTimestamp
    /// The server wants a status update now (or it will time the connection out).
    public var replyRequested: Bool

    /// A keepalive from its fields.
    public init(walEnd: LSN, serverTime: PostgresTimestamp, replyRequested: Bool) {
        self.walEnd = walEnd
        self.serverTime = serverTime
        self.replyRequested = replyRequested
    }

    /// Decodes the fields after the tag.
    public static func decode(from reader: inout ByteReader) throws(PGOutputError) -> PrimaryKeepalive {
        let end = try reader.readLSN()
        let time = try reader.readTimestamp()
        let reply = try reader.readUInt8()
        guard reply <= 1 else { throw reader.malformed("reply flag \(reply), expected 0 or 1") }
        return PrimaryKeepalive(walEnd: end, serverTime: time, replyRequested: reply == 1)
    }
}
