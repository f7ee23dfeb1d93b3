import Logging
import PGOutput

/// Backfills in the session: requests and watermarks met in the stream (logical decoding
/// messages, see ``BackfillMessage``) turned into `backfill` and `read` events in stream order.
extension ReplicationSession {
    /// Sets up backfills (PostgreSQL 14+, whose pgoutput sends logical decoding messages): the
    /// state as of where streaming starts, a reader resuming every backfill in progress, and the
    /// configuration's requests that the stream has not run yet.
    func prepareBackfills(ledger given: BackfillLedger?) throws(ReplicationError) {
        guard connection.serverVersion >= 140000 else {
            if !configuration.backfills.isEmpty || configuration.backfillNewTables {
                throw .configuration(
                    ConfigurationProblem(
                        SettingValue(.backfills, configuration.backfills.map(\.table).joined(separator: ",")), needs: .server(minimum: 14),
                        server: ServerVersion(host: serverAddress, majorVersion: connection.serverVersion / 10000)))
            }
            return
        }
        let ledger: BackfillLedger
        if let given { ledger = given } else { ledger = try BackfillLedger(path: configuration.backfillStatePath) }
        var state = try ledger.resume(at: startLSN)
        if snapshot != nil && !state.active.isEmpty {
            // A new snapshot copies every row: what earlier backfills had left to read is in it.
            for progress in state.active { state.finish(progress.request.id) }
        }
        let endpoint = endpoint
        let reader = BackfillReader(
            slot: configuration.slot, publication: configuration.publication, filter: configuration.filter,
            binaryValues: configuration.binaryValues, rowsPerSecond: configuration.backfillRowsPerSecond, logger: logger,
            connect: { () throws(ReplicationError) in try endpoint.connect(replication: false) })
        let engine = BackfillEngine(ledger: ledger, state: state, reader: reader)
        backfills = engine
        assembler.includeCommitEvents = true
        for progress in state.active {
            logger.info(
                "resuming backfill",
                metadata: ["backfill": "\(progress.request.id)", "table": "\(progress.request.table)", "rows": "\(progress.rows)"])
            reader.start(progress, catalog: assembler.catalog)
        }
        if configuration.backfillNewTables && state.knownTables == nil {
            engine.state.knownTables = try publishedTables().map(\.name).sorted()
            engine.isDirty = true
        }
        for request in configuration.backfills + gapBackfills where !engine.state.knows(request.id) {
            try send(.start(slot: configuration.slot, request))
        }
    }

    /// Writes `message` into the WAL (its own transaction), through the catalog connection.
    func send(_ message: BackfillMessage) throws(ReplicationError) {
        try catalogConnection().emitLogicalMessage(prefix: message.prefix, content: message.content, transactional: true)
    }

    /// The tables of the publication the stream's filters keep.
    private func publishedTables() throws(ReplicationError) -> [ReplicationSetup.PublishedTable] {
        try ReplicationSetup.publishedTables(configuration, on: catalogConnection())
    }

    /// What the session does with an event the assembler handed out, for backfills: `true` when
    /// the event is consumed (a control message, or a commit only recorded), its place taken by
    /// whatever the engine queued.
    func backfillConsumes(_ event: ChangeEvent, engine: BackfillEngine) throws(ReplicationError) -> Bool {
        switch event {
        case let .insert(change), let .update(change), let .delete(change):
            if !engine.windows.isEmpty { engine.windows.observe(change) }
            return false
        case let .commit(commit):
            engine.windows.noteHandedOut(commit.transaction.xid)
            if engine.isDirty {
                try engine.ledger.record(engine.state, at: commit.endLSN)
                engine.isDirty = false
            }
            return !(commitEventsWanted || configuration.includeTransactionEvents)
        case let .message(message):
            if BackfillMessage.isControl(prefix: message.prefix) {
                try handleControl(message, engine: engine)
                return true
            }
            return !configuration.includeMessages
        default:
            return false
        }
    }

