import Logging
import PGOutput

/// Keys of the published tables: the primary key of a table whose replica identity does not tell
/// it, looked up when the server describes the table, and the ``StreamConfiguration/keylessTables``
/// policy for tables whose updates and deletes carry no key — checked against the publication at
/// start and against every description that arrives later.
extension ReplicationSession {
    /// Checks the publication's tables (as the filter leaves them) and returns those warned about.
    static func checkKeylessTables(
        _ configuration: StreamConfiguration, on connection: PostgresConnection, logger: Logger
    ) throws(ReplicationError) -> Set<UInt32> {
        guard configuration.keylessTables != .allow else { return [] }
        let result = try connection.query(
            """
            SELECT c.oid, pt.schemaname, pt.tablename, c.relreplident
            FROM pg_catalog.pg_publication_tables pt
            JOIN pg_catalog.pg_namespace n ON n.nspname = pt.schemaname
            JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = pt.tablename
            WHERE pt.pubname = \(try connection.quoteLiteral(configuration.publication))
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid
                              AND (CASE c.relreplident WHEN 'd' THEN i.indisprimary WHEN 'i' THEN i.indisreplident ELSE false END))
              AND c.relreplident <> 'f'
            ORDER BY 2, 3
            """,
            describedAs: "keyless tables of publication \(configuration.publication)"
        )
        var warned: Set<UInt32> = []
        for row in result.rows {
            guard row.count == 4, let oid = row[0].flatMap({ UInt32($0) }), let schema = row[1], let table = row[2],
                let identity = row[3]?.utf8.first.flatMap({ RelationMessage.ReplicaIdentity(rawValue: $0) })
            else { continue }
            if !configuration.filter.isEmpty, !configuration.filter.includes(schema: schema, table: table) { continue }
            try applyKeylessPolicy(configuration, table: "\(schema).\(table)", identity: identity, logger: logger)
            warned.insert(oid)
        }
        return warned
    }

    /// Applies the keyless-table policy to a description that arrived, and returns the table's
    /// primary key when the description does not tell it (looked up in the catalog).
    func describe(_ message: RelationMessage) throws(ReplicationError) -> [String]? {
        if !message.columns.contains(where: \.isKey), !warnedKeylessTables.contains(message.oid),
            configuration.filter.isEmpty || configuration.filter.includes(schema: message.namespace, table: message.name)
        {
            try Self.applyKeylessPolicy(
                configuration, table: "\(message.namespace).\(message.name)", identity: message.replicaIdentity, logger: logger)
            warnedKeylessTables.insert(message.oid)
        }
        guard Relation.needsPrimaryKeyLookup(message) else { return nil }
        return try ReplicationSetup.primaryKey(of: message.oid, on: try catalogConnection())
    }

    private static func applyKeylessPolicy(
        _ configuration: StreamConfiguration, table: String, identity: RelationMessage.ReplicaIdentity, logger: Logger
    ) throws(ReplicationError) {
        switch configuration.keylessTables {
        case .allow: return
        case .refuse: throw .keylessTable(table: table, replicaIdentity: identity)
        case .warn:
            logger.warning(
                """
                a published table has no key: its updates and deletes carry no old row, and the server refuses them while \
                the publication publishes them; add a primary key or set REPLICA IDENTITY FULL
                """,
                metadata: ["table": "\(table)", "replica_identity": "\(identity)"])
        }
    }
}
