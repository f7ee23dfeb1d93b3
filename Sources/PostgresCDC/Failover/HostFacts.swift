/// What `pgcdc doctor` learned about one server: its role, version, the settings that failover
/// slots depend on, the standbys streaming from it and its replication slots.
///
/// Gathered by ``gather(on:host:)``; ``FailoverReadiness/findings(for:slot:)`` turns it into
/// findings without a server, so the decisions are unit-tested on hand-built facts.
package struct HostFacts: Sendable, Equatable {
    /// Whether the server is in recovery.
    package enum Role: String, Sendable {
        /// Not in recovery: pgcdc streams from it.
        case primary
        /// In recovery (`pg_is_in_recovery()`): a candidate for promotion.
        case standby
    }

    /// A physical standby streaming from a primary (a row of `pg_stat_replication` that is not a
    /// logical walsender or a base backup).
    package struct Standby: Sendable, Equatable {
        /// Its `application_name` and address, for the person reading the findings.
        package var name: String
        /// The physical slot it streams from, `nil` when it uses none.
        package var slot: String?

        package init(name: String, slot: String?) {
            self.name = name
            self.slot = slot
        }
    }

    /// A replication slot as `pg_replication_slots` shows it, as far as failover is concerned.
    package struct Slot: Sendable, Equatable {
        /// The slot's name.
        package var name: String
        /// `logical` or `physical`.
        package var type: String
        /// The output plugin of a logical slot.
        package var plugin: String?
        /// The database of a logical slot.
        package var database: String?
        /// Whether a connection streams from it now.
        package var active: Bool
        /// A temporary slot is dropped when its session ends — or, for a synced copy, at promotion.
        package var temporary: Bool
        /// Whether standbys keep a synced copy (PostgreSQL 17 and later; `nil` before).
        package var failover: Bool?
        /// Whether this is a standby's copy of a primary's failover slot (17 and later; `nil` before).
        package var synced: Bool?
        /// Whether it decodes prepared transactions (14 and later; `nil` before).
        package var twoPhase: Bool?
        /// Why the server gave up on it (`invalidation_reason`, `conflicting`, `wal_status` lost),
        /// `nil` while it is usable.
        package var invalidation: SlotInvalidation?

        package init(
            name: String, type: String, plugin: String? = nil, database: String? = nil, active: Bool = false,
            temporary: Bool = false, failover: Bool? = nil, synced: Bool? = nil, twoPhase: Bool? = nil,
            invalidation: SlotInvalidation? = nil
        ) {
            self.name = name
            self.type = type
            self.plugin = plugin
            self.database = database
            self.active = active
            self.temporary = temporary
            self.failover = failover
            self.synced = synced
            self.twoPhase = twoPhase
            self.invalidation = invalidation
        }
    }

    /// `host:port` as the DSN names it.
    package var host: String
    /// Primary or standby.
    package var role: Role
    /// The server version as an integer, e.g. 180001 for 18.1.
    var serverVersion: Int
    /// The database the connection is attached to (a logical slot belongs to one).
    package var database: String
    /// The settings that failover depends on, by name (`pg_settings`); a setting the server does
    /// not have, or does not show to this user, is absent.
    package var settings: [String: String]
    /// The physical standbys streaming from this server (asked of a primary only).
    package var standbys: [Standby]
    /// Every replication slot on the server.
    package var slots: [Slot]
    /// How the connection to it travels (TLS or not); `nil` when unknown, which yields no finding.
    var security: ConnectionSecurity?
    /// Whether the DDL event triggers (`pgcdc ddl install`) are in the database; `nil` when not asked (a standby).
    var ddlTrigger: DDLTrigger.Status?

    package init(
        host: String, role: Role, serverVersion: Int, database: String = "postgres", settings: [String: String] = [:],
        standbys: [Standby] = [], slots: [Slot] = [], security: ConnectionSecurity? = nil, ddlTrigger: DDLTrigger.Status? = nil
    ) {
        self.host = host
        self.role = role
        self.serverVersion = serverVersion
        self.database = database
        self.settings = settings
        self.standbys = standbys
        self.slots = slots
        self.security = security
        self.ddlTrigger = ddlTrigger
    }

    /// The settings ``gather(on:host:)`` reads.
    static let settingNames = [
        "wal_level", "synchronized_standby_slots", "sync_replication_slots", "hot_standby_feedback",
        "primary_slot_name", "primary_conninfo",
    ]

    /// Whether failover slots exist on this server (PostgreSQL 17 and later).
    var hasFailoverSlots: Bool { serverVersion >= 170000 }

    /// `18.1` for 180001, `9.6.24` for 90624.
    var versionText: String {
        if serverVersion >= 100000 { return "\(serverVersion / 10000).\(serverVersion % 10000)" }
        return "\(serverVersion / 10000).\(serverVersion / 100 % 100).\(serverVersion % 100)"
    }

    /// The slot named `name`, if the server has one.
    func slot(named name: String) -> Slot? {
        slots.first { $0.name == name }
    }
}
