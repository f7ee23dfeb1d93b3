import PGOutput

/// A published table as the stream last described it: its name, columns, replica identity and
/// primary key.
///
/// Two keys, for two purposes: the replica identity (``Column/isKey``, ``keyColumnNames``) is
/// what the server sends in `old` with updates and deletes — with `REPLICA IDENTITY FULL` that is
/// every column — and the primary key (``Column/isPrimaryKey``, ``primaryKeyColumnNames``) is what
/// identifies a row, to upsert on. ``upsertKeyColumnNames`` offers the primary key, or the unique
/// index a table without one uses as `REPLICA IDENTITY USING INDEX`.
///
/// Shared by every event of that table (a reference, not copied per row) until the server
/// sends a new description.
public final class Relation: Sendable {
    /// One column of the table, in the order of the tuple data.
    public struct Column: Sendable, Hashable {
        /// The column name.
        public let name: String
        /// The type's OID (`pg_type.oid`).
        public let typeOID: UInt32
        /// The type modifier (`atttypmod`), -1 when none.
        public let typeModifier: Int32
        /// Whether the column is part of the replica identity: what `old` carries for updates and
        /// deletes. With `REPLICA IDENTITY FULL` every column is; not a key to upsert on (see ``isPrimaryKey``).
        public let isKey: Bool
        /// Whether the column is part of the table's primary key (what to upsert on); `false` for
        /// every column of a table without one.
        public let isPrimaryKey: Bool
        /// How its values are converted, resolved once when the relation is described.
        package let type: ColumnType
        /// How its text values are converted.
        package var mapping: ValueMapping { type.mapping }
        /// How its binary values (``StreamConfiguration/binaryValues``) are turned into text.
        package var binary: BinaryFormat { type.binary }
    }

    /// The relation's OID.
    public let oid: UInt32
    /// The schema (namespace) name.
    public let schema: String
    /// The table name.
    public let table: String
    /// The replica identity setting, which decides what `old` holds for updates and deletes.
    public let replicaIdentity: RelationMessage.ReplicaIdentity
    /// The columns in tuple order.
    public let columns: [Column]
    /// The names of the replica-identity columns (what `old` carries), in column order; every
    /// column with `REPLICA IDENTITY FULL`.
    public let keyColumnNames: [String]
    /// The names of the primary key's columns, in column order; empty when the table has none
    /// (whatever its replica identity).
    public let primaryKeyColumnNames: [String]
    /// The columns that identify a row, to upsert on: the primary key, else the unique index
    /// chosen as `REPLICA IDENTITY USING INDEX`; empty when there is neither (`FULL` sends every
    /// column but gives no key).
    public var upsertKeyColumnNames: [String] {
        if !primaryKeyColumnNames.isEmpty { return primaryKeyColumnNames }
        return replicaIdentity == .index ? keyColumnNames : []
    }
    /// Whether updates and deletes of the table carry an old key: its replica identity is `FULL`,
    /// an index, or the primary key it has (not `NOTHING`, nor `DEFAULT` without a primary key).
    public var hasReplicaIdentity: Bool { columns.contains { $0.isKey } }
    /// Per column, whether a filter leaves it out of rows (``StreamConfiguration/filter``); empty when none is.
    package let omitted: [Bool]

    /// A relation from its description. `omitted` tells per column whether a filter leaves it out
    /// of rows (empty when none is). `primaryKey` names the primary key's columns as the
    /// catalog has them; `nil` when it was not looked up, which is exact for `REPLICA IDENTITY
    /// DEFAULT` (its key is the primary key) and leaves the primary key empty otherwise.
    package init(message: RelationMessage, catalog: TypeCatalog, omitted: [Bool], primaryKey: [String]? = nil) {
        self.oid = message.oid
        self.schema = message.namespace
        self.table = message.name
        self.replicaIdentity = message.replicaIdentity
        let primary = Set(primaryKey ?? Self.primaryKey(of: message))
        self.columns = message.columns.map {
            Column(
                name: $0.name, typeOID: $0.typeOID, typeModifier: $0.typeModifier, isKey: $0.isKey,
                isPrimaryKey: primary.contains($0.name), type: catalog.columnType(for: $0.typeOID))
        }
        self.omitted = omitted
        self.keyColumnNames = columns.enumerated()
            .filter { $0.element.isKey && !(omitted.isEmpty ? false : omitted[$0.offset]) }
            .map(\.element.name)
        self.primaryKeyColumnNames = columns.enumerated()
            .filter { $0.element.isPrimaryKey && !(omitted.isEmpty ? false : omitted[$0.offset]) }
            .map(\.element.name)
    }

    /// The primary key a description alone tells: with `REPLICA IDENTITY DEFAULT` the replica
    /// identity is the primary key (none when the table has none); other identities do not tell it.
    package static func primaryKey(of message: RelationMessage) -> [String] {
        message.replicaIdentity == .default ? message.columns.filter(\.isKey).map(\.name) : []
    }

    /// Whether the catalog must be asked for the primary key of the table `message` describes.
    package static func needsPrimaryKeyLookup(_ message: RelationMessage) -> Bool {
        message.replicaIdentity != .default
    }

    /// Whether a filter leaves column `index` out of rows.
    @inline(__always)
    package func isOmitted(_ index: Int) -> Bool {
        !omitted.isEmpty && omitted[index]
    }

    /// Whether `other` describes the table differently: its name, replica identity, or any
    /// column's name, type, type modifier, key flag or primary key flag.
    public func differs(from other: Relation) -> Bool {
        schema != other.schema || table != other.table || replicaIdentity != other.replicaIdentity
            || columns.map { [$0.name, "\($0.typeOID)", "\($0.typeModifier)", "\($0.isKey)", "\($0.isPrimaryKey)"] }
                != other.columns.map { [$0.name, "\($0.typeOID)", "\($0.typeModifier)", "\($0.isKey)", "\($0.isPrimaryKey)"] }
    }

    /// The index of the column named `name`, or `nil`.
    public func columnIndex(named name: String) -> Int? {
        columns.firstIndex { $0.name == name }
    }
}
