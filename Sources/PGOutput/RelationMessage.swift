/// `Relation ('R')`: describes a table before the first change of it (and again after it changes).
public struct RelationMessage: Sendable, Hashable {
    /// `relreplident`: what old values Update and Delete carry.
    public enum ReplicaIdentity: UInt8, Sendable {
        /// `'d'`: the primary key.
        case `default` = 0x64
        /// `'n'`: nothing.
        case nothing = 0x6E
        /// `'f'`: all columns.
        case full = 0x66
        /// `'i'`: the columns of a chosen unique index.
        case index = 0x69
    }

    /// One column.
    public struct Column: Sendable, Hashable {
        /// Part of the replica identity (flag bit 1).
        public var isKey: Bool
        /// The column name.
        public var name: String
        /// The type's OID.
        public var typeOID: UInt32
        /// The type modifier (`atttypmod`).
        public var typeModifier: Int32

        /// A column from its fields.
        public init(isKey: Bool, name: String, typeOID: UInt32, typeModifier: Int32) {
            self.isKey = isKey
            self.name = name
            self.typeOID = typeOID
            self.typeModifier = typeModifier
        }
    }

    /// The transaction id, inside a streamed transaction (protocol v2+) only.
    public var xid: UInt32?
    /// The relation's OID.
    public var oid: UInt32
    /// The schema name.
    public var namespace: String
    /// The table name.
    public var name: String
    /// The replica identity setting.
    public var replicaIdentity: ReplicaIdentity
    /// The published columns, in tuple order.
    public var columns: [Column]

    /// A message from its fields.
    public init(xid: UInt32?, oid: UInt32, namespace: String, name: String, replicaIdentity: ReplicaIdentity, columns: [Column]) {
        self.xid = xid
        self.oid = oid
        self.namespace = namespace
        self.name = name
        self.replicaIdentity = replicaIdentity
        self.columns = columns
    }

    /// Decodes the fields after the tag.
    public static func decode(from reader: inout ByteReader, streamedTransaction: Bool) throws(PGOutputError) -> RelationMessage {
        let xid = streamedTransaction ? try reader.readUInt32() : nil
        let oid = try reader.readUInt32()
        let namespace = try reader.readCString()
        let name = try reader.readCString()
        let identityOffset = reader.offset
        let identityByte = try reader.readUInt8()
        guard let identity = ReplicaIdentity(rawValue: identityByte) else {
            throw PGOutputError.unknownMessageType(layer: "Relation replica identity", tag: identityByte, offset: identityOffset)
        }
        let countOffset = reader.offset
        let count = Int(try reader.readInt16())
        guard count >= 0 else {
            throw PGOutputError.malformed(message: "\(reader.context)", offset: countOffset, reason: "negative column count \(count)")
        }
        // A column takes at least 10 bytes (flags, empty name, type OID, modifier).
        guard count * 10 <= reader.remaining else {
            throw PGOutputError.truncated(
                message: "\(reader.context)", offset: reader.offset, needed: count * 10, available: reader.remaining)
        }
        var columns: [Column] = []
        columns.reserveCapacity(count)
        for _ in 0..<count {
            let flags = try reader.readUInt8()
            let columnName = try reader.readCString()
            let type = try reader.readUInt32()
            let modifier = try reader.readInt32()
            columns.append(Column(isKey: flags & 1 == 1, name: columnName, typeOID: type, typeModifier: modifier))
        }
        return RelationMessage(xid: xid, oid: oid, namespace: namespace, name: name, replicaIdentity: identity, columns: columns)
    }
}
