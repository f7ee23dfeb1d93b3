import Logging
import PGOutput

/// One logical replication session: connects, checks and prepares the slot and publication,
/// starts pgoutput, and hands out change events one at a time, in commit order.
///
/// Pull-based: nothing is read from the server until the owner asks for the next event, so the
/// owner's pace is the backpressure. The owner confirms what it has durably stored with
/// ``confirm(through:)``; only that position is reported to the server as flushed.
///
/// An I/O shell: what is due and what the server hears is decided by ``ReplicationProtocolState``,
/// the initial snapshot steps itself (``SnapshotPhase``), backfills are decided by a
/// ``BackfillMachine`` that a ``BackfillRunner`` carries out, and the normal connections beside
/// the replication connection are ``SideConnections``.
package final class ReplicationSession {
    /// The result of asking for the next event.
    package enum Step {
        /// The next event.
        case event(ChangeEvent)
        /// Rows of the initial snapshot or of a backfill chunk already written as lines: only with a
        /// ``ReplicationSession/lineEncoder``.
        case lines(EncodedRows)
        /// Nothing more can be read right now without waiting (a good moment to flush a sink).
        case idle
        /// The end LSN was reached; every transaction committed at or before it was handed out.
        case end
    }

    /// What the server reported when the session connected.
    package let system: SystemIdentification
    /// `host:port` of the server.
    let serverAddress: String
    /// The server's WAL position as last seen (XLogData start or keepalive WAL end).
    var serverPosition: LSN { state.serverPosition }
    /// The database the session streams from.
    var databaseName: String { system.database ?? connection.databaseName }
    /// Where streaming started: the later of the slot's confirmed position and the requested start.
    package let startLSN: LSN
    /// The furthest position handed to the consumer's storage (written, perhaps not yet durable).
    var handedOutThrough: LSN { max(state.written, startLSN) }
    /// The prefix of the heartbeat messages pgcdc emits; they advance the position but are not handed out.
    static let heartbeatPrefix = "pgcdc.heartbeat"
    /// A descriptor that ends a wait when it becomes readable (a shutdown request); `nil` for none.
    package var wakeDescriptor: Int32?
    /// Set before the first ``next(wait:)`` to have the initial snapshot's rows and backfill chunks
    /// handed out as lines (``Step/lines(_:)``), a chunk at a time. The snapshot's are written by
    /// this encoder on the copying threads and here: encoding then overlaps the copy instead of
    /// following it on one thread.
    var lineEncoder: LineEncoder?

    let configuration: StreamConfiguration
    let logger: Logger
    let connection: PostgresConnection
    /// Connections beside the replication connection: catalog lookups, heartbeats, slot checks.
    let sides: SideConnections
    /// Timing and positions: what is due, what the server is told (pure; see ``ReplicationProtocolState``).
    var state: ReplicationProtocolState
    var assembler: ChangeAssembler
    /// The initial snapshot while it is being copied, then `nil`.
    var snapshot: SnapshotPhase?
    /// Backfills (PostgreSQL 14+); `nil` on older servers.
    var backfills: BackfillRunner?
    /// The ``StreamConfiguration/keylessTables`` policy, applied to every description that arrives.
    var keyless: KeylessTables
    /// The slot replaced one that could not be continued: the event to hand out first.
    var pendingGap: SlotGap?
    /// The end was reached: every later ``next(wait:)`` returns ``Step/end``.
    var ended = false

    /// Connects, checks the server, prepares the publication and the slot, and starts streaming
    /// from `resume` (by default, a fresh start as `configuration` asks).
    package init(
        configuration: StreamConfiguration, resume: ResumePoint? = nil, backfillLedger: BackfillLedger? = nil, logger: Logger
    ) throws(ReplicationError) {
        let resume = resume ?? ResumePoint(configuration)
        let primary = try PrimaryConnection.connect(configuration, resume: resume, logger: logger)
        let connection = primary.connection
        let serverAddress = connection.serverAddress
        let endpoint = ServerEndpoint(dsn: configuration.dsn, host: primary.host)
        let sides = SideConnections(
            endpoint: endpoint, slot: configuration.slot, serverAddress: serverAddress,
            retainedWALWarning: configuration.retainedWALWarning, logger: logger)
        self.configuration = configuration
        self.logger = logger
        self.connection = connection
        self.serverAddress = serverAddress
        self.system = primary.system
        self.sides = sides
        self.state = ReplicationProtocolState(settings: .init(configuration), now: configuration.timeSource.monotonicNanoseconds())
        try ReplicationSetup.checkWalLevel(connection)
        try ReplicationSetup.preparePublication(configuration, on: connection, logger: logger)
        // Types first: once a slot exports a snapshot, the next command on this connection ends the export.
        var catalog = TypeCatalog()
        try ReplicationSetup.loadCustomTypes(into: &catalog, from: connection)
        self.keyless = try KeylessTables(checking: configuration, on: connection, logger: logger)
        self.assembler = try ChangeAssembler.forStream(configuration, catalog: catalog)
        let slot = try PreparedSlot.prepare(
            configuration, resume: resume, on: connection, endpoint: endpoint, catalog: catalog, logger: logger)
        self.snapshot = slot.snapshot
        self.pendingGap = slot.gap
        // The server skips transactions that committed before the requested start; so does the
        // assembler, so a checkpoint is honoured whatever the server does.
        assembler.resumeLSN = resume.startLSN
        self.startLSN = max(resume.startLSN ?? .zero, slot.position)
        self.backfills = try BackfillRunner.start(
            configuration, requests: configuration.backfills + slot.gapBackfills,
            on: ServerVersion(host: serverAddress, majorVersion: connection.serverVersion / 10000), ledger: backfillLedger, at: startLSN,
            afterSnapshot: snapshot != nil, catalog: catalog, logger: logger,
            connect: { () throws(ReplicationError) in try sides.connect() },
            catalogConnection: { () throws(ReplicationError) in try sides.catalog() })
        // Backfills record their state at commits, whether the owner wants them or not.
        if backfills != nil { assembler.includeCommitEvents = true }
        if snapshot != nil { return }
        try startStreaming(nudgingStandbys: slot.createdFailover)
    }

    /// Whether commit events are handed out even when transaction events were not asked for
    /// (a sink that marks transaction boundaries needs them).
    var emitsCommitEvents: Bool {
        get { backfills?.handsOutCommits ?? assembler.includeCommitEvents }
        set {
            let wanted = newValue || configuration.includeTransactionEvents
            backfills?.handsOutCommits = wanted
            assembler.includeCommitEvents = wanted || backfills != nil
        }
    }

    /// Whether column values arrive in binary (decided when streaming starts; see ``StreamConfiguration/binaryValues``).
    var usesBinaryValues: Bool { assembler.binaryValues }

    /// Whether the last event handed out left no transaction open (a snapshot counts as one
    /// transaction, ended by its ``ChangeEvent/snapshotCompleted(_:)`` event).
    var isAtTransactionBoundary: Bool {
        if let snapshot { return snapshot.isComplete }
        return !assembler.isInTransaction
    }

    /// Sets (or moves) the end LSN: stop once every transaction committed at or before `lsn` was handed out.
    package func stop(at lsn: LSN) {
        assembler.endLSN = lsn
    }

    /// Where streaming may resume once every event handed out so far is stored: the end of the
    /// last complete transaction or non-transactional message, or — when no transaction was open —
    /// the WAL position of the server's last keepalive, so that a slot on a quiet publication
    /// advances while other tables are busy.
    var completedThrough: LSN {
        if let snapshot { return snapshot.isComplete ? snapshot.consistentPoint : .zero }
        return max(assembler.position, state.idlePosition)
    }

    /// Records that everything up to `lsn` (from ``completedThrough``) is durably stored; the
    /// server hears it as the flush position with the next status update.
    func confirm(through lsn: LSN) {
        state.confirm(through: lsn)
        assembler.prepared?.confirmed(through: lsn)
    }

    /// Records that everything up to `lsn` was handed to the sink, not yet durably; the server
    /// hears it as the write position.
    func noteWritten(through lsn: LSN) {
        state.noteWritten(through: lsn)
    }

    // MARK: - Snapshot

    /// Called as each table of a snapshot finishes.
    package var onSnapshotProgress: ((SnapshotProgress) -> Void)? {
        get { snapshot?.onProgress }
        set { snapshot?.onProgress = newValue }
    }

    /// Records that the consumer durably stored the snapshot (every `read` event and the
    /// completion): the session then keeps the slot and starts streaming changes.
    func snapshotDurable() {
        snapshot?.isDurable = true
    }

    /// The tables the snapshot in progress copies; `nil` when none is in progress.
    var snapshotRelations: [Relation]? { snapshot?.relations }

    /// Whether a snapshot was handed out completely and waits for ``snapshotDurable()``.
    var isAwaitingSnapshotDurability: Bool {
        snapshot.map { $0.isComplete && !$0.isDurable } ?? false
    }

    /// Sends a final status update with the confirmed position, ends the stream and disconnects.
    package func close() {
        snapshot?.reader.stop()
        snapshot = nil
        backfills?.stop()
        assembler.inProgress?.removeAll()
        try? sendStatus(replyRequested: false)
        connection.endCopy()
        connection.close()
        sides.close()
    }

    func withLastLSN(_ error: ReplicationError) -> ReplicationError {
        if case let .connectionLost(_, message, _) = error {
            return .connectionLost(host: serverAddress, message: message, lastLSN: state.serverPosition)
        }
        return error
    }
}
