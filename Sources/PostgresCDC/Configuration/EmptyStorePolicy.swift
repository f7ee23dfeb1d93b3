/// What a stream with somewhere to keep its position — a ``CheckpointStore``, a checkpoint file,
/// a sink that is its own checkpoint (``FileSink``) — does when that store is empty but the slot
/// exists and has moved on: a target rebuilt from scratch (its checkpoint deleted with it) would
/// otherwise stream on from the slot's position and never get the rows written before it.
///
/// It applies only when pgcdc chooses whether to snapshot (``StreamConfiguration/snapshot`` `nil`
/// or ``SnapshotMode/whenNeeded``) and no ``StreamConfiguration/startLSN`` is given; a stream
/// without a store (stdout) continues from the slot, as `pg_recvlogical` does.
public enum EmptyStorePolicy: String, Sendable, CaseIterable {
    /// Stop with an error naming the slot, its confirmed position and these choices.
    case refuse
    /// Drop the slot, create it again and copy every published table (a new initial snapshot), then
    /// stream the changes after it: the way to rebuild a target.
    case resnapshot
    /// Stream on from the slot's confirmed position: the target already holds everything before
    /// it (a slot created beforehand, a store that was moved).
    case continueFromSlot = "continue"
}
