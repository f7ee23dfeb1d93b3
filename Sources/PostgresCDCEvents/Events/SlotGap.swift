import PGOutput

/// The stream lost changes: the slot it continued could not be continued (missing after a
/// failover, invalidated, or confirmed past the checkpoint), and ``StreamConfiguration/onGap`` is
/// ``GapPolicy/resnapshot``. Handed out first, before anything from the new slot: the changes
/// between ``lostFrom`` and ``resumedAt`` are in no slot any more, so the published tables are
/// read again — by backfills (``Recovery/backfill``) while changes stream, or by a new initial
/// snapshot (``Recovery/snapshot``).
///
/// Rows read again are current; a row deleted inside the gap is simply not read. A consumer that
/// must not keep such rows clears ``tables`` (or marks their rows) when it meets the gap, as the
/// ETL example does.
public struct SlotGap: Sendable, Hashable {
    /// How the tables are read again.
    public enum Recovery: String, Sendable, Hashable {
        /// One backfill per table (``backfills`` names them), interleaved with the live changes.
        case backfill
        /// A new initial snapshot (some table has no primary key, the backfill state would not
        /// survive a restart, or the server is older than PostgreSQL 14).
        case snapshot
    }

    /// The message prefix a gap is written with where a format has no gap event of its own
    /// (Debezium), and the NATS subject's (`ROOT._messages.pgcdc_gap`).
    package static let messagePrefix = "pgcdc.gap"

    /// The slot.
    public let slot: String
    /// Why it could not be continued.
    public let reason: String
    /// The position the consumer had stored: changes after it may be missing.
    public let lostFrom: LSN
    /// Where the new slot starts.
    public let resumedAt: LSN
    /// How the tables are read again.
    public let recovery: Recovery
    /// The tables read again, `schema.table`.
    public let tables: [String]
    /// With ``Recovery/backfill``: the backfills' ids, one per table (`gap-…`).
    public let backfills: [String]

    package init(
        slot: String, reason: String, lostFrom: LSN, resumedAt: LSN, recovery: Recovery, tables: [String], backfills: [String]
    ) {
        self.slot = slot
        self.reason = reason
        self.lostFrom = lostFrom
        self.resumedAt = resumedAt
        self.recovery = recovery
        self.tables = tables
        self.backfills = backfills
    }

    /// The backfill id for `table` after a gap resumed at `lsn`: the same whenever pgcdc
    /// recovers from the same gap, so a restart does not request it twice.
    package static func backfillID(table: String, resumedAt lsn: LSN) -> String {
        "gap-\(String(lsn.value, radix: 16, uppercase: true))-\(table)"
    }

    /// How to read the tables again: backfills when every table has a primary key, backfill
    /// progress survives a restart and the server has logical decoding messages (14+); else a
    /// snapshot, with the reason.
    package static func recovery(serverVersion: Int, durableBackfillState: Bool, keylessTables: [String]) -> (Recovery, why: String?) {
        if serverVersion < 140000 { return (.snapshot, "backfills need PostgreSQL 14") }
        if !durableBackfillState { return (.snapshot, "backfill progress would not survive a restart (no checkpoint or output file)") }
        if !keylessTables.isEmpty { return (.snapshot, "no primary key: \(keylessTables.joined(separator: ", "))") }
        return (.backfill, nil)
    }
}
