import Logging
import PGOutput

/// The ``StreamConfiguration/keylessTables`` policy for published tables whose updates and deletes
/// carry no key: checked against the publication at start, and against every description that
/// arrives later (a table added or altered while streaming), each table warned about once.
struct KeylessTables {
    private let policy: KeylessTablePolicy
    private let filter: EventFilter
    private let logger: Logger
    /// Tables already warned about, by OID.
    private var warned: Set<UInt32>

    /// Checks the publication's tables (as the filter leaves them) on `connection`.
    init(checking configuration: StreamConfiguration, on connection: PostgresConnection, logger: Logger) throws(ReplicationError) {
        self.policy = configuration.keylessTables
        self.filter = configuration.filter
        self.logger = logger
        self.warned = []
        guard policy != .allow else { return }
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
        for row in result.rows {
            guard row.count == 4, let oid = row[0].flatMap({ UInt32($0) }), let schema = row[1], let table = row[2],
                let identity = row[3]?.utf8.first.flatMap({ RelationMessage.ReplicaIdentity(rawValue: $0) })
            else { continue }
            if !filter.isEmpty, !filter.includes(schema: schema, table: table) { continue }
            try apply(table: "\(schema).\(table)", identity: identity)
            warned.insert(oid)
        }
    }

    /// Applies the policy to a description that arrived.
    mutating func check(_ message: RelationMessage) throws(ReplicationError) {
        guard !message.columns.contains(where: \.isKey), !warned.contains(message.oid),
            filter.isEmpty || filter.includes(schema: message.namespace, table: message.name)
        else { return }
        try apply(table: "\(message.namespace).\(message.name)", identity: message.replicaIdentity)
        warned.insert(message.oid)
    }

    private func apply(table: String, identity: RelationMessage.ReplicaIdentity) throws(ReplicationError) {
        switch policy {
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
