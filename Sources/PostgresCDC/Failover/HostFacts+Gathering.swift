extension HostFacts {
    /// Reads the facts of the server `connection` reached; `host` is how the findings name it.
    ///
    /// Settings come from `pg_settings`, which simply has no row for a setting an older server
    /// lacks (or one it hides from this user, such as `primary_conninfo` without
    /// `pg_read_all_settings`), where `SHOW` would fail.
    static func gather(on connection: PostgresConnection, host: String) throws(ReplicationError) -> HostFacts {
        let version = connection.serverVersion
        let recovery = try connection.query("SELECT pg_catalog.pg_is_in_recovery() AS in_recovery", describedAs: "pg_is_in_recovery()")
        let role: Role = recovery.value(0, "in_recovery") == "t" ? .standby : .primary
        let names = settingNames.map { "'\($0)'" }.joined(separator: ", ")
        let settingRows = try connection.query(
            "SELECT name, setting FROM pg_catalog.pg_settings WHERE name IN (\(names))",
            describedAs: "settings lookup"
        )
        var settings: [String: String] = [:]
        for row in settingRows.rows {
            if let name = row[0], let value = row[1] { settings[name] = value }
        }
        return HostFacts(
            host: host, role: role, serverVersion: version, database: connection.databaseName, settings: settings,
            standbys: role == .primary ? try standbys(on: connection) : [],
            slots: try slots(on: connection), security: connection.security,
            ddlTrigger: role == .primary ? try DDLTrigger.status(on: connection) : nil
        )
    }

    /// The physical standbys streaming from the server and the slot each uses. A logical
    /// walsender (pgcdc itself) is attached to a database, a physical one is not; a base backup's
    /// walsender is in state `backup`.
    private static func standbys(on connection: PostgresConnection) throws(ReplicationError) -> [Standby] {
        let result = try connection.query(
            """
            SELECT coalesce(nullif(r.application_name, ''), 'pid ' || r.pid) || coalesce(' at ' || host(r.client_addr), '') AS name,
                   s.slot_name
            FROM pg_catalog.pg_stat_replication r
            JOIN pg_catalog.pg_stat_activity a ON a.pid = r.pid
            LEFT JOIN pg_catalog.pg_replication_slots s ON s.active_pid = r.pid AND s.slot_type = 'physical'
            WHERE a.datname IS NULL AND r.state IS DISTINCT FROM 'backup'
            ORDER BY 1
            """,
            describedAs: "standby lookup"
        )
        return result.rows.map { Standby(name: $0[0] ?? "?", slot: $0[1]) }
    }

    /// Every slot with the columns this server version has (`wal_status` 13+, `two_phase` 14+, `conflicting` 16+,
    /// `invalidation_reason`, `failover` and `synced` 17+).
    private static func slots(on connection: PostgresConnection) throws(ReplicationError) -> [Slot] {
        let version = connection.serverVersion
        let result = try connection.query(
            """
            SELECT slot_name, slot_type, plugin, database, active, temporary,
                   \(version >= 130000 ? "wal_status" : "NULL AS wal_status"), \(version >= 140000 ? "two_phase" : "NULL AS two_phase"),
                   \(version >= 160000 ? "conflicting" : "NULL AS conflicting"),
                   \(version >= 170000 ? "invalidation_reason, failover, synced"
                                        : "NULL AS invalidation_reason, NULL AS failover, NULL AS synced")
            FROM pg_catalog.pg_replication_slots ORDER BY slot_name
            """,
            describedAs: "slot lookup"
        )
        return result.rows.indices.map { row in
            func value(_ column: String) -> String? { result.value(row, column) }
            return Slot(
                name: value("slot_name") ?? "", type: value("slot_type") ?? "", plugin: value("plugin"),
                database: value("database"), active: value("active") == "t", temporary: value("temporary") == "t",
                failover: value("failover").map { $0 == "t" }, synced: value("synced").map { $0 == "t" },
                twoPhase: value("two_phase").map { $0 == "t" },
                invalidation: SlotInvalidation(
                    reason: value("invalidation_reason"), conflicting: value("conflicting"), walStatus: value("wal_status"))
            )
        }
    }
}
