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
    package var serverPosition: LSN { lastReceivedLSN }
    /// The database the session streams from.
    package var databaseName: String { system.database ?? connection.databaseName }
    /// Where streaming started: the later of the slot's confirmed position and the requested start.
    package let startLSN: LSN
    /// The furthest position handed to the consumer's storage (written, perhaps not yet durable).
    package var handedOutThrough: LSN { max(writtenLSN, startLSN) }
    /// The prefix of the heartbeat messages pgcdc emits; they advance the position but are not handed out.
    package static let heartbeatPrefix = "pgcdc.heartbeat"
    /// A descriptor that ends a wait when it becomes readable (a shutdown request); `nil` for none.
    package var wakeDescriptor: Int32?

    let configuration: StreamConfiguration
    let logger: Logger
    let connection: PostgresConnection
    /// The initial snapshot while it is being copied, then `nil`.
    var snapshot: SnapshotPhase?
    /// Called as each table of a snapshot finishes.
    package var onSnapshotProgress: ((SnapshotProgress) -> Void)?
    private var typeLookupConnection: PostgresConnection?
    var heartbeatConnection: PostgresConnection?
    var assembler: ChangeAssembler
    var confirmedLSN: LSN
    var writtenLSN: LSN = .zero
    var idlePosition: LSN = .zero
    var lastReceivedLSN: LSN = .zero
    /// When the last CopyData message arrived (monotonic ns), and whether a reply was asked for since.
    var lastServerMessageAt: UInt64 = FileIO.monotonicNanoseconds()
    var replyRequestedSinceMessage = false
    var nextStatusDue: UInt64 = 0
    var nextHeartbeatDue: UInt64 = .max
    private var endPending = false
    /// Messages read since the last wait, and whether waits currently batch (see `adjustBatching`).
    private var messagesSinceWait = 0
    private var batching = false
    static let busyBurst = 32
    static let behindMicroseconds: Int64 = 100_000
    /// The commit time (Unix microseconds) of the latest transaction whose messages arrived.
    private var latestCommitTime: Int64 = 0
    static let batchingLowWatermark: Int32 = 1 << 20
    static let batchingWaitMilliseconds: Int32 = 10
    /// The session created a failover slot; the standbys' synced copies need a nudge (see `nudgeStandbyCopies`).
    var createdFailoverSlot = false
    var ended = false

    /// Connects, checks the server, prepares the publication and the slot, and starts streaming.
    package init(configuration: StreamConfiguration, logger: Logger) throws(ReplicationError) {
        let connected = try Self.connectToPrimary(configuration, logger: logger)
        var configuration = configuration
        configuration.chosenHost = connected.host
        self.configuration = configuration
        self.logger = logger
        let connection = connected.connection
        self.connection = connection
        self.serverAddress = connection.serverAddress
        self.system = connected.system
        try ReplicationSetup.checkWalLevel(connection)
        try ReplicationSetup.preparePublication(configuration, on: connection, logger: logger)
        // Types first: once a slot exports a snapshot, the next command on this connection ends the export.
        var catalog = TypeCatalog()
        try ReplicationSetup.loadCustomTypes(into: &catalog, from: connection)
        self.assembler = ChangeAssembler(catalog: catalog, endLSN: configuration.endLSN, includeTransactionEvents: configuration.includeTransactionEvents)
        assembler.filter = configuration.filter
        assembler.spoolMemoryLimit = configuration.maxMemory
        if configuration.twoPhase {
            guard let directory = configuration.preparedTransactionsDirectory else {
                throw .invalidOption("two-phase decoding needs a directory for prepared transactions (beside the checkpoint)")
            }
            assembler.prepared = try PreparedTransactionStore(directory: directory)
        }
        if configuration.streaming != .off {
            assembler.inProgress = InProgressTransactions(memoryLimit: configuration.maxMemory, spillDirectory: try Self.spillDirectory(configuration))
        }
        var existing = try ReplicationSetup.inspectSlot(configuration, on: connection)
        var droppedForGap = false
        if let slot = existing, let gap = ReplicationSetup.gap(in: slot, configuration: configuration) {
            let stored = configuration.resumePosition ?? slot.confirmedFlush
            guard configuration.onGap == .resnapshot else {
                throw .slotGap(slot: configuration.slot, reason: gap, lsn: stored, host: connection.serverAddress)
            }
            logger.warning("slot cannot be continued: dropping and re-creating it with a new snapshot (--on-gap resnapshot)", metadata: [
                "slot": "\(configuration.slot)", "reason": "\(gap)", "lsn": "\(stored)", "host": "\(connection.serverAddress)",
            ])
            try connection.dropReplicationSlot(configuration.slot)
            existing = nil
            droppedForGap = true
        }
        let slotPosition: LSN
        if let existing {
            if configuration.snapshot == .initial || configuration.snapshot == .initialOnly {
                throw .invalidOption("--snapshot \(configuration.snapshot?.rawValue ?? "") needs a new slot, and \"\(configuration.slot)\" exists: drop it (pgcdc slot drop) or use --snapshot never")
            }
            if existing.failover == false && configuration.failoverSlot {
                logger.warning("slot is not a failover slot: a promoted standby will not have it", metadata: [
                    "slot": "\(configuration.slot)", "host": "\(connection.serverAddress)",
                    "fix": "ALTER_REPLICATION_SLOT \(configuration.slot) (FAILOVER true) on a replication connection, or pg_alter_replication_slot",
                ])
            }
            slotPosition = existing.confirmedFlush
        } else {
            var configuration = configuration
            if droppedForGap {
                configuration.createSlot = true
                configuration.snapshot = .initial
            } else if let stored = configuration.resumePosition, stored > .zero, !configuration.temporarySlot {
                guard configuration.onGap == .resnapshot else {
                    throw .slotMissing(slot: configuration.slot, lsn: stored, host: connection.serverAddress)
                }
                logger.warning("slot missing: re-creating it with a new snapshot (--on-gap resnapshot)", metadata: [
                    "slot": "\(configuration.slot)", "lsn": "\(stored)", "host": "\(connection.serverAddress)",
                ])
                configuration.createSlot = true
                configuration.snapshot = .initial
            }
            guard configuration.createSlot || configuration.temporarySlot else {
                throw .slotNotFound(slot: configuration.slot, host: connection.serverAddress)
            }
            let failover = configuration.failoverSlot && !configuration.temporarySlot && connection.serverVersion >= 170000
            if configuration.snapshot == .never {
                slotPosition = try connection.createLogicalSlot(configuration.slot, temporary: configuration.temporarySlot, failover: failover)
                logger.info("created replication slot", metadata: ["slot": "\(configuration.slot)", "temporary": "\(configuration.temporarySlot)", "failover": "\(failover)", "lsn": "\(slotPosition)", "host": "\(connection.serverAddress)"])
            } else {
                let phase = try SnapshotPhase(configuration: configuration, connection: connection, catalog: catalog, logger: logger)
                slotPosition = phase.consistentPoint
                self.snapshot = phase
            }
            createdFailoverSlot = failover
        }
        // The server skips transactions that committed before the requested start; so does the
        // assembler, so a checkpoint is honoured whatever the server does.
        assembler.resumeLSN = configuration.startLSN
        self.startLSN = max(configuration.startLSN ?? .zero, slotPosition)
        self.confirmedLSN = .zero
        if snapshot != nil { return }
        try startStreaming()
    }

    /// Whether commit events are handed out even when transaction events were not asked for
    /// (a sink that marks transaction boundaries needs them).
    package var emitsCommitEvents: Bool {
        get { assembler.includeCommitEvents }
        set { assembler.includeCommitEvents = newValue || configuration.includeTransactionEvents }
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
        return max(assembler.position, idlePosition)
    }

    /// Records that everything up to `lsn` (from ``completedThrough``) is durably stored; the
    /// server hears it as the flush position with the next status update.
    package func confirm(through lsn: LSN) {
        if lsn > confirmedLSN { confirmedLSN = lsn }
        assembler.prepared?.confirmed(through: lsn)
        if lsn > writtenLSN { writtenLSN = lsn }
    }

    /// Records that everything up to `lsn` was handed to the sink, not yet durably; the server
    /// hears it as the write position.
    package func noteWritten(through lsn: LSN) {
        if lsn > writtenLSN { writtenLSN = lsn }
    }

    /// The next event. With `wait: false`, returns ``Step/idle`` at once when no data is buffered;
    /// with `wait: true`, waits for data, but at most until the next status update is due, and then
    /// returns ``Step/idle`` too.
    package func next(wait: Bool) throws(ReplicationError) -> Step {
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
                messagesSinceWait += 1
                lastServerMessageAt = FileIO.monotonicNanoseconds()
                replyRequestedSinceMessage = false
                if let step = try handle(bytes) { return step }
            case .wouldBlock:
                try sendStatusIfDue()
                sendHeartbeatIfDue()
                try checkServerSilence()
                if !wait { return .idle }
                adjustBatching()
                // Wait for data at most until the next status update or heartbeat is due, so the
                // owner regains control regularly (deadlines, shutdown) even on a silent connection.
                let timeout = batching ? min(millisecondsUntilDue(), Self.batchingWaitMilliseconds) : millisecondsUntilDue()
                switch try connection.waitForInput(timeoutMilliseconds: timeout, alsoWatching: wakeDescriptor) {
                case .socketReadable:
                    continue
                case .woken:
                    return .idle
                case .timedOut:
                    try sendStatusIfDue()
                    sendHeartbeatIfDue()
                    return .idle
                }
            case .copyDone:
                throw .connectionLost(host: serverAddress, message: "the server ended the replication stream", lastLSN: lastReceivedLSN)
            }
        }
    }

    /// Sends a final status update with the confirmed position, ends the stream and disconnects.
    package func close() {
        snapshot?.reader.stop()
        snapshot = nil
        assembler.inProgress?.removeAll()
        try? sendStatus(replyRequested: false)
        connection.endCopy()
        connection.close()
        typeLookupConnection?.close()
        heartbeatConnection?.close()
    }

    // MARK: - Messages

    private func handle(_ bytes: [UInt8]) throws(ReplicationError) -> Step? {
        let message: ReplicationMessage
        do {
            message = try ReplicationMessage.decode(bytes[...])
        } catch {
            throw .decoding(error, lsn: lastReceivedLSN)
        }
        switch message {
        case let .xLogData(data):
            if data.walStart > lastReceivedLSN { lastReceivedLSN = data.walStart }
            let output = try assembler.decode(data.data, at: data.walStart) { catalog throws(ReplicationError) in
                try loadCustomTypes(into: &catalog)
            }
            latestCommitTime = assembler.latestCommitTime
            return try step(for: output)
        case let .primaryKeepalive(keepalive):
            if keepalive.walEnd > lastReceivedLSN { lastReceivedLSN = keepalive.walEnd }
            // Between transactions, everything before the server's position was sent: once the
            // owner stored what it was handed, that position may be confirmed.
            if !assembler.isInTransaction && keepalive.walEnd > idlePosition { idlePosition = keepalive.walEnd }
            if keepalive.replyRequested { try sendStatus(replyRequested: false) }
            if assembler.keepaliveReachesEnd(keepalive.walEnd) {
                ended = true
                return .end
            }
            return nil
        }
    }

    /// While the server streams faster than pgcdc waits (a backlog), wake only once 1 MiB is
    /// queued, or after 10 ms: each wake-up costs both processes a context switch, and waking per
    /// small send made most of pgcdc's CPU time system time and cost the walsender nearly half of
    /// its own (measured: 1,000,000 rows drained in 2.9 s instead of 6.3 s; 64 KiB / 2 ms gave 3.7 s).
    /// Only while pgcdc is behind — the transactions it reads committed over 100 ms ago — so a
    /// stream that keeps up is never delayed, however busy; when behind, a line waits at most 10 ms
    /// longer. A quiet stream (a burst of few messages) goes back to waking on every byte.
    private func adjustBatching() {
        let behind = Self.now().unixMicroseconds &- latestCommitTime > Self.behindMicroseconds
        let busy = behind && messagesSinceWait >= Self.busyBurst
        messagesSinceWait = 0
        guard busy != batching else { return }
        batching = busy
        connection.setReceiveLowWatermark(busy ? Self.batchingLowWatermark : 1)
    }

    /// What the assembler's output means for the owner; `nil` to go on reading.
    private func step(for output: ChangeAssembler.Output) throws(ReplicationError) -> Step? {
        switch output {
        case .none:
            if assembler.hasReachedEnd { endPending = true }
            if nextStatusDue <= FileIO.monotonicNanoseconds() { try sendStatus(replyRequested: false) }
            return nil
        case let .event(event):
            if assembler.hasReachedEnd { endPending = true }
            if case let .message(message) = event, message.transaction == nil, message.prefix == Self.heartbeatPrefix {
                return nil
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
        if typeLookupConnection == nil {
            typeLookupConnection = try configuration.connect(replication: false)
        }
        guard let lookup = typeLookupConnection else { return }
        try ReplicationSetup.loadCustomTypes(into: &catalog, from: lookup)
    }

    func withLastLSN(_ error: ReplicationError) -> ReplicationError {
        if case let .connectionLost(_, message, _) = error {
            return .connectionLost(host: serverAddress, message: message, lastLSN: lastReceivedLSN)
        }
        return error
    }

    static func now() -> PostgresTimestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return PostgresTimestamp(unixMicroseconds: Int64(spec.tv_sec) &* 1_000_000 &+ Int64(spec.tv_nsec / 1000))
    }
}
