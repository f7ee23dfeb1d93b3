/// `Standby status update ('r')`, client to server: how far the client has written, flushed and applied.
///
/// For logical replication the server advances the slot's `confirmed_flush_lsn` to `flushLSN`.
public struct StandbyStatusUpdate: Sendable, Hashable {
    /// The position written (received and handed on).
    public var writeLSN: LSN
    /// The position durably stored: the server may release WAL up to here.
    public var flushLSN: LSN
    /// The position applied.
    public var applyLSN: LSN
    /// The client's clock.
    public var clientTime: PostgresTimestamp
    /// Ask the server to answer with a keepalive at once.
    public var replyRequested: Bool

    /// An update from its fields.
    public init(writeLSN: LSN, flushLSN: LSN, applyLSN: LSN, clientTime: PostgresTimestamp, replyRequested: Bool) {
        self.writeLSN = writeLSN
        self.flushLSN = flushLSN
        self.applyLSN = applyLSN
        self.clientTime = clientTime
        self.replyRequested = replyRequested
    }

    /// The 34-byte CopyData payload.
    public func encode() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(34)
        bytes.append(UInt8(ascii: "r"))
        for value in [writeLSN.value, flushLSN.value, applyLSN.value, UInt64(bitPattern: clientTime.microsecondsSince2000)] {
            for shift in stride(from: 56, through: 0, by: -8) {
                bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
            }
        }
        bytes.append(replyRequested ? 1 : 0)
        return bytes
    }
}
