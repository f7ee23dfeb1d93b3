/// Where a consumer keeps its ``Checkpoint``: read once when a ``ChangeStream`` starts (to resume
/// after what was stored), written whenever the consumer acknowledges a transaction.
///
/// ``FileCheckpointStore`` keeps it in a file; ``PostgresCheckpointStore`` in a table, committed in
/// the same transaction as the job's own writes.
public protocol CheckpointStore: Sendable {
    /// The stored checkpoint, or `nil` when there is none yet.
    func load() throws -> Checkpoint?
    /// Replaces the stored checkpoint, durably, before returning.
    func save(_ checkpoint: Checkpoint) throws
}

extension FileCheckpointStore: CheckpointStore {}
