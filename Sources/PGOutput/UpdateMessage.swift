/// `Update ('U')`: a changed row, with the old key or old row when the server sends one.
public struct UpdateMessage: Sendable, Equatable {
    /// The transaction id, inside a streamed transaction (protocol v2+) only.
    public var xid: UInt32?
    /// The table's OID.
    public var relationOID: UInt32
    /// The old key (`'K'`, when the key changed) or old row (`'O'`, REPLICA IDENTITY FULL).
    public var oldTuple: OldTuple?
    /// The new row; unchanged TOAST values are marked, not sent.
    public var newTuple: TupleData

    /// A message from its fields.
    public init(xid: UInt32?, relationOID: UInt32, oldTuple: OldTuple?, newTuple: TupleData) {
        self.xid = xid
        self.relationOID = relationOID
        self.oldTuple = oldTuple
        self.newTuple = newTuple
    }

    /// Decodes the fields after the tag.
    public static func decode(from reader: inout ByteReader, streamedTransaction: Bool) throws(PGOutputError) -> UpdateMessage {
        var recycler = TupleRecycler()
        return try decode(from: &reader, streamedTransaction: streamedTransaction, recycling: &recycler)
    }

    /// Decodes the fields after the tag, the tuples' columns in `recycler`'s arrays when they are free.
    public static func decode(from reader: inout ByteReader, streamedTransaction: Bool, recycling recycler: inout TupleRecycler)
        throws(PGOutputError) -> UpdateMessage
    {
        let xid = streamedTransaction ? try reader.readUInt32() : nil
        let relation = try reader.readUInt32()
        var old: OldTuple?
        var marker = try OldTuple.readMarker(from: &reader, layer: "Update tuple marker")
        switch marker {
        case .key:
            old = .key(try TupleData.decode(from: &reader, reusing: &recycler.second))
            marker = try OldTuple.readMarker(from: &reader, layer: "Update tuple marker")
        case .old:
            old = .full(try TupleData.decode(from: &reader, reusing: &recycler.second))
            marker = try OldTuple.readMarker(from: &reader, layer: "Update tuple marker")
        case .new:
            break
        }
        guard marker == .new else { throw reader.malformed("expected 'N' before the new tuple") }
        return UpdateMessage(
            xid: xid, relationOID: relation, oldTuple: old, newTuple: try TupleData.decode(from: &reader, reusing: &recycler.first))
    }
}
