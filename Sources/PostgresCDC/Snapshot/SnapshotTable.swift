import PGOutput

/// A published table as the snapshot copies it: its columns as the publication sends them
/// (PostgreSQL 15+ column lists), its row filter, and the relation description its rows carry.
struct SnapshotTable: Sendable {
    /// The table's relation description (the same shape a Relation message gives).
    package var message: RelationMessage
    /// The publication's row filter (PostgreSQL 15+), applied to the copy as the server applies it to changes.
    var rowFilter: String?
    /// Whether the table is partitioned (its rows live in its partitions).
    var isPartitioned: Bool
    /// The names of the primary key's columns (empty when it has none).
    var primaryKey: [String]
    /// The planner's estimate of its rows (`pg_class.reltuples`), for progress.
    package var estimatedRows: Int

    /// `schema.table` for messages.
    package var name: String { "\(message.namespace).\(message.name)" }

    /// The tables of `publication`, read inside the snapshot's transaction on `connection`; with
    /// `only` (`schema.table`), just that one (none when it is not published).
    package static func published(
        in publication: String, on connection: PostgresConnection, only: String? = nil
    ) throws(ReplicationError) -> [SnapshotTable] {
        let hasColumnLists = connection.serverVersion >= 150000
        let listing = try connection.execute(
            """
            SELECT c.oid, n.nspname, c.relname, c.relreplident, c.relkind, greatest(c.reltuples, 0)::bigint AS estimate,
                   \(hasColumnLists ? "array_to_string(pt.attnames, ',') AS attnames, pt.rowfilter" : "NULL AS attnames, NULL AS rowfilter")
            FROM pg_publication_tables pt
            JOIN pg_namespace n ON n.nspname = pt.schemaname
            JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = pt.tablename
            WHERE pt.pubname = $1 AND ($2::text IS NULL OR pt.schemaname || '.' || pt.tablename = $2)
            ORDER BY n.nspname, c.relname
            """, parameters: [publication, only])
        var tables: [SnapshotTable] = []
        for row in listing.rows.indices {
            guard let oidText = listing.value(row, "oid"), let oid = UInt32(oidText),
                let schema = listing.value(row, "nspname"), let name = listing.value(row, "relname")
            else { continue }
            let identity =
                listing.value(row, "relreplident").flatMap { $0.utf8.first }.flatMap { RelationMessage.ReplicaIdentity(rawValue: $0) }
                ?? .default
            let published = listing.value(row, "attnames").map { Set($0.split(separator: ",").map(String.init)) }
            let keys = try keyColumns(of: oid, identity: identity, on: connection)
            // PostgreSQL 18 names exactly the published columns: the column list, or every column
            // but generated ones, stored ones too with publish_generated_columns = stored. Before,
            // no generated column is published, though 15–17 name them without a column list.
            let attributes = try connection.execute(
                """
                SELECT attname, atttypid, atttypmod FROM pg_attribute
                WHERE attrelid = $1::oid AND attnum > 0 AND NOT attisdropped AND ($2 OR attgenerated = '')
                ORDER BY attnum
                """, parameters: [oidText, connection.serverVersion >= 180000 ? "true" : "false"])
            var columns: [RelationMessage.Column] = []
            for index in attributes.rows.indices {
                guard let column = attributes.value(index, "attname"),
                    let type = attributes.value(index, "atttypid").flatMap({ UInt32($0) }),
                    let modifier = attributes.value(index, "atttypmod").flatMap({ Int32($0) })
                else { continue }
                if let published, !published.contains(column) { continue }
                let isKey = identity == .full || keys.contains(column)
                columns.append(RelationMessage.Column(isKey: isKey, name: column, typeOID: type, typeModifier: modifier))
            }
            let message = RelationMessage(xid: nil, oid: oid, namespace: schema, name: name, replicaIdentity: identity, columns: columns)
            let primaryKey =
                Relation.needsPrimaryKeyLookup(message)
                ? try ReplicationSetup.primaryKey(of: oid, on: connection) : Relation.primaryKey(of: message)
            tables.append(
                SnapshotTable(
                    message: message,
                    rowFilter: listing.value(row, "rowfilter"),
                    isPartitioned: listing.value(row, "relkind") == "p",
                    primaryKey: primaryKey,
                    estimatedRows: listing.value(row, "estimate").flatMap { Int($0) } ?? 0
                ))
        }
        return tables
    }

