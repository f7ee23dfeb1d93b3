/// `XLogData ('w')`: a chunk of the logical stream, here exactly one pgoutput message.
public struct XLogData: Sendable {
    /// The WAL position of the data (for a change: the LSN of its WAL record).
    public var walStart: LSN
    /// The server's current end of WAL.
    public var walEnd: LSN
    /// When the server sent it.
    public var serverTime: PostgresTimestamp
    /// The pgoutput message; shares storage with the received buffer.
    public var data: ArraySlice<UInt8>

    /// A message from its fields.
    public init(walStart: LSN, walEnd: LSN, serverTime: PostgresTimestamp, data: ArraySlice<UInt8>) {
        self.walStart = walStart
        self.walEnd = walEnd
        self.serverTime = serverTime
        self.data = data
    }

    /// Decodes the fields after the tag.
    public static func decode(from reader: inout ByteReader) throws(PGOutputError) -> XLogData {
        let start = try reader.readLSN()
        let end = try reader.readLSN()
        let time = try reader.readTimestamp()
        return XLogData(walStart: start, walEnd: end, serverTime: time, data: reader.readRemainingBytes())
    }
}
