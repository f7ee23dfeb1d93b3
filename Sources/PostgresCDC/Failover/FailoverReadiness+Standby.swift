extension FailoverReadiness {
    /// On a standby (17+): what the slot sync worker needs to run at all (it checks the same in
    /// `ValidateSlotSyncParams`, and only logs when something is missing).
    static func slotSyncFindings(_ facts: HostFacts) -> [Finding] {
        var findings: [Finding] = []
        findings.append(
            switchFinding(
                facts, "sync_replication_slots",
                failure: "without it this standby keeps no copies of failover slots: set sync_replication_slots = on"))
        findings.append(
            switchFinding(
                facts, "hot_standby_feedback",
                failure: "slot sync needs it, so that the primary keeps the rows the copied slots need: set hot_standby_feedback = on"))
        if let slotName = facts.settings["primary_slot_name"] {
            if slotName.isEmpty {
                findings.append(
                    facts.finding(
                        "primary_slot_name", .fail,
                        "empty: slot sync needs a physical slot on the primary; set primary_slot_name and name that slot in the "
                            + "primary's synchronized_standby_slots"
                    ))
            } else {
                findings.append(facts.finding("primary_slot_name", .ok, slotName))
            }
        } else {
            findings.append(facts.finding("primary_slot_name", .warn, "cannot read primary_slot_name"))
        }
        if let conninfo = facts.settings["primary_conninfo"] {
            if conninfoNamesDatabase(conninfo) {
                findings.append(facts.finding("primary_conninfo", .ok, "names a database"))
            } else {
                findings.append(
                    facts.finding(
                        "primary_conninfo", .fail,
                        "has no dbname=: the slot sync worker connects to a database of the primary; add dbname=… to primary_conninfo"))
            }
        } else {
            findings.append(
                facts.finding("primary_conninfo", .warn, "cannot read primary_conninfo (it needs superuser or pg_read_all_settings)"))
        }
        return findings
    }

    /// A boolean setting that must be on.
    private static func switchFinding(_ facts: HostFacts, _ name: String, failure: String) -> Finding {
        guard let value = facts.settings[name] else { return facts.finding(name, .warn, "cannot read \(name)") }
        return value == "on" ? facts.finding(name, .ok, "on") : facts.finding(name, .fail, "\(value): \(failure)")
    }

    /// Whether a conninfo string (keywords or URI) sets a database, as the slot sync worker
    /// reads it (`walrcv_get_dbname_from_conninfo`). Read by ``ConnectionString``, which checks
    /// the syntax and not the keywords: a server newer than the libpq pgcdc links writes options
    /// that libpq does not know (`sslnegotiation`, …).
    static func conninfoNamesDatabase(_ conninfo: String) -> Bool {
        !(ConnectionString(parsing: conninfo).value("dbname") ?? "").isEmpty
    }

    /// ``conninfoNamesDatabase(_:)``: one reading, whether or not libpq knows every keyword.
    static func keywordValueNamesDatabase(_ conninfo: String) -> Bool {
        conninfoNamesDatabase(conninfo)
    }

    /// On a standby (17+), for a named slot: its copy of the slot was synced from the primary, is
    /// persistent (a temporary copy is dropped at promotion) and usable.
    static func syncedSlotFinding(_ facts: HostFacts, slot name: String) -> Finding {
        let check = "synced_slot"
        guard let slot = facts.slot(named: name) else {
            return facts.finding(
                check, .fail,
                "no copy of \(name) on this standby: it must be a failover slot on the primary, and slot sync must run here (see the "
                    + "other checks); the worker copies it within seconds"
            )
        }
        if slot.synced != true {
            return facts.finding(
                check, .fail,
                "\(name) exists here but was not synced from the primary (synced = false): slot sync will not overwrite it; drop it on "
                    + "this standby"
            )
        }
        if slot.temporary {
            return facts.finding(
                check, .fail,
                "the copy of \(name) is temporary and would be dropped at promotion: it becomes persistent once pgcdc confirms past a "
                    + "running-xacts record; pgcdc logs one when it creates the slot — or run SELECT pg_log_standby_snapshot() on the "
                    + "primary"
            )
        }
        if let invalidation = slot.invalidation {
            return facts.finding(
                check, .fail,
                "the copy of \(name) is invalidated (\(invalidation)): after a promotion pgcdc refuses it (or re-creates it with onGap "
                    + "= .resnapshot)"
            )
        }
        return facts.finding(check, .ok, "\(name): synced, persistent, valid")
    }
}
