import CLibPQ

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
    /// reads it (`walrcv_get_dbname_from_conninfo`). A server newer than the libpq pgcdc links
    /// writes options that libpq does not know (`sslnegotiation`, …): then the keywords are read
    /// without it.
    static func conninfoNamesDatabase(_ conninfo: String) -> Bool {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &errorMessage) else {
            if let errorMessage { PQfreemem(errorMessage) }
            return keywordValueNamesDatabase(conninfo)
        }
        defer { PQconninfoFree(options) }
        var index = 0
        while let keyword = options[index].keyword {
            if String(cString: keyword) == "dbname", let value = options[index].val, value.pointee != 0 { return true }
            index += 1
        }
        return false
    }

    /// Whether a `keyword=value …` string has a non-empty `dbname` (values may be quoted with `'`,
    /// with `\` escapes), or a URI a database path or `dbname` parameter.
    static func keywordValueNamesDatabase(_ conninfo: String) -> Bool {
        if conninfo.hasPrefix("postgresql://") || conninfo.hasPrefix("postgres://") {
            let rest = conninfo.split(separator: "://", maxSplits: 1).last ?? ""
            let beforeQuery = rest.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            if let slash = beforeQuery.firstIndex(of: "/"), beforeQuery[beforeQuery.index(after: slash)...].isEmpty == false { return true }
            return rest.contains("dbname=")
        }
        var characters = Substring(conninfo)
        while true {
            while let first = characters.first, first.isWhitespace { characters.removeFirst() }
            guard !characters.isEmpty else { return false }
            let keyword = characters.prefix { $0 != "=" && !$0.isWhitespace }
            characters = characters.dropFirst(keyword.count)
            while let first = characters.first, first.isWhitespace { characters.removeFirst() }
            guard characters.first == "=" else { return false }
            characters.removeFirst()
            while let first = characters.first, first.isWhitespace { characters.removeFirst() }
            var value = ""
            if characters.first == "'" {
                characters.removeFirst()
                while let character = characters.first {
                    characters.removeFirst()
                    if character == "\\", let escaped = characters.first {
                        characters.removeFirst()
                        value.append(escaped)
                    } else if character == "'" {
                        break
                    } else {
                        value.append(character)
                    }
                }
            } else {
                let word = characters.prefix { !$0.isWhitespace }
                value = String(word)
                characters = characters.dropFirst(word.count)
            }
            if keyword == "dbname" && !value.isEmpty { return true }
        }
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
