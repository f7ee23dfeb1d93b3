/// Whether every host of a DSN meets the server contract for failover slots (PostgreSQL 17+),
/// so that pgcdc can continue from a promoted standby: what `pgcdc doctor` prints.
///
/// On the primary: `wal_level = logical`, the slot is a valid pgoutput failover slot, and
/// `synchronized_standby_slots` names the physical slot of every standby (so pgcdc is never sent
/// changes a standby's copy of the slot could miss). On a standby: slot sync is on and has what it
/// needs (`hot_standby_feedback`, `primary_slot_name`, a `dbname` in `primary_conninfo`,
/// `wal_level = logical`), and its copy of the slot is synced and persistent.
/// See https://www.postgresql.org/docs/17/logicaldecoding-explanation.html#LOGICALDECODING-REPLICATION-SLOTS-SYNCHRONIZATION
package enum FailoverReadiness {
    /// Connects to each host of `dsn` alone (a standby as well as a primary) and checks it;
    /// `slot` is the logical slot pgcdc streams from, when it should be checked too.
    ///
    /// A host that cannot be reached, or that rejects a query, is a failing finding; the other
    /// hosts are still checked. Throws only when `dsn` is not a connection string at all.
    package static func check(dsn: String, slot: String?) throws(ReplicationError) -> [Finding] {
        // Standbys too: pgcdc's default target_session_attrs=primary would refuse them.
        let anyRole = [("target_session_attrs", "any")]
        guard let list = HostList(dsn: dsn) else {
            // Not a connection string: connecting says why, in libpq's words.
            try PostgresConnection(dsn: dsn, replication: false, overrides: anyRole).close()
            throw .invalidOption("not a valid connection string (libpq cannot parse it)")
        }
        if list.hosts.isEmpty {
            return check(dsn: dsn, overrides: anyRole, label: nil, slot: slot)
        }
        return list.hosts.flatMap { host in
            check(dsn: dsn, overrides: host.overrides + anyRole, label: host.description, slot: slot)
        }
    }

    /// The findings of one host; `label` names it (`nil`: the DSN's only host, named as reached).
    private static func check(dsn: String, overrides: [(String, String)], label: String?, slot: String?) -> [Finding] {
        let connection: PostgresConnection
        do {
            connection = try PostgresConnection(dsn: dsn, replication: false, overrides: overrides)
        } catch {
            let host = label ?? PostgresConnection.describeHosts(dsn: dsn)
            let message: String
            if case let .connectionFailed(_, libpqMessage) = error { message = libpqMessage } else { message = "\(error)" }
            return [Finding(host: host, role: nil, check: "connect", level: .fail, detail: "cannot connect: \(message)")]
        }
        defer { connection.close() }
        let host = label ?? connection.serverAddress
        do {
            return findings(for: try HostFacts.gather(on: connection, host: host), slot: slot)
        } catch {
            return [Finding(host: host, role: nil, check: "query", level: .fail, detail: "\(error)")]
        }
    }

    /// The findings for one host's facts: the decisions, without a server.
    package static func findings(for facts: HostFacts, slot: String?) -> [Finding] {
        var findings = [versionFinding(facts), walLevelFinding(facts)]
        if let security = facts.security { findings.append(securityFinding(facts, security)) }
        switch facts.role {
        case .primary:
            if facts.hasFailoverSlots { findings += standbyFindings(facts) }
            if let slot { findings += slotFindings(facts, slot: slot) }
            if let ddl = facts.ddlTrigger { findings.append(ddlFinding(facts, ddl)) }
        case .standby:
            if facts.hasFailoverSlots {
                findings += slotSyncFindings(facts)
                if let slot { findings.append(syncedSlotFinding(facts, slot: slot)) }
            }
        }
        return findings
    }

    /// Whether DDL reaches the stream: not installing the triggers is a choice, not a fault; a
    /// trigger missing or disabled is a warning.
    static func ddlFinding(_ facts: HostFacts, _ status: DDLTrigger.Status) -> Finding {
        switch status {
        case .installed:
            return facts.finding("ddl", .ok, "DDL event triggers installed: DDL commands reach the stream as op \"ddl\" lines")
        case .notInstalled:
            return facts.finding(
                "ddl", .ok, "DDL event triggers not installed: DDL commands do not reach the stream (pgcdc ddl install adds them)")
        case .partly:
            return facts.finding(
                "ddl", .warn, "DDL event triggers \(status.rawValue): some DDL commands do not reach the stream; run pgcdc ddl install")
        }
    }

    /// PostgreSQL 17 or later, or the warning that a promotion loses the slot.
    static func versionFinding(_ facts: HostFacts) -> Finding {
        guard facts.hasFailoverSlots else {
            return facts.finding(
                "version", .warn,
                "PostgreSQL \(facts.versionText): failover slots need PostgreSQL 17+: after a promotion the slot is missing; pgcdc "
                    + "refuses (or re-snapshots with onGap = .resnapshot)"
            )
        }
        return facts.finding("version", .ok, "PostgreSQL \(facts.versionText): failover slots supported")
    }

    /// Whether the connection is encrypted and the server's certificate verified: a plain TCP
    /// connection or TLS without `sslmode=verify-full` is a warning (not a failover matter, but
    /// the rows of every table travel over it).
    static func securityFinding(_ facts: HostFacts, _ security: ConnectionSecurity) -> Finding {
        let advice = "set ssl = on on the server and sslmode=verify-full sslrootcert=CA-FILE in the DSN"
        switch security {
        case .socket:
            return facts.finding("tls", .ok, "Unix-domain socket: local, not encrypted")
        case let .tls(protocolVersion, cipher, sslMode) where sslMode == "verify-full":
            return facts.finding("tls", .ok, "encrypted (\(protocolVersion), \(cipher)); server certificate verified (sslmode=verify-full)")
        case let .tls(protocolVersion, cipher, sslMode):
            return facts.finding(
                "tls", .warn,
                "encrypted (\(protocolVersion), \(cipher)) but sslmode=\(sslMode) does not check the server's certificate and name; "
                    + "set sslmode=verify-full sslrootcert=CA-FILE in the DSN")
        case let .plain(sslMode):
            return facts.finding("tls", .warn, "not encrypted: plain TCP (sslmode=\(sslMode)); \(advice)")
        }
    }

    /// `wal_level = logical`: on a primary for logical decoding; on a standby for slot sync
    /// (17+, which refuses to run without it) and for decoding after its promotion.
    static func walLevelFinding(_ facts: HostFacts) -> Finding {
        guard let level = facts.settings["wal_level"] else {
            return facts.finding("wal_level", .warn, "cannot read wal_level")
        }
        if level == "logical" { return facts.finding("wal_level", .ok, "logical") }
        let restart = "set wal_level = logical in postgresql.conf and restart"
        switch facts.role {
        case .primary:
            return facts.finding("wal_level", .fail, "wal_level = \(level): logical decoding needs logical; \(restart)")
        case .standby where facts.hasFailoverSlots:
            return facts.finding(
                "wal_level", .fail, "wal_level = \(level): slot sync needs logical, and so does pgcdc after a promotion; \(restart)")
        case .standby:
            return facts.finding(
                "wal_level", .warn,
                "wal_level = \(level): logical decoding on a standby (PG16+) and after a promotion needs logical; \(restart)")
        }
    }
}

extension HostFacts {
    /// A finding about this host.
    func finding(_ check: String, _ level: Finding.Level, _ detail: String) -> Finding {
        Finding(host: host, role: role, check: check, level: level, detail: detail)
    }
}
