import PGOutput

/// Events handed out together by ``ChangeStream/batches(maxEvents:maxDelay:linger:)`` and
/// ``ChangeStream/run(maxEvents:maxDelay:linger:isolation:_:)``: whole transactions, or a part of a snapshot.
///
/// A batch never ends inside a transaction: every transaction in ``events`` ends with its
/// ``ChangeEvent/commit(_:)``. A transaction larger than the batch size comes whole in a batch of
/// its own. A snapshot's rows, which may be far more than fit in memory, come in batches of at most
/// the batch size; only the batch that holds the ``ChangeEvent/snapshotCompleted(_:)`` event has an
/// ``acknowledgeThrough`` position.
public struct ChangeBatch: Sendable {
    /// The events in stream order.
    public let events: [ChangeEvent]

    /// The position to acknowledge once every event of the batch is stored: the end of its last
    /// transaction (or non-transactional message, or completed snapshot). `nil` when the batch
    /// holds only part of a snapshot, which is acknowledged with the batch that completes it.
    public let acknowledgeThrough: LSN?

    /// The checkpoint for ``acknowledgeThrough`` on the stream's slot and server, for a store the
    /// job writes in its own transaction; `nil` when ``acknowledgeThrough`` is.
    public let checkpoint: Checkpoint?

    /// The batch begins a snapshot — the stream's initial one, or one taken again (a snapshot
    /// interrupted by a crash or a lost connection starts over; a lost slot may be re-snapshotted).
    /// A target that mirrors the tables should clear them first: every row comes again.
    public let startsSnapshot: Bool

    /// With ``startsSnapshot``, every table the snapshot copies — those without rows too — so that
    /// a target can clear exactly them; empty otherwise.
    public let snapshotTables: [Relation]

    /// When the batch was cut, the stream had handed out everything the server had sent and was
    /// at a transaction boundary: the consumer has caught up and the stream is idle. A batch with
    /// no events and this flag says so when nothing else has arrived since the last batch.
    public let isCaughtUp: Bool

    /// The row changes (inserts, updates, deletes, snapshot reads) of the batch, in order.
    public var rowChanges: [RowChange] { events.compactMap(\.rowChange) }

    /// A batch; for tests of code that handles batches.
    public init(
        events: [ChangeEvent], acknowledgeThrough: LSN?, checkpoint: Checkpoint?, startsSnapshot: Bool, snapshotTables: [Relation] = [],
        isCaughtUp: Bool
    ) {
        self.events = events
        self.acknowledgeThrough = acknowledgeThrough
        self.checkpoint = checkpoint
        self.startsSnapshot = startsSnapshot
        self.snapshotTables = snapshotTables
        self.isCaughtUp = isCaughtUp
    }
}
