import PGOutput

/// What `pg_replication_slots` says of an existing slot pgcdc may use.
struct ExistingSlot: Sendable, Equatable {
    /// What its consumer confirmed.
    var confirmedFlush: LSN
    /// Why the server invalidated it (`nil` while it is valid): its changes since
    /// ``confirmedFlush`` can no longer be decoded.
    package var invalidation: SlotInvalidation?
    /// Whether standbys keep a synced copy (PostgreSQL 17 and later; `nil` before).
    package var failover: Bool?

    package init(confirmedFlush: LSN, invalidation: SlotInvalidation? = nil, failover: Bool? = nil) {
        self.confirmedFlush = confirmedFlush
        self.invalidation = invalidation
        self.failover = failover
    }
}
