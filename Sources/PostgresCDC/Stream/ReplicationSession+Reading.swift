import PGOutput

/// Reading: the next event from what waits (a gap, backfill events), the snapshot, or the server.
extension ReplicationSession {
    /// The next event. With `wait: false`, returns ``Step/idle`` at once when no data is buffered;
    /// with `wait: true`, waits for data, but at most until the next status update is due, and then
    /// returns ``Step/idle`` too.
    package func next(wait: Bool) throws(ReplicationError) -> Step {
        if let gap = pendingGap {
            pendingGap = nil
            return .event(.gap(gap))
        }
        if let backfills, backfills.hasQueuedEvents, let step = nextQueued(from: backfills) { return step }
        if let snapshot, let step = try nextSnapshotStep(snapshot, wait: wait) { return step }
        while true {
            if assembler.isReplaying {
                if let step = try step(for: try assembler.nextReplayed()) { return step }
                continue
            }
            if ended { return .end }
            let read: CopyDataRead
            do {
                read = try connection.readCopyData()
            } catch {
                throw withLastLSN(error)
            }
            switch read {
            case let .data(bytes):
                state.messageReceived(now: configuration.timeSource.monotonicNanoseconds())
                if let step = try handle(bytes) { return step }
            case .wouldBlock:
                try performDueActions()
                if !wait { return .idle }
                // Wait for data at most until the next status update or heartbeat is due, so the
                // owner regains control regularly (deadlines, shutdown) even on a silent connection.
                let time = configuration.timeSource
                let plan = state.prepareWait(
                    now: time.monotonicNanoseconds(), wallClock: time.unixMicroseconds(), latestCommitTime: assembler.latestCommitTime)
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
                loadTypes: { catalog throws(ReplicationError) in try ReplicationSetup.loadCustomTypes(into: &catalog, from: sides.catalog())
                },
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

    /// What the assembler's output means for the owner; `nil` to go on reading.
    private func step(for output: ChangeAssembler.Output) throws(ReplicationError) -> Step? {
        switch output {
        case .none:
            // The end is returned once the event that reached it is handed out.
            if assembler.hasReachedEnd { ended = true }
            if state.isStatusDue(now: configuration.timeSource.monotonicNanoseconds()) { try sendStatus(replyRequested: false) }
            return nil
        case let .event(event):
            if assembler.hasReachedEnd { ended = true }
            switch event {
            case .insert, .update, .delete:
                // The common path: backfills look at row changes only while a chunk's window is open.
                if let backfills, backfills.watchesRows { backfills.observe(event) }
                return .event(event)
            case .commit, .message:
                return try handOut(event)
            default:
                return .event(event)
            }
        case .endReached:
            ended = true
            return .end
        }
    }

    /// A commit or a message: heartbeats are dropped; backfills take their control messages and
    /// record their state at commits (handed out only when asked for).
    private func handOut(_ event: ChangeEvent) throws(ReplicationError) -> Step? {
        if case let .message(message) = event, message.transaction == nil, message.prefix == Self.heartbeatPrefix { return nil }
        guard let backfills, try backfills.consumes(event, catalog: assembler.catalog, seq: &assembler.seq) else { return .event(event) }
        return nextQueued(from: backfills)
    }

    /// What the backfills queued, next: a chunk's rows as lines in one pass when the owner writes
    /// lines (the CLI), else one event at a time.
    private func nextQueued(from backfills: BackfillRunner) -> Step? {
        if var encoder = lineEncoder, let rows = backfills.dequeueRows() {
            defer { lineEncoder = encoder }
            return .lines(encoder.encodeBackfillRows(rows))
        }
        return backfills.dequeue().map { .event($0) }
    }

    /// The next step while a snapshot is in progress; `nil` once streaming has started.
    private func nextSnapshotStep(_ phase: SnapshotPhase, wait: Bool) throws(ReplicationError) -> Step? {
        switch try phase.next(lineEncoder: lineEncoder, logger: logger) {
        case let .event(event):
            return .event(event)
        case let .lines(lines):
            return .lines(lines)
        case .awaitingDurability:
            // Waiting for the consumer to store the snapshot; do not spin.
            if wait { _ = try? connection.waitForInput(timeoutMilliseconds: 20, alsoWatching: wakeDescriptor) }
            return .idle
        case .durable:
            snapshot = nil
            guard try phase.keepSlot(configuration, on: connection, connect: sides.connect, logger: logger) else {
                ended = true
                return .end
            }
            try startStreaming(nudgingStandbys: phase.failover)
            return nil
        }
    }

    /// Applies the keyless-table policy to a description that arrived, and returns the table's
    /// primary key when the description does not tell it (looked up in the catalog).
    private func describe(_ message: RelationMessage) throws(ReplicationError) -> [String]? {
        try keyless.check(message)
        guard Relation.needsPrimaryKeyLookup(message) else { return nil }
        return try ReplicationSetup.primaryKey(of: message.oid, on: try sides.catalog())
    }
}
