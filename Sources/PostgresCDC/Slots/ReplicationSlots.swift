import PGOutput

/// A replication slot as `pg_replication_slots` shows it.
public struct ReplicationSlotInfo: Sendable, Hashable {
    /// The slot's name.
    public var name: String
    /// The output plugin (`nil` for a physical slot).
    public var plugin: String?
    /// `logical` or `physical`.
    public var type: String
    /// The database of a logical slot.
    public var database: String?
    /// Whether a connection is streaming from it now.
    public var active: Bool
    /// The oldest WAL the slot still needs.
    public var restartLSN: LSN?
    /// What its consumer confirmed as durably received.
    public var confirmedFlushLSN: LSN?
    /// Bytes of WAL the server keeps for the slot (current WAL position minus restart_lsn).
    public var walRetainedBytes: Int64?
}

/// Listing and dropping replication slots, over a normal (non-replication) connection.
package enum ReplicationSlots {
    /// Every slot on the server, by name.
    package static func list(dsn: String) throws(ReplicationError) -> [ReplicationSlotInfo] {
        let connection = try PostgresConnection(dsn: dsn, replication: false)
        defer { connection.close() }
        let result = try connection.query(
            """
            SELECT slot_name, plugin, slot_type, database, active, restart_lsn, confirmed_flush_lsn,
                   pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn() ELSE pg_current_wal_lsn() END,
                   restart_lsn)::bigint AS retained
            FROM pg_catalog.pg_replication_slots ORDER BY slot_name
            """,
            describedAs: "slot list"
        )
        return result.rows.map { row in
            ReplicationSlotInfo(
                name: row[0] ?? "",
                plugin: row[1],
                type: row[2] ?? "",
                database: row[3],
                active: row[4] == "t",
                restartLSN: row[5].flatMap { LSN($0) },
                confirmedFlushLSN: row[6].flatMap { LSN($0) },
                walRetainedBytes: row[7].flatMap { Int64($0) }
            )
        }
    }

    /// Drops the slot `name`; a missing slot is ``ReplicationError/slotNotFound(slot:host:)``.
    package static func drop(_ name: String, dsn: String) throws(ReplicationError) {
        let connection = try PostgresConnection(dsn: dsn, replication: false)
        defer { connection.close() }
        let exists = try connection.query(
            "SELECT active_pid FROM pg_catalog.pg_replication_slots WHERE slot_name = \(try connection.quoteLiteral(name))",
            describedAs: "slot lookup"
        )
        guard !exists.rows.isEmpty else { throw .slotNotFound(slot: name, host: connection.serverAddress) }
        if let pid = exists.rows[0][0] {
            throw .slotActive(slot: name, pid: Int(pid), host: connection.serverAddress)
        }
        try connection.query(
            "SELECT pg_drop_replication_slot(\(try connection.quoteLiteral(name)))", describedAs: "pg_drop_replication_slot(\(name))")
    }
}
