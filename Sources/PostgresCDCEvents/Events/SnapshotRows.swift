import PGOutput

/// What makes a snapshot row a `read` event: the tables, the snapshot's transaction (its commit
/// LSN is the slot's consistent point) and the consistent point as every row's LSN.
package struct SnapshotRows: Sendable {
    /// The copied tables, by table number.
    package let relations: [Relation]
    package let transaction: TransactionInfo
    package let consistentPoint: LSN

    /// The rows of a snapshot of `relations` taken in `transaction`, at `consistentPoint`.
    package init(relations: [Relation], transaction: TransactionInfo, consistentPoint: LSN) {
        self.relations = relations
        self.transaction = transaction
        self.consistentPoint = consistentPoint
    }

    /// The `read` change of `tuple`, a row of table number `table`, the snapshot's row number `seq`.
    @inline(__always)
    package func change(table: Int, tuple: TupleData, seq: Int) -> RowChange {
        let relation = relations[table]
        return RowChange(
            operation: .read, transaction: transaction, seq: seq, lsn: consistentPoint, relation: relation, old: nil,
            new: Row(relation: relation, tuple: tuple, isKeyOnly: false))
    }
}
