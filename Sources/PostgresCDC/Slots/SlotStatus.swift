import PGOutput

/// How far a replication slot's consumer is behind, as `pgcdc status` reports it.
public struct SlotStatus: Sendable {
    /// The slot.
    public var slot: ReplicationSlotInfo
    /// The process streaming from it, when active.
    public var activePID: Int?
    /// The server's current WAL position.
    public var serverLSN: LSN
    /// Bytes between the server's WAL position and what the consumer confirmed.
    public var lagBytes: Int64?
    /// The walsender's flush lag: the time between WAL being written and the consumer confirming
    /// it (`pg_stat_replication.flush_lag`), when the slot is active and the server measured it.
    public var lagSeconds: Double?
    /// How much WAL the slot holds back, and how close that is to its limit.
    public var retention: SlotRetention?
    /// Why the server invalidated the slot; `nil` while it is valid.
    public var invalidation: SlotInvalidation?
    /// Since when no consumer streams from it (PostgreSQL 17+), as the server prints it.
    public var inactiveSince: String?
}

extension ReplicationSlots {
    /// The status of `name`; a missing slot is ``ReplicationError/slotNotFound(slot:host:)``.
    package static func status(_ name: String, dsn: String) throws(ReplicationError) -> SlotStatus {
        let connection = try PostgresConnection(dsn: dsn, replication: false)
        defer { connection.close() }
        let version = connection.serverVersion
        let result = try connection.execute(
            """
            SELECT s.slot_name, s.plugin, s.slot_type, s.database, s.active, s.restart_lsn, s.confirmed_flush_lsn,
                   pg_wal_lsn_diff(w.position, s.restart_lsn)::bigint AS retained,
                   s.active_pid, w.position AS server_lsn,
                   pg_wal_lsn_diff(w.position, s.confirmed_flush_lsn)::bigint AS lag_bytes,
                   extract(epoch FROM r.flush_lag) AS lag_seconds,
                   \(version >= 130000 ? "s.wal_status" : "NULL AS wal_status"),
                   \(version >= 160000 ? "s.conflicting" : "NULL AS conflicting"),
                   \(version >= 170000 ? "s.invalidation_reason, s.inactive_since" : "NULL AS invalidation_reason, NULL AS inactive_since")
            FROM pg_catalog.pg_replication_slots s
            CROSS JOIN (SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn() ELSE pg_current_wal_lsn() END AS position) w
            LEFT JOIN pg_catalog.pg_stat_replication r ON r.pid = s.active_pid
            WHERE s.slot_name = $1
            """, parameters: [name])
        guard !result.rows.isEmpty else { throw .slotNotFound(slot: name, host: connection.serverAddress) }
        func value(_ column: String) -> String? { result.value(0, column) }
        let info = ReplicationSlotInfo(
            name: name, plugin: value("plugin"), type: value("slot_type") ?? "", database: value("database"),
            active: value("active") == "t", restartLSN: value("restart_lsn").flatMap { LSN($0) },
            confirmedFlushLSN: value("confirmed_flush_lsn").flatMap { LSN($0) },
            walRetainedBytes: value("retained").flatMap { Int64($0) }
        )
        return SlotStatus(
            slot: info, activePID: value("active_pid").flatMap { Int($0) },
            serverLSN: value("server_lsn").flatMap { LSN($0) } ?? .zero,
            lagBytes: value("lag_bytes").flatMap { Int64($0) }, lagSeconds: value("lag_seconds").flatMap { Double($0) },
            retention: try SlotRetention.gather(slot: name, on: connection),
            invalidation: SlotInvalidation(
                reason: value("invalidation_reason"), conflicting: value("conflicting"), walStatus: value("wal_status")),
            inactiveSince: value("inactive_since")
        )
    }
}
