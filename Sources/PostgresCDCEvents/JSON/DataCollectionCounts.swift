/// Per table, how many events the open transaction has had: the `data_collections` of Debezium's
/// transaction END record (`[{"data_collection":"schema.table","event_count":N}]`).
package struct DataCollectionCounts: Sendable {
    /// Tables in the order of their first event, by relation (a table described anew in the middle
    /// of a transaction has two entries; ``DebeziumEncoder/encodeEnd(_:collections:into:)`` adds them up).
    private(set) var entries: [(relation: Relation, count: Int)] = []
    /// Entry positions by relation identity (the entries keep the relations alive).
    private var positions: [ObjectIdentifier: Int] = [:]

    package init() {}

    /// Counts one event of `relation`.
    package mutating func count(_ relation: Relation) {
        // Consecutive events of one table are the common case: no hashing for them.
        if let last = entries.indices.last, entries[last].relation === relation {
            entries[last].count += 1
        } else if let position = positions[ObjectIdentifier(relation)] {
            entries[position].count += 1
        } else {
            positions[ObjectIdentifier(relation)] = entries.count
            entries.append((relation, 1))
        }
    }

    /// Forgets the counts (the transaction ended).
    package mutating func reset() {
        entries.removeAll(keepingCapacity: true)
        positions.removeAll(keepingCapacity: true)
    }
}
