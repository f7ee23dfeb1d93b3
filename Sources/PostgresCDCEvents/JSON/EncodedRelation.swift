/// JSON fragments of a relation, encoded once per relation by the encoders that write them
/// (``EncodedRelations``), not per row.
package final class EncodedRelation: Sendable {
    /// `"schema":"s","table":"t",`
    package let schemaAndTable: [UInt8]
    /// `"key":["a","b"],`
    package let key: [UInt8]
    /// `"name":` per column.
    package let columnKeys: [[UInt8]]
    /// `"name"` per column, for lists of names.
    package let columnNames: [[UInt8]]
    /// `,"name":` of every column, one after the other (a row's first key is written without its comma):
    /// one array for the row's keys instead of one per column.
    package let separatedColumnKeys: [UInt8]
    /// Where each column's `,"name":` starts in ``separatedColumnKeys``, and its end as the last element.
    package let separatedColumnKeyStarts: [Int]
    /// `{"op":"insert","schema":"s","table":"t",` for each row operation (indexed by
    /// ``rowOperations``): a row change's start in one piece.
    package let rowHeads: [[UInt8]]
    /// `,"key":["a","b"],"new":{`: what follows a row change's position when it has no old row.
    package let keyThenNew: [UInt8]
    /// `,"key":["a","b"],"old":{`: what follows a row change's position when it has an old row.
    package let keyThenOld: [UInt8]
    /// The row operations in the order of ``rowHeads``.
    package static let rowOperations: [RowChange.Operation] = [.insert, .update, .delete, .read]

    /// The fragments of `relation`: its columns' names and the replica-identity columns the filter keeps.
    package convenience init(_ relation: Relation) {
        self.init(schema: relation.schema, table: relation.table, columns: relation.columns.map(\.name), keys: relation.keyColumnNames)
    }

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
        var separated: [UInt8] = []
        var starts: [Int] = []
        for key in keysWithColon {
            starts.append(separated.count)
            separated.append(UInt8(ascii: ","))
            separated.append(contentsOf: key)
        }
        starts.append(separated.count)
        separatedColumnKeys = separated
        separatedColumnKeyStarts = starts
        let start = schemaAndTable
        rowHeads = Self.rowOperations.map { operation in Array("{\"op\":\"\(operation.rawValue)\",".utf8) + start }
        keyThenNew = [UInt8(ascii: ",")] + key + Array("\"new\":{".utf8)
        keyThenOld = [UInt8(ascii: ",")] + key + Array("\"old\":{".utf8)
    }
}