    private func handleControl(_ event: LogicalDecodingMessageEvent, engine: BackfillEngine) throws(ReplicationError) {
        guard let message = BackfillMessage(prefix: event.prefix, content: event.content), message.slot == configuration.slot else {
            return
        }
        guard let transaction = event.transaction else {
            logger.warning("ignoring a backfill message outside a transaction", metadata: ["lsn": "\(event.lsn)"])
            return
        }
        func queue(_ kind: BackfillEvent.Kind, _ progress: BackfillProgress, reason: String? = nil) {
            let request = progress.request
            engine.queue.append(
                .event(
                    .backfill(
                        BackfillEvent(
                            kind: kind, id: request.id, table: request.table, whereClause: request.whereClause, rows: progress.rows,
                            estimatedRows: progress.estimatedRows, reason: reason, transaction: transaction, seq: nextBackfillSeq(),
                            lsn: event.lsn))))
        }
        switch message {
        case let .start(_, request):
            guard !engine.state.knows(request.id) else { return }
            if let known = engine.state.knownTables, !known.contains(request.table) {
                engine.state.knownTables = known + [request.table]
                engine.isDirty = true
            }
            let checked = try check(request)
            let progress = BackfillProgress(request: request, estimatedRows: checked.estimatedRows)
            if let refusal = checked.refusal {
                engine.state.finish(request.id)
                engine.isDirty = true
                logger.warning(
                    "backfill refused", metadata: ["backfill": "\(request.id)", "table": "\(request.table)", "reason": "\(refusal)"])
                queue(.refused, progress, reason: refusal)
                return
            }
            engine.state.active.append(progress)
            engine.isDirty = true
            logger.info(
                "backfill started",
                metadata: [
                    "backfill": "\(request.id)", "table": "\(request.table)", "where": "\(request.whereClause ?? "")",
                    "estimated_rows": "\(checked.estimatedRows)",
                ])
            queue(.started, progress)
            engine.reader.start(progress, catalog: assembler.catalog)
        case let .cancel(_, id):
            guard let progress = engine.progress(of: id) else { return }
            engine.finish(id)
            logger.info("backfill cancelled", metadata: ["backfill": "\(id)", "rows": "\(progress.rows)"])
            queue(.cancelled, progress)
        case let .watermark(_, id, chunk, mark, reason):
            switch mark {
            case .low:
                if let plan = engine.reader.plan(for: chunk), engine.progress(of: id) != nil { engine.windows.open(plan) }
            case .high:
                let taken = engine.reader.take(chunk)
                let closing = engine.windows.close(chunk, readWhileRunning: taken?.snapshot)
                guard let taken, var progress = engine.progress(of: id) else { return }
                let changed: [String: Bool]
                switch closing {
                case let .changed(keys) where taken.plan.startKey == progress.lastKey:
                    changed = keys
                    engine.tooEarlyReads[id] = nil
                case let .readTooEarly(xid):
                    // Read again once that transaction is visible; a synchronous standby can hold it for long.
                    let attempts = engine.tooEarlyReads[id, default: 0] + 1
                    engine.tooEarlyReads[id] = attempts
                    logger.info(
                        "reading a backfill chunk again: a transaction handed out before it was still running for its read",
                        metadata: ["backfill": "\(id)", "xid": "\(xid)", "attempt": "\(attempts)"])
                    let pause = BackfillBackoff.readTooEarly.delay(afterFailures: attempts)
                    engine.reader.restart(id, after: progress.lastKey, pending: progress.pendingKeys, pausing: pause)
                    return
                default:
                    // A chunk read before a reconnect or after one the stream never met: read on from what was handed out.
                    engine.reader.restart(id, after: progress.lastKey, pending: progress.pendingKeys)
                    return
                }
                let retried = Set(taken.plan.retryKeys)
                progress.pendingKeys.removeAll { retried.contains($0) }
                var again: [[String]] = []
                var rows = BackfillRows(id: id, relation: taken.relation, transaction: transaction, lsn: event.lsn, firstSeq: assembler.seq)
                for tuple in taken.rows {
                    let row = Row(relation: taken.relation, tuple: tuple, isKeyOnly: false)
                    let key = BackfillWindows.key(of: row, at: taken.keyIndexes)
                    if let readAgain = changed[key] {
                        if readAgain { again.append(taken.keyIndexes.map { row.text(at: $0) ?? "" }) }
                        continue
                    }
                    rows.append(tuple, key: key)
                }
                if rows.count > 0 {
                    // The rows are numbered in the watermark's transaction, after what came before them.
                    assembler.seq += rows.count
                    progress.rows += rows.count
                    engine.queue.append(.rows(rows))
                }
                if let lastKey = taken.lastKey { progress.lastKey = lastKey }
                progress.pendingKeys += again
                engine.update(progress)
                engine.reader.retry(id, keys: again)
                if taken.isLast && progress.pendingKeys.isEmpty {
                    engine.finish(id)
                    logger.info(
                        "backfill completed",
                        metadata: ["backfill": "\(id)", "table": "\(progress.request.table)", "rows": "\(progress.rows)"])
                    queue(.completed, progress)
                } else {
                    logProgress(progress, engine: engine)
                }
            case .abort:
                guard let progress = engine.progress(of: id) else { return }
                engine.finish(id)
                logger.warning("backfill aborted", metadata: ["backfill": "\(id)", "reason": "\(reason ?? "")"])
                queue(.aborted, progress, reason: reason)
            }
        }
    }

