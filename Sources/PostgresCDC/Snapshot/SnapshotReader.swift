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
/// The chunks reach the consumer through a ``ThreadHandoff`` (the consumer's thread blocks while
/// none is ready); a failure reaches it after the chunks copied before it.
///
/// `@unchecked Sendable`: the buffer and the copy's progress are guarded by the handoff's lock;
/// each connection is used by its own worker thread only (after set-up, which happens before the
/// threads start); ``encoder`` and ``encodeAhead`` are set before ``start()``.
final class SnapshotReader: @unchecked Sendable {
    /// What the reader hands out.
    enum Item {
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
    /// Set before ``start()`` to have the copying threads write chunks as lines when the consumer is behind.
    package var encoder: SnapshotRowEncoder?
    /// How many chunks must wait for the consumer before a copying thread writes lines itself.
    var encodeAhead = 2

    private let connections: [PostgresConnection]
    /// The chunks handed out, and the copy's progress under the same lock.
    private let handoff: ThreadHandoff<Item, ReplicationError, Progress>
    /// Chunks buffered at most, and rows and bytes of copy data per chunk: bounds memory to about
    /// `capacity × chunkBytes` bytes of rows (and their lines). Chunks written as lines are a sink's
    /// batch each, so they hold more rows.
    private static let capacity = 16
    private var chunkSize: Int { encoder == nil ? 256 : 1024 }
    private let chunkBytes = 1 << 17

    /// How far the copy got (guarded by the handoff's lock).
    private struct Progress: HandoffLedger {
        /// Per table: pieces not finished yet, rows copied, and when its first piece started
        /// (monotonic nanoseconds).
        var tables: [(remaining: Int, rows: Int, started: UInt64?)]
        /// The number the next chunk's first row gets: chunks are numbered as they enter the buffer.
        var nextSeq = 0
        var nextPiece = 0
        /// Worker threads still running.
        var running = 0

        func handedOut(_ item: Item) {}
    }

    /// Opens `jobs` connections, imports `snapshotName` in each (this must happen before the
    /// exporting connection runs its next command), and lists the tables of `publication`
    /// (optionally only `onlyTables`, `schema.table` names).
    package init(
        connect: () throws(ReplicationError) -> PostgresConnection, snapshotName: String, publication: String, onlyTables: [String],
        filter: EventFilter, jobs: Int, catalog: TypeCatalog, binary: Bool?, timeSource: any TimeSource = .system
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
        let progress = Progress(tables: tables.indices.map { table in (pieces.count { $0.table == table }, 0, nil) })
        handoff = ThreadHandoff(capacity: Self.capacity, ledger: progress, timeSource: timeSource)
    }

    deinit {
        stop()
        connections.forEach { $0.close() }
    }

    /// Starts the worker threads.
    package func start() {
        handoff.updateLedger { $0.running = connections.count }
        for index in connections.indices {
            let thread = Thread { [self] in work(on: connections[index]) }
            thread.name = "pgcdc-snapshot"
            thread.start()
        }
    }

    /// The next item, waiting for one; `nil` once every table was copied. Throws the first failure
    /// (after the items copied before it).
    package func next() throws(ReplicationError) -> Item? {
        switch handoff.next() {
        case let .element(item): return item
        case let .failed(error): throw error
        case .end, .idle, .timedOut, .closed: return nil
        }
    }

    /// Stops the workers (their transactions end when the connections close).
    package func stop() {
        handoff.stop()
    }

    // MARK: - Workers

    private func work(on connection: PostgresConnection) {
        var encoder = encoder
        defer {
            // The last worker to end ends the hand-out (after a failure, that already ended it).
            let last = handoff.updateLedger { progress in
                progress.running -= 1
                return progress.running == 0
            }
            if last { handoff.finish(failure: nil) }
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
                handoff.finish(failure: error)
                return
            }
            guard let done = finish(piece, rows: rows) else { continue }
            guard handoff.push(.tableDone(table: piece.table, rows: done.rows, seconds: done.seconds)) else { return }
        }
        _ = try? connection.query("COMMIT")
    }

    private func claimPiece() -> SnapshotPiece? {
        let now = handoff.timeSource.monotonicNanoseconds()
        return handoff.withLedger { progress, state in
            guard !state.isDone, progress.nextPiece < pieces.count else { return nil }
            defer { progress.nextPiece += 1 }
            let piece = pieces[progress.nextPiece]
            if progress.tables[piece.table].started == nil { progress.tables[piece.table].started = now }
            return piece
        }
    }

    /// Counts a finished piece; the table's rows and seconds once it was its last.
    private func finish(_ piece: SnapshotPiece, rows: Int) -> (rows: Int, seconds: Double)? {
        let now = handoff.timeSource.monotonicNanoseconds()
        return handoff.withLedger { progress, _ in
            progress.tables[piece.table].remaining -= 1
            progress.tables[piece.table].rows += rows
            guard progress.tables[piece.table].remaining == 0 else { return nil }
            let started = progress.tables[piece.table].started ?? now
            return (progress.tables[piece.table].rows, Double(now >= started ? now - started : 0) / 1e9)
        }
    }

    /// Buffers a chunk of rows of table number `table`, numbering them, waiting while the buffer is
    /// full; with an `encoder`, when ``encodeAhead`` chunks already wait for the consumer, as lines
    /// written on this thread (its place in the buffer kept meanwhile). `false` when the reader was
    /// stopped or failed.
    private func push(_ tuples: [TupleData], of table: Int, encoder: inout SnapshotRowEncoder?) -> Bool {
        let encodes = encoder != nil
        let encodeAhead = encodeAhead
        var firstSeq = 0
        let pushed = handoff.push { progress, buffered in
            firstSeq = progress.nextSeq
            progress.nextSeq += tuples.count
            guard encodes, buffered >= encodeAhead else { return .element(.rows(table: table, tuples: tuples, firstSeq: firstSeq)) }
            return .reservation
        }
        switch pushed {
        case .pushed:
            return true
        case let .reserved(ticket):
            guard var chunkEncoder = encoder else {
                handoff.fill(ticket, with: .rows(table: table, tuples: tuples, firstSeq: firstSeq))
                return true
            }
            let lines = chunkEncoder.encode(table: table, tuples: tuples, firstSeq: firstSeq)
            encoder = chunkEncoder
            handoff.fill(ticket, with: .lines(lines))
            return true
        case .nothing, .done:
            return false
        }
    }
}
