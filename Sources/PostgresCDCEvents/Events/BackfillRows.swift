import PGOutput

/// The rows of a backfill chunk that are handed out at its high watermark, in order: each becomes
/// a backfilled `read` event (``change(at:)``), numbered from `firstSeq` in the watermark's
/// transaction. The CLI writes them as lines in one pass (``LineEncoder/encodeBackfillRows(_:)``).
package struct BackfillRows: Sendable {
    /// The backfill's id.
    package let id: String
    /// The table.
    package let relation: Relation
    /// The high watermark's transaction, and the watermark message's position.
    package let transaction: TransactionInfo
    package let lsn: LSN
    /// The first row's number in `transaction`; the others follow it.
    package let firstSeq: Int
    /// The rows, and each one's key (``BackfillTag/key``).
    package private(set) var tuples: [TupleData] = []
    package private(set) var keys: [String] = []

    package init(id: String, relation: Relation, transaction: TransactionInfo, lsn: LSN, firstSeq: Int) {
        self.id = id
        self.relation = relation
        self.transaction = transaction
        self.lsn = lsn
        self.firstSeq = firstSeq
    }

    /// The number of rows.
    package var count: Int { tuples.count }

    /// Adds a row with its key.
    package mutating func append(_ tuple: TupleData, key: String) {
        tuples.append(tuple)
        keys.append(key)
    }

    /// The `read` change of row `index`.
    package func change(at index: Int) -> RowChange {
        var change = RowChange(
            operation: .read, transaction: transaction, seq: firstSeq + index, lsn: lsn, relation: relation, old: nil,
            new: Row(relation: relation, tuple: tuples[index], isKeyOnly: false))
        change.backfillTag = BackfillTag(id: id, key: keys[index])
        return change
    }
}