    private func logProgress(_ progress: BackfillProgress, engine: BackfillEngine) {
        let now = FileIO.monotonicNanoseconds()
        guard now &- engine.lastProgressLog >= 5_000_000_000 else { return }
        engine.lastProgressLog = now
        var metadata: Logger.Metadata = [
            "backfill": "\(progress.request.id)", "table": "\(progress.request.table)", "rows": "\(progress.rows)",
        ]
        if progress.estimatedRows > 0 { metadata["percent_of_estimate"] = "\(min(999, progress.rows * 100 / progress.estimatedRows))" }
        logger.info("backfill progress", metadata: metadata)
    }

    private func nextBackfillSeq() -> Int {
        defer { assembler.seq += 1 }
        return assembler.seq
    }

    /// Whether `request` can run: the table is published, kept by the stream's filters, has a
    /// primary key, and the condition is valid SQL on it. A refusal says why, in the user's words.
    private func check(_ request: BackfillRequest) throws(ReplicationError) -> (refusal: String?, estimatedRows: Int) {
        let parts = request.table.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, configuration.filter.includes(schema: parts[0], table: parts[1]) else {
            return ("the stream leaves table \(request.table) out (its table filters)", 0)
        }
        let connection = try catalogConnection()
        guard let table = try SnapshotTable.published(in: configuration.publication, on: connection, only: request.table).first else {
            return ("table \(request.table) is not in publication \(configuration.publication)", 0)
        }
        let name = try connection.quoteIdentifier(table.message.namespace) + "." + connection.quoteIdentifier(table.message.name)
        let refusal = try BackfillControl.refusal(
            of: request, table: table.message.oid, named: name, calling: "table \(request.table)", on: connection)
        return (refusal, table.estimatedRows)
    }

    /// Periodic work: with ``StreamConfiguration/backfillNewTables``, asks for a backfill of every
    /// table that joined the publication since the last check.
    func performDueBackfillWork() throws(ReplicationError) {
        guard configuration.backfillNewTables, let engine = backfills else { return }
        let now = FileIO.monotonicNanoseconds()
        guard now &- engine.lastTableCheck >= UInt64(max(0.1, configuration.backfillCheckInterval) * 1e9) else { return }
        engine.lastTableCheck = now
        let current = try publishedTables()
        let names = Set(current.map(\.name))
        var known = engine.state.knownTables ?? []
        if known.contains(where: { !names.contains($0) }) {
            // A table that left the publication is new again when it comes back.
            known.removeAll { !names.contains($0) }
            engine.state.knownTables = known
            engine.isDirty = true
        }
        for table in current where !known.contains(table.name) && !engine.requestedTables.contains(table.name) {
            engine.requestedTables.insert(table.name)
            logger.info("table joined the publication; asking for its backfill", metadata: ["table": "\(table.name)"])
            try send(.start(slot: configuration.slot, BackfillRequest(table: table.name, id: "new-\(table.oid)")))
        }
    }
}
