import PGOutput

/// What a ``ChangeStream`` keeps beside its buffer, under the same lock: how far the consumer
/// received and acknowledged the events, how far the reader pushed them, and what the reader
/// learned on connecting.
struct ChangeStreamLedger: HandoffLedger {
    /// The consumer stored everything up to here (``ChangeStream/acknowledge(through:)``).
    var acknowledged: LSN = .zero
    /// The consumer received every event up to here (whole transactions, non-transactional
    /// messages, a snapshot's completion).
    var delivered: LSN = .zero
    /// The reader pushed everything up to this transaction boundary.
    var pushedThrough: LSN = .zero
    /// The consumer received a snapshot's completion.
    var snapshotDelivered = false
    /// The server's identity, once connected.
    var system: SystemIdentification?
    /// The tables of the latest snapshot the reader started handing out.
    var snapshotTables: [Relation] = []
    /// The reader thread was started.
    var started = false
    /// The reader thread closed the connection.
    var closed = false
    /// Tasks waiting for ``closed``.
    var closeWaiters: [CheckedContinuation<Void, Never>] = []

    /// Notes how far the consumer received.
    mutating func handedOut(_ event: ChangeEvent) {
        switch event {
        case let .commit(commit): if commit.endLSN > delivered { delivered = commit.endLSN }
        case let .message(message) where message.transaction == nil: if message.lsn > delivered { delivered = message.lsn }
        case let .snapshotCompleted(summary):
            snapshotDelivered = true
            if summary.consistentPoint > delivered { delivered = summary.consistentPoint }
        default: break
        }
    }
}
