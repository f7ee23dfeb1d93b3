import Foundation
import PGOutput

/// Copies the published tables as of an exported snapshot, on `jobs` connections that each import
/// it, and hands the rows out one at a time through a bounded buffer (the copy never holds a table
/// in memory; while the consumer is slower, the copy waits).
///
/// `@unchecked Sendable`: the buffer and the state are guarded by `condition`; each connection is
/// used by its own worker thread only (after set-up, which happens before the threads start).
package final class SnapshotReader: @unchecked Sendable {
    /// What the reader hands out.
    package enum Item {
        /// Rows of table number `table`, in chunks (one lock hand-off per chunk, not per row).
        case rows(table: Int, tuples: [TupleData])
        /// Table number `table` was copied completely, with `rows` rows in `seconds`.
        case tableDone(table: Int, rows: Int, seconds: Double)
    }

    /// The tables, in the order of their numbers.
    package let tables: [SnapshotTable]

    private let connections: [PostgresConnection]
    private let condition = NSCondition()
    private var buffer: [Item] = []
    private var head = 0
    private var nextTable = 0
    private var running = 0
    private var failure: ReplicationError?
    private var stopped = false
    /// Chunks buffered at most, and rows per chunk: bounds memory to about `capacity × chunkSize` rows.
    private let capacity = 16
    private let chunkSize = 256

    /// Opens `jobs` connections, imports `snapshotName` in each (this must happen before the
    /// exporting connection runs its next command), and lists the tables of `publication`
    /// (optionally only `onlyTables`, `schema.table` names).
    package init(
        connect: () throws(ReplicationError) -> PostgresConnection, snapshotName: String, publication: String, onlyTables: [String],
        filter: EventFilter, jobs: Int
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
            self.tables = tables.filter { filter.includes(schema: $0.message.namespace, table: $0.message.name) }
        } catch {
            connections.forEach { $0.close() }
            throw error
        }
        self.connections = connections
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
        while head == buffer.count && running > 0 && failure == nil {
            condition.wait()
        }
        if let failure { throw failure }
        guard head < buffer.count else { return nil }
        let item = buffer[head]
        head += 1
        if head == buffer.count {
            buffer.removeAll(keepingCapacity: true)
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
        defer {
            condition.withLock {
                running -= 1
                condition.broadcast()
            }
        }
        while let index = claimTable() {
            let table = tables[index]
            let started = Date()
            var rows = 0
            do {
                let command = "COPY \(table.name)"
                try connection.startCopyOut(try table.copyStatement(on: connection), describedAs: command)
                var chunk: [TupleData] = []
                chunk.reserveCapacity(chunkSize)
                while let line = try connection.readCopyRow(describedAs: command) {
                    do {
                        chunk.append(try CopyTextRow.parse(line, expectedColumns: table.message.columns.count))
                    } catch {
                        throw ReplicationError.unexpectedResponse(command: command, detail: "row \(rows + 1): \(error)")
                    }
                    rows += 1
                    if chunk.count == chunkSize {
                        guard push(.rows(table: index, tuples: chunk)) else { return }
                        chunk.removeAll(keepingCapacity: true)
                    }
                }
                if !chunk.isEmpty {
                    guard push(.rows(table: index, tuples: chunk)) else { return }
                }
            } catch let error as ReplicationError {
                fail(error)
                return
            } catch {
                fail(.unexpectedResponse(command: "COPY \(table.name)", detail: "\(error)"))
                return
            }
            guard push(.tableDone(table: index, rows: rows, seconds: Date().timeIntervalSince(started))) else { return }
        }
        _ = try? connection.query("COMMIT")
    }

    private func claimTable() -> Int? {
        condition.withLock {
            guard !stopped, failure == nil, nextTable < tables.count else { return nil }
            defer { nextTable += 1 }
            return nextTable
        }
    }

    /// Buffers `item`, waiting while the buffer is full; `false` when the reader was stopped or failed.
    private func push(_ item: Item) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while buffer.count - head >= capacity && !stopped && failure == nil {
            condition.wait()
        }
        guard !stopped, failure == nil else { return false }
        buffer.append(item)
        condition.broadcast()
        return true
    }

    private func fail(_ error: ReplicationError) {
        condition.withLock {
            if failure == nil { failure = error }
            condition.broadcast()
        }
    }
}
