import PGOutput

/// A published table as the stream last described it: its name, columns and replica identity.
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
        /// Whether the column is part of the replica identity (the key sent with updates and deletes).
        public let isKey: Bool
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
    /// The names of the replica-identity columns, in column order.
    public let keyColumnNames: [String]
    /// Pre-encoded JSON fragments for this relation (the hot path writes them as bytes).
    package let json: EncodedRelation
    /// Per column, whether a filter leaves it out of rows (``StreamConfiguration/filter``); empty when none is.
    package let omitted: [Bool]

    package init(message: RelationMessage, catalog: TypeCatalog, filter: EventFilter = EventFilter()) {
        self.oid = message.oid
        self.schema = message.namespace
        self.table = message.name
        self.replicaIdentity = message.replicaIdentity
        self.columns = message.columns.map {
            Column(
                name: $0.name, typeOID: $0.typeOID, typeModifier: $0.typeModifier, isKey: $0.isKey,
                type: catalog.columnType(for: $0.typeOID))
        }
        let omitted = filter.omittedColumns(schema: message.namespace, table: message.name, columns: columns.map(\.name)) ?? []
        self.omitted = omitted
        self.keyColumnNames = columns.enumerated()
            .filter { $0.element.isKey && !(omitted.isEmpty ? false : omitted[$0.offset]) }
            .map(\.element.name)
        self.json = EncodedRelation(schema: message.namespace, table: message.name, columns: columns.map(\.name), keys: keyColumnNames)
    }

    /// Whether a filter leaves column `index` out of rows.
    @inline(__always)
    package func isOmitted(_ index: Int) -> Bool {
        !omitted.isEmpty && omitted[index]
    }

    /// Whether `other` describes the table differently: its name, replica identity, or any
    /// column's name, type, type modifier or key flag.
    public func differs(from other: Relation) -> Bool {
        schema != other.schema || table != other.table || replicaIdentity != other.replicaIdentity
            || columns.map { [$0.name, "\($0.typeOID)", "\($0.typeModifier)", "\($0.isKey)"] }
                != other.columns.map { [$0.name, "\($0.typeOID)", "\($0.typeModifier)", "\($0.isKey)"] }
    }

    /// The index of the column named `name`, or `nil`.
    public func columnIndex(named name: String) -> Int? {
        columns.firstIndex { $0.name == name }
    }
}

/// JSON fragments of a relation, encoded once when the relation is described.
package struct EncodedRelation: Sendable {
    /// `"schema":"s","table":"t",`
    package let schemaAndTable: [UInt8]
    /// `"key":["a","b"],`
    package let key: [UInt8]
    /// `"name":` per column.
    package let columnKeys: [[UInt8]]
    /// `"name"` per column, for lists of names.
    package let columnNames: [[UInt8]]

    init(schema: String, table: String, columns: [String], keys: [String]) {
        var buffer = JSONBuffer()
        buffer.appendRaw("\"schema\":")
        buffer.appendString(schema)
        buffer.appendRaw(",\"table\":")
        buffer.appendString(table)
        buffer.appendRaw(",")
        schemaAndTable = buffer.bytes

        buffer = JSONBuffer()
        buffer.appendRaw("\"key\":[")
        for (index, name) in keys.enumerated() {
            if index > 0 { buffer.appendRaw(",") }
            buffer.appendString(name)
        }
        buffer.appendRaw("],")
        key = buffer.bytes

        var names: [[UInt8]] = []
        var keysWithColon: [[UInt8]] = []
        for name in columns {
            var quoted = JSONBuffer()
            quoted.appendString(name)
            names.append(quoted.bytes)
            quoted.appendRaw(":")
            keysWithColon.append(quoted.bytes)
        }
        columnNames = names
        columnKeys = keysWithColon
    }
}
