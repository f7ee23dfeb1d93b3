/// `Delete ('D')`: a removed row, identified by its old key or old row.
public struct DeleteMessage: Sendable, Equatable {
    /// The transaction id, inside a streamed transaction (protocol v2+) only.
    public var xid: UInt32?
    /// The table's OID.
    public var relationOID: UInt32
    /// The old key (`'K'`) or, under REPLICA IDENTITY FULL, the old row (`'O'`).
    public var oldTuple: OldTuple

    /// A message from its fields.
    public init(xid: UInt32?, relationOID: UInt32, oldTuple: OldTuple) {
        self.xid = xid
        self.relationOID = relationOID
        self.oldTuple = oldTuple
    }

    /// Decodes the fields after the tag.
    public static func decode(from reader: inout ByteReader, streamedTransaction: Bool) throws(PGOutputError) -> DeleteMessage {
        var recycler = TupleRecycler()
        return try decode(from: &reader, streamedTransaction: streamedTransaction, recycling: &recycler)
    }

    /// Decodes the fields after the tag, the tuple's columns in `recycler`'s array when it is free.
    public static func decode(from reader: inout ByteReader, streamedTransaction: Bool, recycling recycler: inout TupleRecycler)
        throws(PGOutputError) -> DeleteMessage
    {
        let xid = streamedTransaction ? try reader.readUInt32() : nil
        let relation = try reader.readUInt32()
        let old: OldTuple
        switch try OldTuple.readMarker(from: &reader, layer: "Delete tuple marker") {
        case .key: old = .key(try TupleData.decode(from: &reader, reusing: &recycler.first))
        case .old: old = .full(try TupleData.decode(from: &reader, reusing: &recycler.first))
        case .new: throw reader.malformed("a Delete carries 'K' or 'O', not 'N'")
        }
        return DeleteMessage(xid: xid, relationOID: relation, oldTuple: old)
    }
}
