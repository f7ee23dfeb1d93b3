import PGOutput

/// Reads the rows of a `COPY … TO STDOUT` (a statement from ``SnapshotTable``) as ``TupleData``, in
/// chunks, for snapshots and backfills.
///
/// In binary, the messages go straight from libpq's buffer into one buffer per chunk that the
/// chunk's rows share: no allocation per row but its column list.
struct CopyRowReader {
    private let connection: PostgresConnection
    private let command: String
    private let columnCount: Int
    private var binary: CopyBinaryParser?
    /// Binary: the chunk's bytes; from `parsed` on, a row not complete yet.
    private var storage: [UInt8] = []
    private var parsed = 0
    private var ended = false
    /// Rows read so far.
    package private(set) var rows = 0

    /// Starts `statement` on `connection` (named `command` in errors), a copy in `format` of
    /// `columnCount` columns.
    package init(
        connection: PostgresConnection, statement: String, format: CopyFormat, columnCount: Int, describedAs command: String
    ) throws(ReplicationError) {
        self.connection = connection
        self.command = command
        self.columnCount = columnCount
        if format.isBinary { binary = CopyBinaryParser(format: format, columnCount: columnCount) }
        try connection.startCopyOut(statement, describedAs: command)
    }

    /// At least `maxRows` rows, or rows of at least `maxBytes` bytes, unless the copy ends first
    /// (in binary, a message holding several rows may add a few more); `nil` once every row was
    /// read. A row that does not parse throws ``ReplicationError/unexpectedResponse(command:detail:)`` naming it.
    package mutating func next(maxRows: Int, maxBytes: Int = .max) throws(ReplicationError) -> [TupleData]? {
        guard !ended else { return nil }
        return binary == nil ? try nextText(maxRows: maxRows, maxBytes: maxBytes) : try nextBinary(maxRows: maxRows, maxBytes: maxBytes)
    }

    /// Reads the rest of the copy, every row.
    mutating func readAll() throws(ReplicationError) -> [TupleData] {
        var all: [TupleData] = []
        while let chunk = try next(maxRows: 1024) { all += chunk }
        return all
    }

    private mutating func nextText(maxRows: Int, maxBytes: Int) throws(ReplicationError) -> [TupleData]? {
        var tuples: [TupleData] = []
        tuples.reserveCapacity(min(maxRows, 1024))
        var bytes = 0
        while tuples.count < maxRows && bytes < maxBytes {
            guard let line = try connection.readCopyRow(describedAs: command) else {
                ended = true
                break
            }
            bytes += line.count
            do {
                tuples.append(try CopyTextRow.parse(line, expectedColumns: columnCount))
            } catch {
                throw unparsable(error)
            }
            rows += 1
        }
        return ended && tuples.isEmpty ? nil : tuples
    }

    private mutating func nextBinary(maxRows: Int, maxBytes: Int) throws(ReplicationError) -> [TupleData]? {
        guard var parser = binary else { return nil }
        defer { binary = parser }
        var columns: [[TupleData.Column]] = []
        columns.reserveCapacity(min(maxRows, 1024))
        while columns.count < maxRows && storage.count < maxBytes && !ended {
            guard try connection.readCopyData(appendingTo: &storage, describedAs: command) else {
                ended = true
                do { try parser.checkEnd(rest: storage.count - parsed) } catch { throw unparsable(error, row: parser.rows + 1) }
                break
            }
            do {
                parsed = try parser.parse(storage, from: parsed, into: &columns)
            } catch {
                throw unparsable(error, row: parser.rows + 1)
            }
        }
        rows = parser.rows
        if ended && columns.isEmpty { return nil }
        // The rows share this chunk's buffer; a partial row moves to the next one.
        let shared = storage[...]
        let tuples = columns.map { TupleData(storage: shared, columns: $0) }
        var next: [UInt8] = []
        next.reserveCapacity(max(storage.capacity, 1 << 16))
        next.append(contentsOf: storage[parsed...])
        storage = next
        parsed = 0
        return tuples
    }

    private func unparsable(_ error: CopyRowError, row: Int? = nil) -> ReplicationError {
        .unexpectedResponse(command: command, detail: "row \(row ?? rows + 1): \(error)")
    }
}
