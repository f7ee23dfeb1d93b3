/// Why the server gave up on a replication slot, by the name PostgreSQL gives the cause
/// (`pg_replication_slots.invalidation_reason`, 17+), or as older servers show it (`conflicting`
/// 16, `wal_status = 'lost'` 13+). An invalidated slot's changes can no longer be decoded.
public enum SlotInvalidation: Sendable, Hashable, CustomStringConvertible {
    /// `wal_removed`: the WAL it needed was removed, the slot having retained more than
    /// `max_slot_wal_keep_size`.
    case walRemoved
    /// `rows_removed`: on a standby, rows its changes need were removed on the primary (a
    /// conflict with recovery; `hot_standby_feedback` prevents it).
    case rowsRemoved
    /// `wal_level_insufficient`: `wal_level` on the primary fell below `logical`.
    case walLevelInsufficient
    /// `idle_timeout` (PostgreSQL 18): nothing streamed from it for longer than
    /// `idle_replication_slot_timeout`.
    case idleTimeout
    /// PostgreSQL 16's `conflicting`: a conflict with recovery (rows removed or wal_level).
    case conflictWithRecovery
    /// A cause this version of pgcdc does not know, by the server's name for it.
    case other(String)

    /// The cause from the columns of `pg_replication_slots` this server has; `nil` while valid.
    package init?(reason: String?, conflicting: String?, walStatus: String?) {
        switch reason {
        case "wal_removed"?: self = .walRemoved
        case "rows_removed"?: self = .rowsRemoved
        case "wal_level_insufficient"?: self = .walLevelInsufficient
        case "idle_timeout"?: self = .idleTimeout
        case let reason? where !reason.isEmpty: self = .other(reason)
        default:
            if conflicting == "t" {
                self = .conflictWithRecovery
            } else if walStatus == "lost" {
                self = .walRemoved
            } else {
                return nil
            }
        }
    }

    /// The server's name for the cause (`wal_removed`, `idle_timeout`, …).
    public var name: String {
        switch self {
        case .walRemoved: return "wal_removed"
        case .rowsRemoved: return "rows_removed"
        case .walLevelInsufficient: return "wal_level_insufficient"
        case .idleTimeout: return "idle_timeout"
        case .conflictWithRecovery: return "conflicting"
        case let .other(name): return name
        }
    }

    /// The cause by name, what it means and the setting that governs it.
    public var description: String {
        switch self {
        case .walRemoved:
            return "wal_removed: the WAL it needed was removed because it retained more than max_slot_wal_keep_size"
        case .rowsRemoved:
            return "rows_removed: rows its changes need were removed on the primary (a conflict with recovery; turn on "
                + "hot_standby_feedback with a physical slot on the standby)"
        case .walLevelInsufficient:
            return "wal_level_insufficient: wal_level on the primary is below logical"
        case .idleTimeout:
            return "idle_timeout: nothing streamed from it for longer than idle_replication_slot_timeout"
        case .conflictWithRecovery:
            return "conflicting: a conflict with recovery (rows removed on the primary, or wal_level below logical there)"
        case let .other(name):
            return name
        }
    }
}
