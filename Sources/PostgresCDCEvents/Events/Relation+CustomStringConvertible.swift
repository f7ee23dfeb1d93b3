extension Relation: CustomStringConvertible {
    /// `schema.table`, as SQL names it (unquoted): what a list of tables prints.
    public var description: String { "\(schema).\(table)" }
}

extension Relation.Column: CustomStringConvertible {
    /// The name, the type OID and the keys it belongs to: `id (type 20, primary key, replica identity)`.
    public var description: String {
        var parts = ["type \(typeOID)"]
        if isPrimaryKey { parts.append("primary key") }
        if isKey { parts.append("replica identity") }
        return "\(name) (\(parts.joined(separator: ", ")))"
    }
}
