import Foundation
import PGOutput

/// Copies the published tables as of an exported snapshot, on `jobs` connections that each import
/// it, and hands the rows out one at a time through a bounded buffer (the copy never holds a table
/// in memory; while the consumer is slower, the copy waits).
///
/// With several jobs, a large table is split into ranges of its pages (``SnapshotPiece``, on
/// PostgreSQL 14+, which scans a ctid range without reading the rest), so that one big table
/// keeps every job busy; its rows then arrive in no particular order.
///
/// With an ``encoder``, the rows may come already written as lines: a copying thread that finds
/// the consumer behind (``encodeAhead`` chunks waiting for it) writes its next chunk's lines itself,
/// so that encoding is shared between the copying threads and the consumer. Each chunk's rows are
/// numbered when it enters the buffer, so the numbers run in the order the chunks are handed out
/// however the work was shared.
///
/// `@unchecked Sendable`: the buffer and the state are guarded by `condition`; each connection is
/// used by its own worker thread only (after set-up, which happens before the threads start).
package final class SnapshotReader: @unchecked Sendable {
    /// What the reader hands out.
    package enum Item {
        /// Rows of table number `table`, in chunks (one lock hand-off per chunk, not per row); the
        /// first is the snapshot's row number `firstSeq`.
        case rows(table: Int, tuples: [TupleData], firstSeq: Int)
        /// A chunk of rows a copying thread wrote as lines (with an ``SnapshotReader/encoder``).
        case lines(EncodedRows)
        /// Table number `table` was copied completely, with `rows` rows in `seconds`.
        case tableDone(table: Int, rows: Int, seconds: Double)
    }

    /// The tables, in the order of their numbers.
    package let tables: [SnapshotTable]
    /// How each table is copied.
    private let formats: [CopyFormat]
    /// What the workers copy, in order: whole tables, or page ranges of large ones.
    private let pieces: [SnapshotPiece]
    /// The number of copies the workers run (tables, and page ranges of large tables).
    package var copies: Int { pieces.count }
    /// Per table: pieces not finished yet, rows copied, and when its first piece started.
    private var progress: [(remaining: Int, rows: Int, started: Date?)]

    /// Set before ``start()`` to have the copying threads write chunks as lines when the consumer is behind.
    package var encoder: SnapshotRowEncoder?
    /// How many chunks must wait for the consumer before a copying thread writes lines itself.
    package var encodeAhead = 2

    private let connections: [PostgresConnection]
    private let condition = NSCondition()
    /// Chunks in hand-out order; `nil` while a copying thread writes its lines.
    private var buffer: [Item?] = []
    /// Items removed from the front of `buffer` so far (a slot's number minus this is its index).
    private var removed = 0
    /// The number the next chunk's first row gets.
    private var nextSeq = 0
    private var head = 0
    private var nextPiece = 0
    private var running = 0
    private var failure: ReplicationError?
    private var stopped = false
    /// Chunks buffered at most, and rows and bytes of copy data per chunk: bounds memory to about
    /// `capacity × chunkBytes` bytes of rows (and their lines). Chunks written as lines are a sink's
    /// batch each, so they hold more rows.
    private let capacity = 16
    private var chunkSize: Int { encoder == nil ? 256 : 1024 }
    private let chunkBytes = 1 << 17

    /// Opens `jobs` connections, imports `snapshotName` in each (this must happen before the
    /// exporting connection runs its next command), and lists the tables of `publication`
    /// (optionally only `onlyTables`, `schema.table` names).
    package init(
        connect: () throws(ReplicationError) -> PostgresConnection, snapshotName: String, publication: String, onlyTables: [String],
        filter: EventFilter, jobs: Int, catalog: TypeCatalog, binary: Bool?
    ) throws(ReplicationError) {
        var connections: [PostgresConnection] = []
        do {
            for _ in 0..<max(1, jobs) {
                let connection = try connect()
                connections.append(connection)
                for statement in SessionSettings.statements {
                    try connection.query(statement, describedAs: statement)
                }
                try connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", describedAs: "BEGIN (snapshot)")
                try connection.query(
                    "SET TRANSACTION SNAPSHOT \(try connection.quoteLiteral(snapshotName))", describedAs: "SET TRANSACTION SNAPSHOT")
            }
            var tables = try SnapshotTable.published(in: publication, on: connections[0])
            if !onlyTables.isEmpty {
                let wanted = Set(onlyTables.map { $0.contains(".") ? $0 : "public.\($0)" })
                tables = tables.filter { wanted.contains($0.name) }
            }
            tables = tables.filter { filter.includes(schema: $0.message.namespace, table: $0.message.name) }
            self.tables = tables
            pieces = try SnapshotPiece.split(tables, jobs: connections.count, on: connections[0])
        } catch {
            connections.forEach { $0.close() }
            throw error
        }
        self.connections = connections
        let pieces = pieces
        formats = tables.map { CopyFormat(for: $0.message, catalog: catalog, binary: binary) }
        progress = tables.indices.map { table in (pieces.count { $0.table == table }, 0, nil) }
    }

    deinit {
        stop()
        connections.forEach { $0.close() }
    }

    /// Starts the worker threads.
    package func start() {
        condition.withLock { running = connections.count }
        for index in connections.indices {
            let thread = Thread { [self] in work(on: connections[index]) }
            thread.name = "pgcdc-snapshot"
            thread.start()
        }
    }

    /// The next item, waiting for one; `nil` once every table was copied. Throws the first failure.
    package func next() throws(ReplicationError) -> Item? {
        condition.lock()
        defer { condition.unlock() }
        // Wait for an item, or for the lines of the next one to be written.
        while failure == nil && (head == buffer.count ? running > 0 : buffer[head] == nil) {
            condition.wait()
        }
        if let failure { throw failure }
        guard head < buffer.count, let item = buffer[head] else { return nil }
        head += 1
        // Items handed out are let go of at once: while the copy keeps up, the buffer is never
        // empty, and kept items would hold every row of the snapshot.
        if head == buffer.count {
            removed += buffer.count
            buffer.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= capacity {
            removed += head
            buffer.removeFirst(head)
            head = 0
        }
        condition.broadcast()
        return item
    }

    /// Stops the workers (their transactions end when the connections close).
    package func stop() {
        condition.withLock {
            stopped = true
            condition.broadcast()
        }
    }

    // MARK: - Workers

    private func work(on connection: PostgresConnection) {
        var encoder = encoder
        defer {
            condition.withLock {
                running -= 1
                condition.broadcast()
            }
        }
        while let piece = claimPiece() {
            let table = tables[piece.table]
            let command = "COPY \(table.name)"
            var rows = 0
            do {
                let statement = try table.copyStatement(where: piece.condition, format: formats[piece.table], on: connection)
                var reader = try CopyRowReader(
                    connection: connection, statement: statement, format: formats[piece.table], columnCount: table.message.columns.count,
                    describedAs: command)
                while let chunk = try reader.next(maxRows: chunkSize, maxBytes: chunkBytes) {
                    guard push(chunk, of: piece.table, encoder: &encoder) else { return }
                }
                rows = reader.rows
            } catch {
                fail(error)
                return
            }
            guard let done = finish(piece, rows: rows) else { continue }
            guard push(.tableDone(table: piece.table, rows: done.rows, seconds: done.seconds)) else { return }
        }
        _ = try? connection.query("COMMIT")
    }

    private func claimPiece() -> SnapshotPiece? {
        condition.withLock {
            guard !stopped, failure == nil, nextPiece < pieces.count else { return nil }
            defer { nextPiece += 1 }
            let piece = pieces[nextPiece]
            if progress[piece.table].started == nil { progress[piece.table].started = Date() }
            return piece
        }
    }

    /// Counts a finished piece; the table's rows and seconds once it was its last.
    private func finish(_ piece: SnapshotPiece, rows: Int) -> (rows: Int, seconds: Double)? {
        condition.withLock {
            progress[piece.table].remaining -= 1
            progress[piece.table].rows += rows
            guard progress[piece.table].remaining == 0 else { return nil }
            return (progress[piece.table].rows, Date().timeIntervalSince(progress[piece.table].started ?? Date()))
        }
    }

    /// Buffers `item`, waiting while the buffer is full; `false` when the reader was stopped or failed.
    private func push(_ item: Item) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard waitForRoom() else { return false }
        buffer.append(item)
        condition.broadcast()
        return true
    }

    /// Buffers a chunk of rows of table number `table`, numbering them; with an `encoder`, when
    /// ``encodeAhead`` chunks already wait for the consumer, as lines written on this thread (its
    /// place in the buffer kept meanwhile). `false` when the reader was stopped or failed.
    private func push(_ tuples: [TupleData], of table: Int, encoder: inout SnapshotRowEncoder?) -> Bool {
        condition.lock()
        guard waitForRoom() else {
            condition.unlock()
            return false
        }
        let firstSeq = nextSeq
        nextSeq += tuples.count
        guard var chunkEncoder = encoder, buffer.count - head >= encodeAhead else {
            buffer.append(.rows(table: table, tuples: tuples, firstSeq: firstSeq))
            condition.broadcast()
            condition.unlock()
            return true
        }
        let slot = removed + buffer.count
        buffer.append(nil)
        condition.unlock()
        let lines = chunkEncoder.encode(table: table, tuples: tuples, firstSeq: firstSeq)
        encoder = chunkEncoder
        condition.withLock {
            buffer[slot - removed] = .lines(lines)
            condition.broadcast()
        }
        return true
    }

    /// Waits (the lock held) while the buffer is full; `false` when the reader was stopped or failed.
    private func waitForRoom() -> Bool {
        while buffer.count - head >= capacity && !stopped && failure == nil {
            condition.wait()
        }
        return !stopped && failure == nil
    }

    private func fail(_ error: ReplicationError) {
        condition.withLock {
            if failure == nil { failure = error }
            condition.broadcast()
        }
    }
}
