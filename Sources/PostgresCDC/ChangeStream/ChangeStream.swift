import Logging
import PGOutput

/// The changes of a publication as an `AsyncSequence` of typed events, in commit order, for a
/// program that stores them itself and says what it stored.
///
/// ```swift
/// let stream = ChangeStream(configuration: configuration, checkpointStore: FileCheckpointStore(path: "cp.json"))
/// for try await event in stream {
///     switch event {
///     case let .insert(change), let .update(change), let .delete(change):
///         try store(change)                            // your code
///     case let .commit(commit): try await stream.acknowledge(commit)
///     default: break
///     }
/// }
/// ```
///
/// - ``run(maxEvents:maxDelay:linger:isolation:_:)`` hands out ``ChangeBatch``es of whole transactions and
///   acknowledges each when its handler returns: the simplest way not to lose or stall anything.
/// - Every transaction ends with a ``ChangeEvent/commit(_:)`` event (begin events only with
///   ``StreamConfiguration/includeTransactionEvents``).
/// - Nothing is confirmed to the server, and no checkpoint saved, before ``acknowledge(through:)``:
///   after a crash, the stream resumes after the last acknowledged transaction.
/// - A dedicated thread owns the replication connection and reads ahead at most `readAhead`
///   events; while the consumer is slower, it stops reading (backpressure).
/// - Cancelling the iterating task, or ``stop()``, ends the stream: the iterator returns `nil`.
///   Errors are thrown by the iterator: ``ReplicationError`` (whose ``ReplicationError/decoding(_:lsn:)``
///   carries the decoder's `PGOutputError`) and ``CheckpointError``.
public final class ChangeStream: AsyncSequence, Sendable {
    /// The stream's events.
    public typealias Element = ChangeEvent

    private let core: ChangeStreamCore

    /// A stream that connects when iteration starts. With a `checkpointStore`, it resumes after
    /// the stored checkpoint; with `checkpointSaving` ``CheckpointSaving/byStream`` (the default)
    /// it saves one on every ``acknowledge(through:)``, with ``CheckpointSaving/byHandler`` the
    /// consumer stores each batch's ``ChangeBatch/checkpoint`` in its own transaction and the
    /// stream writes nothing (see <doc:CheckpointStores>).
    ///
    /// When the connection is lost after streaming started, the stream reconnects by itself
    /// following `reconnect` (`nil`: the iterator throws the error at once) — to whichever host of
    /// the DSN is the primary, with the failover checks of every connect — and continues after the
    /// last transaction the consumer received whole: a transaction it was in the middle of starts
    /// again from its first change (recognise repeats by `(commit LSN, seq)`).
    public init(
        configuration: StreamConfiguration,
        checkpointStore: (any CheckpointStore)? = nil,
        checkpointSaving: CheckpointSaving = .byStream,
        readAhead: Int = 1024,
        reconnect: ReconnectPolicy? = ReconnectPolicy(),
        logger: Logger = Logger(label: "pgcdc")
    ) {
        core = ChangeStreamCore(
            configuration: configuration, checkpointStore: checkpointStore, checkpointSaving: checkpointSaving,
            readAhead: Swift.max(1, readAhead), reconnect: reconnect, logger: logger)
    }

    deinit {
        core.stop()
    }

    /// Starts streaming (once) and returns the iterator; iterate a stream from one task only.
    public func makeAsyncIterator() -> Iterator {
        core.start()
        return Iterator(stream: self)
    }

    /// Pulls the stream's events. It keeps its stream alive: `for try await event in ChangeStream(…)`
    /// iterates a stream nothing else holds.
    public struct Iterator: AsyncIteratorProtocol {
        /// The stream; while an iterator holds it, its `deinit` does not stop it.
        let stream: ChangeStream
        var core: ChangeStreamCore { stream.core }

        /// The next event; `nil` once the end LSN was reached or the stream was stopped or cancelled.
        public mutating func next() async throws -> ChangeEvent? {
            try await core.next()
        }
    }

    /// The events in batches of whole transactions: a batch is handed out once it holds
    /// `maxEvents` events, `maxDelay` after its first event, when the stream has caught up, or when
    /// a snapshot starts or completes — always at a transaction boundary (see ``ChangeBatch``).
    /// Acknowledge each batch's ``ChangeBatch/acknowledgeThrough`` once it is stored, or let
    /// ``run(maxEvents:maxDelay:linger:isolation:_:)`` do it.
    ///
    /// A stream that has caught up hands out what it has at once — about one transaction per
    /// batch under a trickle of writes. With `linger`, a caught-up batch waits until `linger` after
    /// its first event for more transactions (never past `maxDelay`, never past `maxEvents`): fewer,
    /// larger batches — fewer target transactions — for at most `linger` more latency.
    public func batches(maxEvents: Int = 1_000, maxDelay: Duration = .milliseconds(200), linger: Duration = .zero) -> ChangeBatches {
        ChangeBatches(stream: self, maxEvents: maxEvents, maxDelay: maxDelay, linger: linger)
    }

