/// Rows already written as `read` lines — a chunk of the snapshot (``SnapshotRowEncoder``) or of a
/// backfill (``LineEncoder/encodeBackfillRows(_:)``): their bytes and a descriptor per line, the
/// descriptors' ends counted from the start of `bytes`.
package struct EncodedRows: Sendable {
    /// The table the rows belong to.
    package let relation: Relation
    /// The number of rows (and lines).
    package let rows: Int
    /// The lines.
    package var bytes: [UInt8]
    /// A descriptor per line.
    package var lines: [LineDescriptor]
    /// The backfill the rows belong to; `nil` for the snapshot's.
    package var backfill: String? = nil

    /// Encoded rows, as the snapshot and backfill encoders write them.
    package init(relation: Relation, rows: Int, bytes: [UInt8], lines: [LineDescriptor], backfill: String? = nil) {
        self.relation = relation
        self.rows = rows
        self.bytes = bytes
        self.lines = lines
        self.backfill = backfill
    }
}
