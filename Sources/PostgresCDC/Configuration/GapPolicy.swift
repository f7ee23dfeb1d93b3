/// What pgcdc does when the slot it was resuming from is missing — after a failover to a standby
/// that had no synced copy of it, or a dropped slot. Changes since the stored position are then not
/// in any slot: continuing from a new slot would skip them without a word.
public enum GapPolicy: String, Sendable, CaseIterable {
    /// Stop with an error naming the slot and the LSN since which changes may be lost.
    case refuse
    /// Re-create the slot, hand out a ``ChangeEvent/gap(_:)`` naming what was lost, and read the
    /// published tables again — by backfills while changes stream, or by a new initial snapshot
    /// (see ``SlotGap``) — so the sink ends up consistent again.
    case resnapshot
}
