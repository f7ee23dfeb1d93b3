import PGOutput

/// The checkpoint table that ``PostgresCheckpointStore`` and the postgres-nio store share, so that
/// either store reads what the other wrote: one row per slot,
/// `(slot text PRIMARY KEY, lsn pg_lsn, system_identifier text, timeline int)`.
///
/// The SQL lives here once; each store runs it on its own kind of connection, with the parameters
/// in PostgreSQL's text form.
package struct CheckpointTable: Sendable, Hashable {
    /// The table's name as the user gave it (`pgcdc_checkpoint`, `etl.pgcdc_checkpoint`).
    package let name: String
    /// The name as SQL: each dot-separated part double-quoted (so `Etl.Checkpoint` keeps its case).
    let quotedName: String

    /// The table `name`, optionally schema-qualified. A name with an empty part or a NUL is refused.
    package init(_ name: String) throws(CheckpointError) {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard !parts.contains(where: \.isEmpty), !name.contains("\0") else {
            throw CheckpointError(path: name, reason: "is not a table name (expected `table` or `schema.table`)")
        }
        self.name = name
        quotedName = parts.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ".")
    }

    /// Creates the table when it does not exist.
    package var createSQL: String {
        "CREATE TABLE IF NOT EXISTS \(quotedName) (slot text PRIMARY KEY, lsn pg_lsn NOT NULL, "
            + "system_identifier text NOT NULL, timeline int NOT NULL)"
    }

    /// The row of slot `$1`: `lsn`, `system_identifier`, `timeline`, all as text.
    package var selectSQL: String {
        "SELECT lsn::text, system_identifier, timeline::text FROM \(quotedName) WHERE slot = $1"
    }

    /// The first slots the table holds a row of (a few are enough to name them in an error).
    package var otherSlotsSQL: String {
        "SELECT slot FROM \(quotedName) WHERE slot <> $1 ORDER BY slot LIMIT 5"
    }

    /// Inserts or updates the row of slot `$1` to `$2` (an LSN), `$3`, `$4`; only ever forward: a
    /// checkpoint at or behind the stored one changes nothing, so a replay cannot take it back.
    package var saveForwardSQL: String {
        """
        INSERT INTO \(quotedName) AS stored (slot, lsn, system_identifier, timeline) VALUES ($1, $2::pg_lsn, $3, $4::int)
        ON CONFLICT (slot) DO UPDATE SET lsn = EXCLUDED.lsn, system_identifier = EXCLUDED.system_identifier,
        timeline = EXCLUDED.timeline WHERE stored.lsn < EXCLUDED.lsn
        """
    }

    /// The stored row of `slot` as a checkpoint, from its text columns.
    package func checkpoint(slot: String, lsn: String?, systemIdentifier: String?, timeline: String?) throws(CheckpointError) -> Checkpoint
    {
        guard let lsn = lsn.flatMap(LSN.init), let systemIdentifier, let timeline = timeline.flatMap({ UInt32($0) }) else {
            throw CheckpointError(path: name, reason: "the row of slot \"\(slot)\" is not a valid checkpoint")
        }
        return Checkpoint(lsn: lsn, slot: slot, systemIdentifier: systemIdentifier, timeline: timeline)
    }

    /// The error for a table that holds no checkpoint of `slot` but holds `otherSlots`: most likely
    /// the slot's name is misspelt, and streaming would create a new slot and copy the tables again.
    package func otherSlotsError(slot: String, otherSlots: [String]) -> CheckpointError {
        let listed = otherSlots.map { "\"\($0)\"" }.joined(separator: ", ")
        let held = otherSlots.count == 1 ? "one of slot \(listed)" : "checkpoints of slots \(listed)"
        var error = CheckpointError(
            path: name,
            reason: "holds no checkpoint of slot \"\(slot)\" but \(held); is the slot name misspelt? "
                + "Streaming would start slot \"\(slot)\" afresh (a new slot, the tables copied again). To keep the "
                + "checkpoints of several slots in one table on purpose, create the store with sharesTableWithOtherSlots: true, "
                + "or give each slot a table of its own"
        )
        error.slotMismatch = CheckpointError.SlotMismatch(slot: slot, storedSlots: otherSlots)
        return error
    }
}
