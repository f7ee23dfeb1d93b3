import Foundation
import Logging
import PGOutput

/// Reads backfill chunks on a normal connection of its own, on a thread of its own, ahead of the
/// stream: for each chunk it emits a low watermark, reads up to `chunkSize` rows in primary-key
/// order after the previous chunk's last key, keeps them, and emits a high watermark. The stream
/// takes a chunk when it meets the chunk's high watermark (``take(_:)``) and hands out the rows
/// whose keys did not change between the two marks (see ``BackfillWindows``).
///
/// At most ``chunksAhead`` chunks per backfill wait for the stream, so memory stays at a few
/// chunks however large the table, and a stream that lags behind slows the reading.
///
/// Which backfill is read next, and when, is ``BackfillSchedule``'s to decide; the chunks wait for the
/// stream in a ``ThreadHandoff`` whose lock also guards the schedule.
///
/// `@unchecked Sendable`: the schedule and the chunks are guarded by the handoff's lock; the
/// connection is used by the worker thread only.
final class BackfillReader: @unchecked Sendable {
    /// A chunk about to be read: announced before its low watermark is emitted.
    struct Plan: Sendable {
        package var backfill: String
        package var chunk: String
        package var table: UInt32
        var keyColumns: [String]
        var startKey: [String]?
        /// Keys read again with this chunk (``BackfillProgress/pendingKeys``).
        var retryKeys: [[String]]
    }

    /// A chunk read.
    struct Chunk: Sendable {
        var plan: Plan
        /// The table as the publication sends it, for the rows' events.
        package var relation: Relation
        package var rows: [TupleData]
        /// Indexes of the key columns in ``relation``.
        var keyIndexes: [Int]
        /// The last row's key; `nil` for an empty chunk.
        package var lastKey: [String]?
        /// The key range is read to its end (the table has no more rows after ``lastKey``).
        var isLast: Bool
        /// The transactions the read saw running.
        package var snapshot: ReadSnapshot
    }

    /// Chunks per backfill read ahead of the stream at most.
    let chunksAhead = 4
    /// Rows per second across all backfills; `nil` for no limit.
    let rowsPerSecond: Double?

    private let slot: String
    private let publication: String
    private let filter: EventFilter
    /// ``StreamConfiguration/binaryValues``: `false` copies in COPY's text format.
    private let binaryValues: Bool?
    private let connect: () throws(ReplicationError) -> PostgresConnection
    private let logger: Logger
    /// The chunks read and waiting for the stream, with the schedule under the same lock.
    private let handoff: ThreadHandoff<Chunk, any Error, BackfillSchedule>
    /// Names this reader's chunks (and its abort watermark) apart from another run's.
    private let nonce = String(UInt64.random(in: 0..<(1 << 40)), radix: 16)
    /// Used by the worker thread only.
    private var connection: PostgresConnection?

    package init(
        slot: String, publication: String, filter: EventFilter, binaryValues: Bool? = nil, rowsPerSecond: Double?, logger: Logger,
        timeSource: any TimeSource = .system, connect: @escaping () throws(ReplicationError) -> PostgresConnection
    ) {
        self.slot = slot
        self.binaryValues = binaryValues
        self.publication = publication
        self.filter = filter
        self.rowsPerSecond = rowsPerSecond
        self.logger = logger
        self.connect = connect
        // The schedule limits the chunks per backfill (``chunksAhead``); the handoff itself does not.
        handoff = ThreadHandoff(
            capacity: .max,
            ledger: BackfillSchedule(
                chunksAhead: chunksAhead, rowsPerSecond: rowsPerSecond, nonce: nonce, now: timeSource.monotonicNanoseconds()),
            timeSource: timeSource)
    }

    deinit {
        stop()
    }

    /// Starts (or resumes, after its progress's last key) reading `progress`'s backfill.
    package func start(_ progress: BackfillProgress, catalog: TypeCatalog) {
        let first = handoff.updateLedger { schedule in
            defer { schedule.start(progress, catalog: catalog) }
            return !schedule.hasStarted
        }
        guard first else { return }
        let thread = Thread { [self] in work() }
        thread.name = "pgcdc-backfill"
        thread.start()
    }

    /// Stops reading backfill `id` and forgets its chunks.
    package func cancel(_ id: String) {
        handoff.discard(where: { $0.plan.backfill == id }, update: { $0.cancel(id) })
    }

