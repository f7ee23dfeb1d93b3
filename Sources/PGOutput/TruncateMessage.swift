/// `Truncate ('T')`: one TRUNCATE statement over one or more tables.
public struct TruncateMessage: Sendable, Hashable {
    /// TRUNCATE options.
    public struct Options: OptionSet, Sendable, Hashable {
        /// The option bits as sent.
        public let rawValue: UInt8
        /// A new set from its bits.
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// `CASCADE`.
        public static let cascade = Options(rawValue: 1)
        /// `RESTART IDENTITY`.
        public static let restartIdentity = Options(rawValue: 2)
    }

    /// The transaction id, inside a streamed transaction (protocol v2+) only.
    public var xid: UInt32?
    /// CASCADE / RESTART IDENTITY.
    public var options: Options
    /// The truncated tables' OIDs.
    public var relationOIDs: [UInt32]

    /// A message from its fields.
    public init(xid: UInt32?, options: Options, relationOIDs: [UInt32]) {
        self.xid = xid
        self.options = options
        self.relationOIDs = relationOIDs
    }

    /// Decodes the fields after the tag.
    public static func decode(from reader: inout ByteReader, streamedTransaction: Bool) throws(PGOutputError) -> TruncateMessage {
        let xid = streamedTransaction ? try reader.readUInt32() : nil
        let countOffset = reader.offset
        let count = Int(try reader.readInt32())
        guard count >= 0 else {
            throw PGOutputError.malformed(message: "\(reader.context)", offset: countOffset, reason: "negative relation count \(count)")
        }
        let options = Options(rawValue: try reader.readUInt8())
        guard count <= reader.remaining / 4 else {
            throw PGOutputError.truncated(
                message: "\(reader.context)", offset: reader.offset, needed: count * 4, available: reader.remaining)
        }
        var oids: [UInt32] = []
        oids.reserveCapacity(count)
        for _ in 0..<count { oids.append(try reader.readUInt32()) }
        return TruncateMessage(xid: xid, options: options, relationOIDs: oids)
    }
}
