/// Who writes a ``ChangeStream``'s checkpoints into its ``CheckpointStore``.
public enum CheckpointSaving: Sendable, Hashable {
    /// The stream: every acknowledgement that moves the position forward calls
    /// ``CheckpointStore/save(_:)`` first, and the server hears of the position only once it returned.
    case byStream
    /// The consumer: it stores each batch's ``ChangeBatch/checkpoint`` (or
    /// ``ChangeStream/checkpoint(through:)``) in the same transaction as the batch's own writes,
    /// before acknowledging it. The stream then never calls ``CheckpointStore/save(_:)``; it loads
    /// the store when it connects, and once more at the first acknowledgement, to check that the
    /// store holds what was acknowledged (``ChangeStreamError/checkpointNotStored(_:stored:)`` if not).
    case byHandler
}
