extension FailoverReadiness {
    /// On a primary (17+): which standbys stream from it, and whether `synchronized_standby_slots`
    /// names each one's physical slot. Without that, a logical walsender may send pgcdc changes
    /// that a standby has not received yet; promoted, that standby's copy of the slot is behind
    /// what pgcdc stored.
    static func standbyFindings(_ facts: HostFacts) -> [Finding] {
        var findings: [Finding] = []
        if facts.standbys.isEmpty {
            findings.append(facts.finding("standbys", .warn, "no standby connected: nothing to fail over to"))
        }
        for standby in facts.standbys {
            if let slot = standby.slot {
                findings.append(facts.finding("standbys", .ok, "\(standby.name) streams from physical slot \(slot)"))
            } else {
                findings.append(
                    facts.finding(
                        "standbys", .fail,
                        "\(standby.name) streams without a physical slot: set primary_slot_name on it (slot sync needs one) and name "
                            + "that slot in synchronized_standby_slots"
                    ))
            }
        }
        return findings + synchronizedStandbySlotsFindings(facts)
    }

    private static func synchronizedStandbySlotsFindings(_ facts: HostFacts) -> [Finding] {
        let check = "synchronized_standby_slots"
        guard let setting = facts.settings[check] else {
            return [facts.finding(check, .warn, "cannot read synchronized_standby_slots")]
        }
        let named = slotNames(in: setting)
        var findings: [Finding] = []
        let standbySlots = facts.standbys.compactMap(\.slot)
        let missing = standbySlots.filter { !named.contains($0) }
        if !missing.isEmpty {
            let list = (named + missing).joined(separator: ", ")
            findings.append(
                facts.finding(
                    check, .fail,
                    "does not name \(missing.joined(separator: ", ")), used by a connected standby: set synchronized_standby_slots = "
                        + "'\(list)' so that pgcdc never gets ahead of that standby's copy of the slot"
                ))
        }
        for name in named {
            guard let slot = facts.slot(named: name) else {
                findings.append(
                    facts.finding(
                        check, .fail,
                        "names \(name), which does not exist: logical walsenders wait for it, so pgcdc stalls; create the physical "
                            + "slot or remove it from the list"
                    ))
                continue
            }
            if slot.type != "physical" {
                findings.append(
                    facts.finding(check, .fail, "names \(name), a \(slot.type) slot: name the physical slots of the standbys only"))
            } else if let invalidation = slot.invalidation {
                findings.append(
                    facts.finding(
                        check, .fail,
                        "names \(name), which is invalidated (\(invalidation)): logical walsenders wait for it, so pgcdc stalls; "
                            + "re-create it and re-seed its standby, or remove it from the list"
                    ))
            } else if !slot.active {
                findings.append(
                    facts.finding(check, .warn, "names \(name), which no standby uses now: pgcdc waits for it until its standby is back"))
            }
        }
        let idle = facts.slots.filter { $0.type == "physical" && !$0.active && !named.contains($0.name) }
        for slot in idle {
            findings.append(
                facts.finding(
                    check, .warn, "does not name physical slot \(slot.name) (no standby connected to it now): if a standby uses it, add it")
            )
        }
        if findings.isEmpty && !named.isEmpty {
            findings.append(facts.finding(check, .ok, named.joined(separator: ", ")))
        }
        return findings
    }

    /// The slot names of a list setting as the server reads it (`SplitIdentifierString`):
    /// comma-separated, blanks around names ignored, `"quoted"` names kept as written, others lowercased.
    static func slotNames(in setting: String) -> [String] {
        setting.split(separator: ",").compactMap { item in
            var name = item
            while let first = name.first, first == " " || first == "\t" { name.removeFirst() }
            while let last = name.last, last == " " || last == "\t" { name.removeLast() }
            guard !name.isEmpty else { return nil }
            if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") {
                return String(name.dropFirst().dropLast()).replacing("\"\"", with: "\"")
            }
            return name.lowercased()
        }
    }

    /// On a primary, for a named slot: the slot exists, is a usable pgoutput slot of this database,
    /// and (17+) is a failover slot.
    static func slotFindings(_ facts: HostFacts, slot name: String) -> [Finding] {
        guard let slot = facts.slot(named: name) else {
            return [
                facts.finding(
                    "slot", .fail,
                    "\(name) does not exist on this primary: pgcdc creates it when asked to (createSlot = true) (a failover slot on PG17+)")
            ]
        }
        var problems: [String] = []
        if slot.type != "logical" { problems.append("\(name) is a \(slot.type) slot; pgcdc needs a logical slot with plugin pgoutput") }
        if slot.type == "logical" && slot.plugin != "pgoutput" {
            problems.append("\(name) uses plugin \(slot.plugin ?? "?"); pgcdc needs pgoutput: drop it and let pgcdc create it")
        }
        if let database = slot.database, database != facts.database {
            problems.append("\(name) belongs to database \(database), the DSN connects to \(facts.database)")
        }
        if let invalidation = slot.invalidation {
            problems.append(
                "\(name) is invalidated (\(invalidation)): its changes can no longer be decoded; pgcdc refuses it (or re-creates it "
                    + "with onGap = .resnapshot)"
            )
        }
        var findings = problems.map { facts.finding("slot", .fail, $0) }
        if findings.isEmpty {
            findings.append(facts.finding("slot", .ok, "\(name): logical, pgoutput, database \(facts.database), valid"))
        }
        guard facts.hasFailoverSlots, slot.type == "logical" else { return findings }
        if slot.failover == true, slot.twoPhase == true, facts.serverVersion < 180000 {
            findings.append(
                facts.finding(
                    "failover", .fail,
                    "\(name) is a failover slot with two-phase decoding: PostgreSQL 17 does not sync its two-phase state to standbys, "
                        + "so after a promotion transactions prepared before it could be lost; drop it and let pgcdc re-create it "
                        + "without twoPhase = true or with failoverSlot = false, or upgrade to PostgreSQL 18"
                ))
        } else if slot.failover == true {
            findings.append(
                facts.finding("failover", .ok, "\(name) is a failover slot: standbys with sync_replication_slots = on keep a copy"))
        } else {
            findings.append(
                facts.finding(
                    "failover", .fail,
                    "\(name) is not a failover slot: a promoted standby will not have it; there is no SQL function to change that: "
                        + "with pgcdc stopped, run the replication command ALTER_REPLICATION_SLOT \(name) (FAILOVER true) (psql "
                        + "\"dbname=… replication=database\"), or drop the slot and let pgcdc re-create it"
                ))
        }
        return findings
    }
}
