/// `Insert ('I')`: a new row.
public struct InsertMessage: Sendable, Equatable {
    /// The transaction id, inside a streamed transaction (protocol v2+) only.
    public var xid: UInt32?
    /// The table's OID (described by an earlier Relation message).
    public var relationOID: UInt32
    /// The new row.
    public var newTuple: TupleData

    /// A message from its fields.
    public init(xid: UInt32?, relationOID: UInt32, newTuple: TupleData) {
        self.xid = xid
        self.relationOID = relationOID
        self.newTuple = newTuple
    }

    /// Decodes the fields after the tag.
    public static func decode(from reader: inout ByteReader, streamedTransaction: Bool) throws(PGOutputError) -> InsertMessage {
        var recycler = TupleRecycler()
        return try decode(from: &reader, streamedTransaction: streamedTransaction, recycling: &recycler)
    }

    /// Decodes the fields after the tag, the tuple's columns in `recycler`'s array when it is free.
    public static func decode(from reader: inout ByteReader, streamedTransaction: Bool, recycling recycler: inout TupleRecycler)
        throws(PGOutputError) -> InsertMessage
    {
        let xid = streamedTransaction ? try reader.readUInt32() : nil
        let relation = try reader.readUInt32()
        guard try OldTuple.readMarker(from: &reader, layer: "Insert tuple marker") == .new else {
            throw reader.malformed("expected 'N' before the new tuple")
        }
        return InsertMessage(xid: xid, relationOID: relation, newTuple: try TupleData.decode(from: &reader, reusing: &recycler.first))
    }
}
