import Testing
@testable import PostgresCDC

/// The decisions of `pgcdc doctor` on hand-built facts: what a primary and a standby must have
/// for pgcdc to continue after a promotion.
@Suite struct FailoverReadinessTests {
    static let primarySettings = ["wal_level": "logical", "synchronized_standby_slots": "standby1_slot"]
    static let standbySettings = [
        "wal_level": "logical", "sync_replication_slots": "on", "hot_standby_feedback": "on",
        "primary_slot_name": "standby1_slot", "primary_conninfo": "host=10.0.0.1 user=replicator dbname=postgres",
    ]
    static let cdcSlot = HostFacts.Slot(name: "cdc", type: "logical", plugin: "pgoutput", database: "app", failover: true, synced: false)
    static let syncedCopy = HostFacts.Slot(name: "cdc", type: "logical", plugin: "pgoutput", database: "app", failover: true, synced: true)

    static func primary(
        version: Int = 180001, settings: [String: String] = primarySettings, standbys: [HostFacts.Standby]? = nil,
        slots: [HostFacts.Slot]? = nil
    ) -> HostFacts {
        HostFacts(
            host: "db1:5432", role: .primary, serverVersion: version, database: "app", settings: settings,
            standbys: standbys ?? [HostFacts.Standby(name: "walreceiver at 10.0.0.2", slot: "standby1_slot")],
            slots: slots ?? [cdcSlot, HostFacts.Slot(name: "standby1_slot", type: "physical", active: true)]
        )
    }

    static func standby(settings: [String: String] = standbySettings, slots: [HostFacts.Slot] = [syncedCopy]) -> HostFacts {
        HostFacts(host: "db2:5432", role: .standby, serverVersion: 180001, database: "app", settings: settings, slots: slots)
    }

    static func failures(_ findings: [Finding]) -> [Finding] { findings.filter { $0.level == .fail } }

    @Test func aPostgres15PrimaryIsWarnedThatAPromotionLosesTheSlot() {
        let findings = FailoverReadiness.findings(
            for: Self.primary(version: 150010, settings: ["wal_level": "logical"], slots: [Self.cdcSlot]), slot: "cdc")
        let version = findings.first { $0.check == "version" }
        #expect(version?.level == .warn)
        #expect(version?.detail.contains("failover slots need PostgreSQL 17+") == true)
        #expect(version?.detail.contains("PostgreSQL 15.10") == true)
        #expect(Self.failures(findings).isEmpty, "\(findings)")
        #expect(!findings.contains { $0.check == "failover" || $0.check == "synchronized_standby_slots" })
    }

    @Test func aStandbysPhysicalSlotMissingFromSynchronizedStandbySlotsFails() {
        let facts = Self.primary(settings: ["wal_level": "logical", "synchronized_standby_slots": ""])
        let failures = Self.failures(FailoverReadiness.findings(for: facts, slot: "cdc"))
        #expect(failures.count == 1)
        #expect(failures.first?.check == "synchronized_standby_slots")
        #expect(failures.first?.detail.contains("does not name standby1_slot") == true)
        #expect(failures.first?.detail.contains("synchronized_standby_slots = 'standby1_slot'") == true)
    }

