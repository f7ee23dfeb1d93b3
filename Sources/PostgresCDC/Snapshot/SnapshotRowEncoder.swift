import PGOutput

/// Writes chunks of snapshot rows as the lines of their `read` events, exactly as the stream
/// writes those events one by one (the same ``LineEncoder``). The copying threads use it, so that
/// encoding overlaps the copy and spreads over the cores instead of waiting for one consumer
/// thread; each thread has its own copy.
struct SnapshotRowEncoder: Sendable {
    private var encoder: LineEncoder
    private let rows: SnapshotRows
    /// The size of the last chunk's lines, to reserve about as much for the next.
    private var lastSize = 1 << 16

    package init(encoder: LineEncoder, rows: SnapshotRows) {
        self.encoder = encoder
        self.rows = rows
    }

    /// The lines of `tuples`, rows of table number `table`; the first is the snapshot's row number `firstSeq`.
    package mutating func encode(table: Int, tuples: [TupleData], firstSeq: Int) -> EncodedRows {
        var buffer = JSONBuffer(capacity: lastSize + lastSize / 8)
        var lines: [LineDescriptor] = []
        lines.reserveCapacity(tuples.count)
        encoder.encodeSnapshotRows(tuples, table: table, firstSeq: firstSeq, rows: rows, into: &buffer, describing: &lines)
        lastSize = buffer.bytes.count
        return EncodedRows(relation: rows.relations[table], rows: tuples.count, bytes: buffer.bytes, lines: lines)
    }
}