    /// The replica identity's columns: the primary key (default) or the chosen index.
    private static func keyColumns(of oid: UInt32, identity: RelationMessage.ReplicaIdentity, on connection: PostgresConnection)
        throws(ReplicationError) -> Set<String>
    {
        let condition: String
        switch identity {
        case .default: condition = "i.indisprimary"
        case .index: condition = "i.indisreplident"
        case .full, .nothing: return []
        }
        let result = try connection.execute(
            """
            SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
            WHERE i.indrelid = $1::oid AND \(condition)
            """, parameters: [String(oid)])
        return Set(result.rows.compactMap { $0.first ?? nil })
    }

    /// The `COPY (SELECT …) TO STDOUT` that reads the table's rows as the publication sends them,
    /// only those `condition` selects when given (a page range, ``SnapshotPiece``).
    func copyStatement(where condition: String? = nil, format: CopyFormat, on connection: PostgresConnection)
        throws(ReplicationError) -> String
    {
        try copy(where: [rowFilter, condition].compactMap { $0 }, orderedBy: nil, format: format, on: connection)
    }

    /// The `COPY (SELECT …) TO STDOUT` that reads a backfill chunk: at most `limit` rows the
    /// publication sends (its column list and row filter) and `whereClause` selects, in the order
    /// of `keyColumns` (the primary key, so its index serves the query), after the key `after`.
    func chunkStatement(
        keyColumns: [String], after: [String]?, whereClause: String?, limit: Int, format: CopyFormat, on connection: PostgresConnection
    ) throws(ReplicationError) -> String {
        let keys = try Self.quoted(keyColumns, on: connection)
        var conditions = [rowFilter, whereClause].compactMap { $0 }
        if let after, after.count == keyColumns.count {
            // Untyped literals take the key columns' types in a row comparison.
            conditions.append("(\(keys)) > (\(try Self.literals(after, on: connection)))")
        }
        return try copy(where: conditions, orderedBy: (keys, limit), format: format, on: connection)
    }

    /// The `COPY (SELECT …) TO STDOUT` that reads the rows with primary keys `keys` (text forms),
    /// as the publication sends them and `whereClause` selects.
    func keysStatement(
        keyColumns: [String], keys: [[String]], whereClause: String?, format: CopyFormat, on connection: PostgresConnection
    ) throws(ReplicationError) -> String {
        var tuples: [String] = []
        for key in keys where key.count == keyColumns.count { tuples.append("(\(try Self.literals(key, on: connection)))") }
        let condition = "(\(try Self.quoted(keyColumns, on: connection))) IN (\(tuples.isEmpty ? "NULL" : tuples.joined(separator: ", ")))"
        return try copy(where: [condition] + [rowFilter, whereClause].compactMap { $0 }, orderedBy: nil, format: format, on: connection)
    }

    /// `COPY (SELECT <published columns> FROM [ONLY] table WHERE (c1) AND (c2)… [ORDER BY keys LIMIT n]) TO STDOUT [(FORMAT binary)]`.
    private func copy(
        where conditions: [String], orderedBy order: (keys: String, limit: Int)?, format: CopyFormat, on connection: PostgresConnection
    ) throws(ReplicationError) -> String {
        var selections: [String] = []
        for (index, column) in message.columns.enumerated() {
            selections.append(format.selection(of: try connection.quoteIdentifier(column.name), at: index))
        }
        let columns = selections.joined(separator: ", ")
        let table = try connection.quoteIdentifier(message.namespace) + "." + connection.quoteIdentifier(message.name)
        // A partitioned table's rows are in its partitions; anything else, only its own rows.
        var sql = "COPY (SELECT \(columns) FROM \(isPartitioned ? "" : "ONLY ")\(table)"
        if !conditions.isEmpty { sql += " WHERE " + conditions.map { "(\($0))" }.joined(separator: " AND ") }
        if let order { sql += " ORDER BY \(order.keys) LIMIT \(order.limit)" }
        return sql + ") TO STDOUT" + format.options
    }

    private static func quoted(_ names: [String], on connection: PostgresConnection) throws(ReplicationError) -> String {
        var quoted: [String] = []
        for name in names { quoted.append(try connection.quoteIdentifier(name)) }
        return quoted.joined(separator: ", ")
    }

    private static func literals(_ values: [String], on connection: PostgresConnection) throws(ReplicationError) -> String {
        var literals: [String] = []
        for value in values { literals.append(try connection.quoteLiteral(value)) }
        return literals.joined(separator: ", ")
    }
}