    /// Reads backfill `id` again from just after `lastKey`, after `seconds` (the stream refused a
    /// chunk: one that did not start there — read before a reconnect, or before a chunk the stream
    /// never met — or one read while a transaction already handed out was not yet visible).
    ///
    /// `pending` are the keys still to be read again (``BackfillProgress/pendingKeys``): the chunks
    /// dropped here may have carried some of them. The key range is read again from `lastKey` even
    /// when it had been read to its end.
    func restart(_ id: String, after lastKey: [String]?, pending: [[String]], pausing seconds: Double = 0) {
        let now = handoff.timeSource.monotonicNanoseconds()
        handoff.discard(
            where: { $0.plan.backfill == id }, update: { $0.restart(id, after: lastKey, pending: pending, pausing: seconds, now: now) })
    }

    /// Reads `keys` of backfill `id` again with its next chunk (an update left a TOAST value of
    /// theirs out while their chunk was read).
    func retry(_ id: String, keys: [[String]]) {
        guard !keys.isEmpty else { return }
        handoff.updateLedger { $0.retry(id, keys: keys) }
    }

    /// The plan of `chunk`, when this reader announced it (a low watermark of an earlier run, or
    /// of another process, is not).
    func plan(for chunk: String) -> Plan? {
        handoff.withLedger { schedule, _ in schedule.plan(for: chunk) }
    }

    /// The chunks read and waiting for the stream, in no particular order.
    var heldChunks: [String] {
        handoff.withLedger { _, state in state.bufferedElements.map(\.plan.chunk) }
    }

    /// Takes chunk `chunk` (at its high watermark); `nil` when this reader does not hold it.
    func take(_ chunk: String) -> Chunk? {
        handoff.take(where: { $0.plan.chunk == chunk }, update: { schedule, _ in schedule.forget(chunk) })
    }

    /// Stops the worker; the connection closes with it.
    package func stop() {
        handoff.stop()
    }

    // MARK: - Worker

    private func work() {
        defer { connection?.close() }
        var failures = 0
        while true {
            guard let order = handoff.wait(for: { schedule, now in schedule.next(now: now) }) else { return }
            let id = order.id
            do {
                try read(order)
                failures = 0
            } catch let failure as BackfillAbort {
                abort(id: id, reason: failure.reason)
            } catch let error as ReplicationError {
                if let message = error.permanentServerMessage {
                    // The table or the condition is wrong (dropped, a column renamed, bad SQL): say so and stop.
                    abort(id: id, reason: message)
                    continue
                }
                failures += 1
                logger.warning("backfill read failed; trying again", metadata: ["backfill": "\(id)", "error": "\(error)"])
                connection?.close()
                connection = nil
                handoff.updateLedger { $0.readFailed(order) }
                if !handoff.pause(seconds: BackfillBackoff.readFailure.delay(afterFailures: failures)) { return }
            } catch {
                abort(id: id, reason: "\(error)")
            }
        }
    }

    private struct BackfillAbort: Error {
        var reason: String
    }

    private func session() throws(ReplicationError) -> PostgresConnection {
        if let connection { return connection }
        let opened = try connect()
        for statement in SessionSettings.statements { try opened.query(statement, describedAs: statement) }
        // A watermark reaches the stream only once its commit is flushed: with synchronous_commit off
        // that waits for the WAL writer (up to wal_writer_delay, 200 ms), once per watermark — which made
        // a 1,000,000-row backfill take 27 s instead of a few. `local` flushes at once, without waiting
        // for synchronous standbys.
        try opened.query("SET synchronous_commit = local", describedAs: "SET synchronous_commit")
        connection = opened
        return opened
    }