    @Test func aPrimaryWithoutStandbysIsWarnedThatThereIsNothingToFailOverTo() {
        let facts = Self.primary(settings: ["wal_level": "logical", "synchronized_standby_slots": ""], standbys: [], slots: [Self.cdcSlot])
        let findings = FailoverReadiness.findings(for: facts, slot: "cdc")
        #expect(
            findings.contains {
                $0.check == "standbys" && $0.level == .warn && $0.detail == "no standby connected: nothing to fail over to"
            })
        #expect(Self.failures(findings).isEmpty, "\(findings)")
    }

    @Test func namingASlotThatDoesNotExistFailsBecauseWalsendersWaitForIt() {
        let facts = Self.primary(settings: ["wal_level": "logical", "synchronized_standby_slots": "standby1_slot, \"Gone\""])
        let failures = Self.failures(FailoverReadiness.findings(for: facts, slot: nil))
        #expect(
            failures.map(\.detail) == [
                "names Gone, which does not exist: logical walsenders wait for it, so pgcdc stalls; create the physical slot or remove "
                    + "it from the list"
            ])
        #expect(FailoverReadiness.slotNames(in: " a ,\"B\"\"c\", D,") == ["a", "B\"c", "d"])
    }

    @Test func aSlotThatIsNotAFailoverSlotFailsWithTheReplicationCommandThatFixesIt() {
        var slot = Self.cdcSlot
        slot.failover = false
        let facts = Self.primary(slots: [slot, HostFacts.Slot(name: "standby1_slot", type: "physical", active: true)])
        let failures = Self.failures(FailoverReadiness.findings(for: facts, slot: "cdc"))
        #expect(failures.map(\.check) == ["failover"])
        #expect(failures.first?.detail.contains("ALTER_REPLICATION_SLOT cdc (FAILOVER true)") == true)
    }

    @Test func aPostgres17FailoverSlotWithTwoPhaseDecodingFails() {
        var slot = Self.cdcSlot
        slot.twoPhase = true
        let physical = HostFacts.Slot(name: "standby1_slot", type: "physical", active: true)
        let failures = Self.failures(FailoverReadiness.findings(for: Self.primary(version: 170005, slots: [slot, physical]), slot: "cdc"))
        #expect(failures.map(\.check) == ["failover"])
        #expect(failures.first?.detail.contains("PostgreSQL 17 does not sync its two-phase state") == true)
        #expect(Self.failures(FailoverReadiness.findings(for: Self.primary(slots: [slot, physical]), slot: "cdc")).isEmpty)
    }

    @Test func aStandbyWithSyncReplicationSlotsOffFails() {
        var settings = Self.standbySettings
        settings["sync_replication_slots"] = "off"
        let failures = Self.failures(FailoverReadiness.findings(for: Self.standby(settings: settings), slot: "cdc"))
        #expect(failures.map(\.check) == ["sync_replication_slots"])
        #expect(failures.first?.detail.contains("set sync_replication_slots = on") == true)
        #expect(failures.first?.role == .standby)
    }

    @Test func aStandbyWhosePrimaryConninfoHasNoDatabaseFails() {
        var settings = Self.standbySettings
        settings["primary_conninfo"] = "host=10.0.0.1 user=replicator"
        #expect(
            Self.failures(FailoverReadiness.findings(for: Self.standby(settings: settings), slot: nil)).map(\.check) == ["primary_conninfo"]
        )
        #expect(FailoverReadiness.conninfoNamesDatabase("postgresql://replicator@10.0.0.1/postgres"))
        #expect(!FailoverReadiness.conninfoNamesDatabase("postgresql://replicator@10.0.0.1"))
        #expect(!FailoverReadiness.conninfoNamesDatabase("dbname="))
    }

    @Test func aStandbyWhoseSyncedSlotIsTemporaryFails() {
        var copy = Self.syncedCopy
        copy.temporary = true
        let failures = Self.failures(FailoverReadiness.findings(for: Self.standby(slots: [copy]), slot: "cdc"))
        #expect(failures.map(\.check) == ["synced_slot"])
        #expect(failures.first?.detail.contains("SELECT pg_log_standby_snapshot() on the primary") == true)
    }

    @Test func aStandbyWithoutACopyOfTheSlotFails() {
        let failures = Self.failures(FailoverReadiness.findings(for: Self.standby(slots: []), slot: "cdc"))
        #expect(failures.map(\.check) == ["synced_slot"])
        #expect(failures.first?.detail.hasPrefix("no copy of cdc on this standby") == true)
    }

    @Test func everythingRightIsAllOK() {
        let primary = FailoverReadiness.findings(for: Self.primary(), slot: "cdc")
        #expect(primary.allSatisfy { $0.level == .ok }, "\(primary)")
        #expect(primary.map(\.check) == ["version", "wal_level", "standbys", "synchronized_standby_slots", "slot", "failover"])
        let standby = FailoverReadiness.findings(for: Self.standby(), slot: "cdc")
        #expect(standby.allSatisfy { $0.level == .ok }, "\(standby)")
        #expect(
            standby.map(\.check) == [
                "version", "wal_level", "sync_replication_slots", "hot_standby_feedback", "primary_slot_name", "primary_conninfo",
                "synced_slot",
            ])
    }

    @Test func walLevelReplicaFailsOnAPrimaryAndOnAPostgres17StandbyButOnlyWarnsOnAnOlderStandby() {
        var primary = Self.primary()
        primary.settings["wal_level"] = "replica"
        #expect(FailoverReadiness.walLevelFinding(primary).level == .fail)
        var standby = Self.standby()
        standby.settings["wal_level"] = "replica"
        #expect(FailoverReadiness.walLevelFinding(standby).level == .fail)
        standby.serverVersion = 160004
        #expect(FailoverReadiness.walLevelFinding(standby).level == .warn)
    }

    @Test func aMultiLineDetailBecomesOneLine() {
        let finding = Finding(
            host: "h:1", role: nil, check: "connect", level: .fail, detail: "connection refused\n\tIs the server running?\n")
        #expect(finding.detail == "connection refused Is the server running?")
    }

    /// What PostgreSQL 18's pg_basebackup -R writes: options libpq 15 does not know.
    @Test func aConninfoWithOptionsOfANewerLibpqStillShowsItsDatabase() {
        let written =
            "user=postgres passfile='/var/lib/postgresql/.pgpass' channel_binding=prefer host=127.0.0.1 port=5432 sslmode=prefer "
            + "sslnegotiation=postgres sslcompression=0 sslcertmode=allow sslsni=1 ssl_min_protocol_version=TLSv1.2 "
            + "gssencmode=prefer krbsrvname=postgres gssdelegation=0 target_session_attrs=any load_balance_hosts=disable "
            + "dbname=postgres"
        #expect(FailoverReadiness.conninfoNamesDatabase(written))
        #expect(!FailoverReadiness.conninfoNamesDatabase("host=127.0.0.1 sslnegotiation=postgres"))
        #expect(FailoverReadiness.conninfoNamesDatabase("host=h sslnegotiation=direct dbname = 'my \\'db'"))
        #expect(!FailoverReadiness.conninfoNamesDatabase("host=h sslnegotiation=direct dbname=''"))
        #expect(FailoverReadiness.conninfoNamesDatabase("host=h dbname=app"))
        #expect(FailoverReadiness.keywordValueNamesDatabase("postgresql://h:5432/app?sslnegotiation=direct"))
        #expect(!FailoverReadiness.keywordValueNamesDatabase("postgresql://h:5432?sslnegotiation=direct"))
    }
}
