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
/// `@unchecked Sendable`: all state is guarded by `condition`; the connection is used by the
/// worker thread only.
package final class BackfillReader: @unchecked Sendable {
    /// A chunk about to be read: announced before its low watermark is emitted.
    package struct Plan: Sendable {
        package var backfill: String
        package var chunk: String
        package var table: UInt32
        package var keyColumns: [String]
        package var startKey: [String]?
        /// Keys read again with this chunk (``BackfillProgress/pendingKeys``).
        package var retryKeys: [[String]]
    }

    /// A chunk read.
    package struct Chunk: Sendable {
        package var plan: Plan
        /// The table as the publication sends it, for the rows' events.
        package var relation: Relation
        package var rows: [TupleData]
        /// Indexes of the key columns in ``relation``.
        package var keyIndexes: [Int]
        /// The last row's key; `nil` for an empty chunk.
        package var lastKey: [String]?
        /// The key range is read to its end (the table has no more rows after ``lastKey``).
        package var isLast: Bool
        /// The transactions the read saw running.
        package var snapshot: ReadSnapshot
    }

    /// Chunks per backfill read ahead of the stream at most.
    package let chunksAhead = 4
    /// Rows per second across all backfills; `nil` for no limit.
    package let rowsPerSecond: Double?

    private struct Job {
        var progress: BackfillProgress
        var nextKey: [String]?
        var catalog: TypeCatalog
        var inFlight = 0
        var done = false
        var generation = 0
        /// The key range was read to its end; only ``pending`` keys remain.
        var rangeDone = false
        /// Keys to read again with the next chunk.
        var pending: [[String]] = []
        /// No chunk is read before this time (``restart(_:after:pausing:)``).
        var notBefore: Date?
    }

    private let slot: String
    private let publication: String
    private let filter: EventFilter
    /// ``StreamConfiguration/binaryValues``: `false` copies in COPY's text format.
    private let binaryValues: Bool?
    private let connect: () throws(ReplicationError) -> PostgresConnection
    private let logger: Logger
    private let condition = NSCondition()
    private var jobs: [String: Job] = [:]
    private var order: [String] = []
    private var cursor = 0
    private var plans: [String: Plan] = [:]
    private var chunks: [String: Chunk] = [:]
    private var stopped = false
    private var started = false
    private var chunkCounter = 0
    private let nonce = String(UInt64.random(in: 0..<(1 << 40)), radix: 16)
    private var connection: PostgresConnection?
    private var rowsRead = 0
    private let readingSince = ContinuousClock.now

    package init(
        slot: String, publication: String, filter: EventFilter, binaryValues: Bool? = nil, rowsPerSecond: Double?, logger: Logger,
        connect: @escaping () throws(ReplicationError) -> PostgresConnection
    ) {
        self.slot = slot
        self.binaryValues = binaryValues
        self.publication = publication
        self.filter = filter
        self.rowsPerSecond = rowsPerSecond
        self.logger = logger
        self.connect = connect
    }

    deinit {
        stop()
    }

    /// Starts (or resumes, after its progress's last key) reading `progress`'s backfill.
    package func start(_ progress: BackfillProgress, catalog: TypeCatalog) {
        condition.withLock {
            let id = progress.request.id
            if jobs[id] == nil { order.append(id) }
            jobs[id] = Job(progress: progress, nextKey: progress.lastKey, catalog: catalog, pending: progress.pendingKeys)
            if !started {
                started = true
                let thread = Thread { [self] in work() }
                thread.name = "pgcdc-backfill"
                thread.start()
            }
            condition.broadcast()
        }
    }

    /// Stops reading backfill `id` and forgets its chunks.
    package func cancel(_ id: String) {
        condition.withLock {
            jobs[id] = nil
            order.removeAll { $0 == id }
            dropChunks(of: id)
            condition.broadcast()
        }
    }

    /// Reads backfill `id` again from just after `lastKey`, after `seconds` (the stream refused a
    /// chunk: one that did not start there — read before a reconnect, or before a chunk the stream
    /// never met — or one read while a transaction already handed out was not yet visible).
    ///
    /// `pending` are the keys still to be read again (``BackfillProgress/pendingKeys``): the chunks
    /// dropped here may have carried some of them. The key range is read again from `lastKey` even
    /// when it had been read to its end.
    package func restart(_ id: String, after lastKey: [String]?, pending: [[String]], pausing seconds: Double = 0) {
        condition.withLock {
            guard var job = jobs[id] else { return }
            job.nextKey = lastKey
            job.rangeDone = false
            job.pending = pending
            job.notBefore = seconds > 0 ? Date().addingTimeInterval(seconds) : nil
            job.done = false
            job.inFlight = 0
            job.generation += 1
            jobs[id] = job
            dropChunks(of: id)
            condition.broadcast()
        }
    }

    /// Reads `keys` of backfill `id` again with its next chunk (an update left a TOAST value of
    /// theirs out while their chunk was read).
    package func retry(_ id: String, keys: [[String]]) {
        guard !keys.isEmpty else { return }
        condition.withLock {
            guard var job = jobs[id] else { return }
            job.pending += keys
            job.done = false
            jobs[id] = job
            condition.broadcast()
        }
    }

    /// The plan of `chunk`, when this reader announced it (a low watermark of an earlier run, or
    /// of another process, is not).
    package func plan(for chunk: String) -> Plan? {
        condition.withLock { plans[chunk] }
    }

    /// The chunks read and waiting for the stream, in no particular order.
    package var heldChunks: [String] {
        condition.withLock { Array(chunks.keys) }
    }

    /// Takes chunk `chunk` (at its high watermark); `nil` when this reader does not hold it.
    package func take(_ chunk: String) -> Chunk? {
        condition.withLock {
            plans[chunk] = nil
            guard let taken = chunks.removeValue(forKey: chunk) else { return nil }
            jobs[taken.plan.backfill]?.inFlight -= 1
            condition.broadcast()
            return taken
        }
    }

    /// Stops the worker; the connection closes with it.
    package func stop() {
        condition.withLock {
            stopped = true
            condition.broadcast()
        }
    }

    private func dropChunks(of id: String) {
        for (key, chunk) in chunks where chunk.plan.backfill == id { chunks[key] = nil }
        for (key, plan) in plans where plan.backfill == id { plans[key] = nil }
    }

    // MARK: - Worker

    private enum Work {
        case chunk(id: String, job: Job, chunk: String)
        case stop
    }

    private func nextWork() -> Work {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if stopped { return .stop }
            let now = Date()
            var wakeAt = now.addingTimeInterval(1)
            for step in 0..<order.count {
                let index = (cursor + step) % order.count
                let id = order[index]
                guard let job = jobs[id], !job.done, job.inFlight < chunksAhead else { continue }
                if let notBefore = job.notBefore, notBefore > now {
                    wakeAt = min(wakeAt, notBefore)
                    continue
                }
                cursor = index + 1
                chunkCounter += 1
                // The chunk takes the keys waiting to be read again.
                jobs[id]?.pending = []
                return .chunk(id: id, job: job, chunk: "\(nonce)-\(chunkCounter)")
            }
            _ = condition.wait(until: wakeAt)
        }
    }

    private func work() {
        defer { connection?.close() }
        var failures = 0
        while true {
            guard case let .chunk(id, job, chunk) = nextWork() else { return }
            do {
                try read(id: id, job: job, chunk: chunk)
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
                condition.withLock {
                    plans[chunk] = nil
                    jobs[id]?.pending += job.pending
                }
                if !pause(seconds: BackfillBackoff.readFailure.delay(afterFailures: failures)) { return }
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

    private func read(id: String, job: Job, chunk: String) throws {
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
        condition.withLock { plans[chunk] = plan }
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
        let current = condition.withLock { () -> Bool in
            guard var current = jobs[id], current.generation == job.generation else {
                plans[chunk] = nil
                return false
            }
            chunks[chunk] = read
            current.inFlight += 1
            if let lastKey { current.nextKey = lastKey }
            current.rangeDone = rangeDone
            current.done = rangeDone && current.pending.isEmpty
            jobs[id] = current
            rowsRead += rows.count
            return true
        }
        guard current else { return }
        try emit(.watermark(slot: slot, backfill: id, chunk: chunk, mark: .high, reason: nil), on: connection)
        throttle()
    }

    private func emit(_ message: BackfillMessage, on connection: PostgresConnection) throws(ReplicationError) {
        try connection.emitLogicalMessage(prefix: message.prefix, content: message.content, transactional: true)
    }

    /// Tells the stream, in WAL order, that backfill `id` cannot go on; retried until it is written.
    private func abort(id: String, reason: String) {
        logger.warning("backfill cannot go on", metadata: ["backfill": "\(id)", "reason": "\(reason)"])
        condition.withLock {
            jobs[id]?.done = true
            dropChunks(of: id)
        }
        var failures = 0
        while true {
            do {
                try emit(.watermark(slot: slot, backfill: id, chunk: "\(nonce)-abort", mark: .abort, reason: reason), on: try session())
                return
            } catch {
                failures += 1
                connection?.close()
                connection = nil
                if !pause(seconds: BackfillBackoff.readFailure.delay(afterFailures: failures)) { return }
            }
        }
    }

    /// Waits `seconds`, or less when stopped; `false` when stopped.
    private func pause(seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        return condition.withLock {
            // Other calls wake the condition too (every chunk taken): wait out the whole time.
            while !stopped && Date() < deadline { _ = condition.wait(until: deadline) }
            return !stopped
        }
    }

    /// Keeps the reading at ``rowsPerSecond``.
    private func throttle() {
        guard let rowsPerSecond, rowsPerSecond > 0 else { return }
        let due = Double(condition.withLock { rowsRead }) / rowsPerSecond
        let elapsed = (ContinuousClock.now - readingSince)
        let seconds = due - (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        if seconds > 0 { _ = pause(seconds: seconds) }
    }
}