    /// Hands every batch to `handle` and acknowledges it when `handle` returns: store the batch
    /// (durably) before returning, and nothing is lost and nothing needs acknowledging by hand —
    /// snapshots included. An error thrown by `handle` ends the run unacknowledged (the batch comes
    /// again from a new stream). Returns when the stream ends, is stopped, or the task is cancelled.
    ///
    /// ```swift
    /// try await stream.run { batch in
    ///     if batch.startsSnapshot { try await target.clear() }   // your code
    ///     try await target.store(batch.rowChanges)               // your code
    /// }
    /// ```
    ///
    /// `maxEvents`, `maxDelay` and `linger` shape the batches as for ``batches(maxEvents:maxDelay:linger:)``.
    public func run(
        maxEvents: Int = 1_000, maxDelay: Duration = .milliseconds(200), linger: Duration = .zero,
        isolation: isolated (any Actor)? = #isolation, _ handle: (ChangeBatch) async throws -> Void
    ) async throws {
        var iterator = batches(maxEvents: maxEvents, maxDelay: maxDelay, linger: linger).makeAsyncIterator()
        while let batch = try await iterator.next() {
            try await handle(batch)
            if let lsn = batch.acknowledgeThrough { try await acknowledge(through: lsn) }
        }
    }

    /// Ends a ``run(maxEvents:maxDelay:linger:isolation:_:)`` or batch iteration after the batch in hand (which is
    /// still acknowledged), without handing out what was read ahead; ``close()`` then ends the stream.
    func endIteration() {
        core.endIteration()
    }

    /// Records that every event up to `lsn` — a ``CommitEvent/endLSN``, or a non-transactional
    /// message's LSN — is stored: saves the checkpoint (when there is a store), then lets the
    /// server release WAL up to there. Acknowledging beyond what was handed out throws
    /// ``ChangeStreamError/acknowledgedAhead(_:deliveredThrough:)``.
    public func acknowledge(through lsn: LSN) async throws {
        try await core.acknowledge(through: lsn)
    }

    /// Acknowledges a transaction and everything before it.
    public func acknowledge(_ commit: CommitEvent) async throws {
        try await acknowledge(through: commit.endLSN)
    }

    /// The checkpoint for position `lsn` on this stream's slot and server (for a store that the
    /// consumer writes itself, such as ``PostgresCheckpointStore/commit(_:applying:)``).
    public func checkpoint(through lsn: LSN) throws -> Checkpoint {
        try core.checkpoint(through: lsn)
    }

    /// Asks this stream to backfill `request`'s table (PostgreSQL 14+) while it keeps streaming;
    /// returns the request's id. The request is checked (the table exists and has a primary key,
    /// the condition is valid) and written into the WAL through a connection of its own
    /// (``BackfillControl/request(_:slot:dsn:)``), so the stream meets it in commit order. Its rows
    /// arrive as ``ChangeEvent/read(_:)`` events with ``RowChange/backfill`` set, between a
    /// ``ChangeEvent/backfill(_:)`` event of kind ``BackfillEvent/Kind/started`` and one that ends it.
    /// Set ``StreamConfiguration/backfillStatePath`` for backfills that survive a restart.
    @discardableResult
    public func requestBackfill(_ request: BackfillRequest) async throws -> String {
        let configuration = core.configuration
        try await BlockingIO.run { try BackfillControl.request(request, slot: configuration.slot, dsn: configuration.dsn) }
        return request.id
    }

    /// Asks this stream to stop backfill `id`: a ``ChangeEvent/backfill(_:)`` event of kind
    /// ``BackfillEvent/Kind/cancelled`` follows (an id the stream does not run is ignored).
    public func cancelBackfill(id: String) async throws {
        let configuration = core.configuration
        try await BlockingIO.run { try BackfillControl.cancel(id: id, slot: configuration.slot, dsn: configuration.dsn) }
    }

    /// Events read from the server and not yet handed out (at most `readAhead`).
    var bufferedEventCount: Int { core.bufferedEventCount }

    /// The server's identity, once connected.
    public var system: SystemIdentification? { core.system }

    /// Ends the stream: the iterator returns `nil`, and the connection closes (in the background)
    /// after telling the server what was acknowledged.
    public func stop() {
        core.stop()
    }

    /// Ends the stream like ``stop()`` and returns once the connection is closed and the slot
    /// released — before a new stream on the same slot starts.
    public func close() async {
        core.markClosed()
        await core.waitUntilClosed()
    }
}

/// A misuse of a ``ChangeStream``.
public enum ChangeStreamError: Error, Sendable, Hashable, CustomStringConvertible {
    /// An acknowledgement named a position past what the stream handed out: confirming it
    /// could lose changes that were never delivered.
    case acknowledgedAhead(LSN, deliveredThrough: LSN)
    /// The stream has not connected yet (no event was delivered), so there is nothing to acknowledge.
    case notConnected
    /// The stream was closed with ``ChangeStream/close()``: it hands out nothing more and takes no
    /// acknowledgement (start a new stream on the same store to continue).
    case closed
    /// With ``CheckpointSaving/byHandler``, the first acknowledgement named `lsn` but the store
    /// holds only `stored` (`nil`: nothing): the handler does not store the batch's checkpoint.
    case checkpointNotStored(LSN, stored: LSN?)

    public var description: String {
        switch self {
        case let .acknowledgedAhead(lsn, delivered):
            return "cannot acknowledge \(lsn): the stream has handed out events only through \(delivered)"
        case .notConnected:
            return "the stream has not connected yet"
        case .closed:
            return "the stream was closed; start a new one to continue"
        case let .checkpointNotStored(lsn, stored):
            return "cannot acknowledge \(lsn): with checkpointSaving .byHandler the handler stores each batch's checkpoint before it is "
                + "acknowledged, but the checkpoint store holds \(stored.map { "only \($0)" } ?? "none"); store batch.checkpoint in the "
                + "handler's transaction, or use checkpointSaving .byStream"
        }
    }
}
