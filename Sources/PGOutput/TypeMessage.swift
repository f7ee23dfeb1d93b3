/// `Type ('Y')`: names a non-built-in type used by a following Relation.
public struct TypeMessage: Sendable, Hashable {
    /// The transaction id, inside a streamed transaction (protocol v2+) only.
    public var xid: UInt32?
    /// The type's OID.
    public var oid: UInt32
    /// Its schema.
    public var namespace: String
    /// Its name.
    public var name: String

    /// A message from its fields.
    public init(xid: UInt32?, oid: UInt32, namespace: String, name: String) {
        self.xid = xid
        self.oid = oid
        self.namespace = namespace
        self.name = name
    }

    /// Decodes the fields after the tag.
    public static func decode(from reader: inout ByteReader, streamedTransaction: Bool) throws(PGOutputError) -> TypeMessage {
        let xid = streamedTransaction ? try reader.readUInt32() : nil
        return TypeMessage(xid: xid, oid: try reader.readUInt32(), namespace: try reader.readCString(), name: try reader.readCString())
    }
}
