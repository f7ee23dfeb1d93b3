#if canImport(Glibc)
import Glibc
#endif
import Logging
import PGOutput

/// One logical replication session: connects, checks and prepares the slot and publication,
/// starts pgoutput, and hands out change events one at a time, in commit order.
///
/// Pull-based: nothing is read from the server until the owner asks for the next event, so the
/// owner's pace is the backpressure. The owner confirms what it has durably stored with
/// ``confirm(through:)``; only that position is reported to the server as flushed.
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
    package let serverAddress: String
    /// The server's WAL position as last seen (XLogData start or keepalive WAL end).
    package var serverPosition: LSN { state.serverPosition }
    /// The database the session streams from.
    package var databaseName: String { system.database ?? connection.databaseName }
    /// Where streaming started: the later of the slot's confirmed position and the requested start.
    package let startLSN: LSN
    /// The furthest position handed to the consumer's storage (written, perhaps not yet durable).
    package var handedOutThrough: LSN { max(state.written, startLSN) }
    /// The prefix of the heartbeat messages pgcdc emits; they advance the position but are not handed out.
    package static let heartbeatPrefix = "pgcdc.heartbeat"
    /// A descriptor that ends a wait when it becomes readable (a shutdown request); `nil` for none.
    package var wakeDescriptor: Int32?

    let configuration: StreamConfiguration
    let logger: Logger
    let connection: PostgresConnection
    /// The server the session chose; helper connections go to it too.
    let endpoint: ServerEndpoint
    /// Timing and positions: what is due, what the server is told (pure; see ``ReplicationProtocolState``).
    var state: ReplicationProtocolState
    /// The initial snapshot while it is being copied, then `nil`.
    var snapshot: SnapshotPhase?
    /// Stop once the snapshot is stored (``SnapshotMode/initialOnly``).
    var endAfterSnapshot = false
    /// Called as each table of a snapshot finishes.
    package var onSnapshotProgress: ((SnapshotProgress) -> Void)?
    /// Set before the first ``next(wait:)`` to have the initial snapshot's rows and backfill chunks
    /// handed out as lines (``Step/lines(_:)``), a chunk at a time. The snapshot's are written by
    /// this encoder on the copying threads and here: encoding then overlaps the copy instead of
    /// following it on one thread.
    package var lineEncoder: LineEncoder?
    private var typeLookupConnection: PostgresConnection?
    /// Keyless tables already warned about (``StreamConfiguration/keylessTables``), by OID.
    var warnedKeylessTables: Set<UInt32> = []
    /// A normal connection for heartbeats and slot checks, opened when first needed.
    var sideConnection: PostgresConnection?
    /// When the slot's retained WAL deserves a warning.
    var retentionWatch: SlotRetentionWatch
    /// What the latest slot check found; `nil` before the first.
    package internal(set) var slotRetention: SlotRetention?
    var assembler: ChangeAssembler
    private var endPending = false
    /// The session created a failover slot; the standbys' synced copies need a nudge (see `nudgeStandbyCopies`).
    var createdFailoverSlot = false
    var ended = false
    /// Backfills (PostgreSQL 14+); `nil` on older servers.
    var backfills: BackfillEngine?
    /// Whether the owner asked for commit events (backfills need them either way, to record their state).
    var commitEventsWanted = false
    /// The slot replaced one that could not be continued: the event to hand out first.
    var pendingGap: SlotGap?
    /// With a gap recovered by backfills: the requests to send once backfills are set up.
    var gapBackfills: [BackfillRequest] = []

    /// Connects, checks the server, prepares the publication and the slot, and starts streaming
    /// from `resume` (by default, a fresh start as `configuration` asks).
    package init(
        configuration: StreamConfiguration, resume: ResumePoint? = nil, backfillLedger: BackfillLedger? = nil, logger: Logger
    ) throws(ReplicationError) {
        let resume = resume ?? ResumePoint(configuration)
        let connected = try Self.connectToPrimary(configuration, resume: resume, logger: logger)
        self.configuration = configuration
        self.logger = logger
        let connection = connected.connection
        self.connection = connection
        self.endpoint = ServerEndpoint(dsn: configuration.dsn, host: connected.host)
        self.serverAddress = connection.serverAddress
        self.system = connected.system
        self.state = ReplicationProtocolState(settings: .init(configuration), now: FileIO.monotonicNanoseconds())
        self.retentionWatch = SlotRetentionWatch(threshold: configuration.retainedWALWarning)
        try ReplicationSetup.checkWalLevel(connection)
        try ReplicationSetup.preparePublication(configuration, on: connection, logger: logger)
        // Types first: once a slot exports a snapshot, the next command on this connection ends the export.
        var catalog = TypeCatalog()
        try ReplicationSetup.loadCustomTypes(into: &catalog, from: connection)
        self.warnedKeylessTables = try Self.checkKeylessTables(configuration, on: connection, logger: logger)
        self.assembler = ChangeAssembler(
            catalog: catalog, endLSN: configuration.endLSN, includeTransactionEvents: configuration.includeTransactionEvents)
        assembler.filter = configuration.filter
        assembler.spoolMemoryLimit = configuration.maxMemory
        if configuration.twoPhase {
            guard let directory = configuration.preparedTransactionsDirectory else {
                throw .configuration(
                    ConfigurationProblem(SettingValue(.twoPhase, "true"), needs: .setting(SettingValue(.preparedTransactionsDirectory))))
            }
            assembler.prepared = try PreparedTransactionStore(directory: directory)
        }
        if configuration.streaming != .off {
            assembler.inProgress = InProgressTransactions(
                memoryLimit: configuration.maxMemory, spillDirectory: try Self.spillDirectory(configuration))
        }
        let slot = try Self.prepareSlot(configuration, resume: resume, on: connection, endpoint: endpoint, catalog: catalog, logger: logger)
        self.snapshot = slot.snapshot
        self.endAfterSnapshot = slot.endAfterSnapshot
        self.createdFailoverSlot = slot.createdFailover
        self.pendingGap = slot.gap
        self.gapBackfills = slot.gapBackfills
        // The server skips transactions that committed before the requested start; so does the
        // assembler, so a checkpoint is honoured whatever the server does.
        assembler.resumeLSN = resume.startLSN
        self.startLSN = max(resume.startLSN ?? .zero, slot.position)
        try prepareBackfills(ledger: backfillLedger)
        if snapshot != nil { return }
        try startStreaming()
    }

    /// Whether commit events are handed out even when transaction events were not asked for
    /// (a sink that marks transaction boundaries needs them).
    package var emitsCommitEvents: Bool {
        get { commitEventsWanted || configuration.includeTransactionEvents }
        set {
            commitEventsWanted = newValue
            assembler.includeCommitEvents = newValue || configuration.includeTransactionEvents || backfills != nil
        }
    }

    /// Whether the last event handed out left no transaction open (a snapshot counts as one
    /// transaction, ended by its ``ChangeEvent/snapshotCompleted(_:)`` event).
    package var isAtTransactionBoundary: Bool {
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
    package var completedThrough: LSN {
        if let snapshot { return snapshot.isComplete ? snapshot.consistentPoint : .zero }
        return max(assembler.position, state.idlePosition)
    }

    /// Records that everything up to `lsn` (from ``completedThrough``) is durably stored; the
    /// server hears it as the flush position with the next status update.
    package func confirm(through lsn: LSN) {
        state.confirm(through: lsn)
        assembler.prepared?.confirmed(through: lsn)
    }

    /// Records that everything up to `lsn` was handed to the sink, not yet durably; the server
    /// hears it as the write position.
    package func noteWritten(through lsn: LSN) {
        state.noteWritten(through: lsn)
    }

    /// The next event. With `wait: false`, returns ``Step/idle`` at once when no data is buffered;
    /// with `wait: true`, waits for data, but at most until the next status update is due, and then
    /// returns ``Step/idle`` too.
    package func next(wait: Bool) throws(ReplicationError) -> Step {
        if let gap = pendingGap {
            pendingGap = nil
            return .event(.gap(gap))
        }
        if let backfills, backfills.hasQueuedEvents, let step = nextQueued(from: backfills) { return step }
        if snapshot != nil, let step = try nextSnapshotStep(wait: wait) { return step }
        while true {
            if assembler.isReplaying {
                if let step = try step(for: try assembler.nextReplayed()) { return step }
                continue
            }
            if ended { return .end }
            if endPending {
                ended = true
                return .end
            }
            let read: CopyDataRead
            do {
                read = try connection.readCopyData()
            } catch {
                throw withLastLSN(error)
            }
            switch read {
            case let .data(bytes):
                state.messageReceived(now: FileIO.monotonicNanoseconds())
                if let step = try handle(bytes) { return step }
            case .wouldBlock:
                try performDueActions()
                try performDueBackfillWork()
                if !wait { return .idle }
                // Wait for data at most until the next status update or heartbeat is due, so the
                // owner regains control regularly (deadlines, shutdown) even on a silent connection.
                let plan = state.prepareWait(
                    now: FileIO.monotonicNanoseconds(), wallClock: Self.now().unixMicroseconds, latestCommitTime: assembler.latestCommitTime
                )
                if let watermark = plan.receiveLowWatermark { connection.setReceiveLowWatermark(watermark) }
                switch try connection.waitForInput(timeoutMilliseconds: plan.milliseconds, alsoWatching: wakeDescriptor) {
                case .socketReadable:
                    continue
                case .woken:
                    return .idle
                case .timedOut:
                    try performDueActions()
                    return .idle
                }
            case .copyDone:
                throw .connectionLost(
                    host: serverAddress, message: "the server ended the replication stream", lastLSN: state.serverPosition)
            }
        }
    }

    /// Sends a final status update with the confirmed position, ends the stream and disconnects.
    package func close() {
        snapshot?.reader.stop()
        snapshot = nil
        backfills?.reader.stop()
        assembler.inProgress?.removeAll()
        try? sendStatus(replyRequested: false)
        connection.endCopy()
        connection.close()
        typeLookupConnection?.close()
        sideConnection?.close()
    }

    // MARK: - Messages

    private func handle(_ bytes: [UInt8]) throws(ReplicationError) -> Step? {
        let message: ReplicationMessage
        do {
            message = try ReplicationMessage.decode(bytes[...])
        } catch {
            throw .decoding(error, lsn: state.serverPosition)
        }
        switch message {
        case let .xLogData(data):
            state.dataReceived(walStart: data.walStart)
            let output = try assembler.decode(
                data.data, at: data.walStart,
                loadTypes: { catalog throws(ReplicationError) in try loadCustomTypes(into: &catalog) },
                describeRelation: { message throws(ReplicationError) in try describe(message) })
            return try step(for: output)
        case let .primaryKeepalive(keepalive):
            // Between transactions, everything before the server's position was sent: once the
            // owner stored what it was handed, that position may be confirmed.
            let action = state.keepaliveReceived(
                walEnd: keepalive.walEnd, replyRequested: keepalive.replyRequested, betweenTransactions: !assembler.isInTransaction
            )
            try perform(action)
            if assembler.keepaliveReachesEnd(keepalive.walEnd) {
                ended = true
                return .end
            }
            return nil
        }
    }

    /// What the backfills queued, next: a chunk's rows as lines in one pass when the owner writes
    /// lines (the CLI), else one event at a time.
    private func nextQueued(from backfills: BackfillEngine) -> Step? {
        if var encoder = lineEncoder, let rows = backfills.dequeueRows() {
            defer { lineEncoder = encoder }
            return .lines(encoder.encodeBackfillRows(rows))
        }
        return backfills.dequeue().map { .event($0) }
    }

    /// What the assembler's output means for the owner; `nil` to go on reading.
    private func step(for output: ChangeAssembler.Output) throws(ReplicationError) -> Step? {
        switch output {
        case .none:
            if assembler.hasReachedEnd { endPending = true }
            if state.isStatusDue(now: FileIO.monotonicNanoseconds()) { try sendStatus(replyRequested: false) }
            return nil
        case let .event(event):
            if assembler.hasReachedEnd { endPending = true }
            if case let .message(message) = event, message.transaction == nil, message.prefix == Self.heartbeatPrefix {
                return nil
            }
            if let backfills, try backfillConsumes(event, engine: backfills) {
                return nextQueued(from: backfills)
            }
            return .event(event)
        case .endReached:
            ended = true
            return .end
        }
    }

    /// Loads custom types the catalog does not know yet (created after the session started),
    /// through a second, normal connection: the replication connection is busy streaming.
    private func loadCustomTypes(into catalog: inout TypeCatalog) throws(ReplicationError) {
        try ReplicationSetup.loadCustomTypes(into: &catalog, from: try catalogConnection())
    }

    /// The normal connection for catalog lookups while streaming (opened on first use).
    func catalogConnection() throws(ReplicationError) -> PostgresConnection {
        if let typeLookupConnection { return typeLookupConnection }
        let opened = try endpoint.connect(replication: false)
        typeLookupConnection = opened
        return opened
    }

    func withLastLSN(_ error: ReplicationError) -> ReplicationError {
        if case let .connectionLost(_, message, _) = error {
            return .connectionLost(host: serverAddress, message: message, lastLSN: state.serverPosition)
        }
        return error
    }

    static func now() -> PostgresTimestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return PostgresTimestamp(unixMicroseconds: Int64(spec.tv_sec) &* 1_000_000 &+ Int64(spec.tv_nsec / 1000))
    }
}