    private func read(_ order: BackfillSchedule.Order) throws {
        let (id, job, chunk) = (order.id, order.job, order.chunk)
        let connection = try session()
        let request = job.progress.request
        guard let table = try SnapshotTable.published(in: publication, on: connection, only: request.table).first else {
            throw BackfillAbort(
                reason: "table \(request.table) is not in publication \(publication) any more (dropped, or removed from it)")
        }
        let keyColumns = try ReplicationSetup.primaryKey(of: table.message.oid, on: connection)
        guard !keyColumns.isEmpty else {
            throw BackfillAbort(reason: "table \(request.table) has no primary key to read it in order by")
        }
        let relation = Relation(message: table.message, catalog: job.catalog, filter: filter, primaryKey: keyColumns)
        var keyIndexes: [Int] = []
        for name in keyColumns {
            guard let index = relation.columnIndex(named: name) else {
                throw BackfillAbort(reason: "the publication leaves out key column \(name) of table \(request.table)")
            }
            keyIndexes.append(index)
        }
        let plan = Plan(
            backfill: id, chunk: chunk, table: table.message.oid, keyColumns: keyColumns, startKey: job.nextKey, retryKeys: job.pending)
        handoff.withLedger { schedule, _ in schedule.announce(plan) }
        try emit(.watermark(slot: slot, backfill: id, chunk: chunk, mark: .low, reason: nil), on: connection)
        var rows: [TupleData] = []
        var lastKey: [String]?
        var rangeDone = job.rangeDone
        let snapshot: ReadSnapshot
        do {
            // One snapshot for the chunk's reads, and the transactions it saw running (ReadSnapshot).
            let snapshotText = try connection.query(
                "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SELECT pg_current_snapshot()::text AS snapshot",
                describedAs: "BEGIN (backfill \(id))"
            ).value(0, "snapshot")
            guard let text = snapshotText, let read = ReadSnapshot(text: text) else {
                throw ReplicationError.unexpectedResponse(
                    command: "SELECT pg_current_snapshot()", detail: "not a snapshot: \(snapshotText ?? "NULL")")
            }
            snapshot = read
            let format = CopyFormat(for: table.message, catalog: job.catalog, binary: binaryValues)
            func copy(_ sql: String) throws {
                var reader = try CopyRowReader(
                    connection: connection, statement: sql, format: format, columnCount: table.message.columns.count,
                    describedAs: "COPY \(request.table) (backfill \(id))")
                do {
                    rows += try reader.readAll()
                } catch let .unexpectedResponse(_, detail) {
                    throw BackfillAbort(reason: "table \(request.table): \(detail)")
                }
            }
            if !job.rangeDone {
                rows.reserveCapacity(min(request.chunkSize, 1 << 16))
                try copy(
                    try table.chunkStatement(
                        keyColumns: keyColumns, after: job.nextKey, whereClause: request.whereClause, limit: request.chunkSize,
                        format: format, on: connection))
                lastKey = rows.last.map { tuple in
                    let row = Row(relation: relation, tuple: tuple, isKeyOnly: false)
                    return keyIndexes.map { row.text(at: $0) ?? "" }
                }
                rangeDone = rows.count < request.chunkSize
            }
            if !job.pending.isEmpty {
                try copy(
                    try table.keysStatement(
                        keyColumns: keyColumns, keys: job.pending, whereClause: request.whereClause, format: format, on: connection))
            }
            try connection.query("COMMIT", describedAs: "COMMIT (backfill \(id))")
        } catch {
            // Leave the connection usable for the next chunk (a lost one is replaced anyway).
            _ = try? connection.query("ROLLBACK", describedAs: "ROLLBACK (backfill \(id))")
            throw error
        }
        let read = Chunk(
            plan: plan, relation: relation, rows: rows, keyIndexes: keyIndexes, lastKey: lastKey, isLast: rangeDone, snapshot: snapshot)
        let pushed = handoff.push { schedule, _ in
            schedule.chunkRead(order, lastKey: lastKey, rangeDone: rangeDone, rows: rows.count) ? .element(read) : .nothing
        }
        guard case .pushed = pushed else { return }
        try emit(.watermark(slot: slot, backfill: id, chunk: chunk, mark: .high, reason: nil), on: connection)
        throttle()
    }

    private func emit(_ message: BackfillMessage, on connection: PostgresConnection) throws(ReplicationError) {
        try connection.emitLogicalMessage(prefix: message.prefix, content: message.content, transactional: true)
    }

    /// Tells the stream, in WAL order, that backfill `id` cannot go on; retried until it is written.
    private func abort(id: String, reason: String) {
        logger.warning("backfill cannot go on", metadata: ["backfill": "\(id)", "reason": "\(reason)"])
        handoff.discard(where: { $0.plan.backfill == id }, update: { $0.abort(id) })
        var failures = 0
        while true {
            do {
                try emit(.watermark(slot: slot, backfill: id, chunk: "\(nonce)-abort", mark: .abort, reason: reason), on: try session())
                return
            } catch {
                failures += 1
                connection?.close()
                connection = nil
                if !handoff.pause(seconds: BackfillBackoff.readFailure.delay(afterFailures: failures)) { return }
            }
        }
    }

    /// Keeps the reading at ``rowsPerSecond``: waits until the rows read so far are due (all of the
    /// time, however often the wait is woken).
    private func throttle() {
        _ = handoff.wait { schedule, now in
            guard let due = schedule.throttledUntil, due > now else { return .ready(()) }
            return .wait(until: due)
        }
    }
}
