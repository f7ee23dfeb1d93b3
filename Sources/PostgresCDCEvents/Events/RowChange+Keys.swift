import PGOutput

extension RowChange {
    /// The columns that identify the row (``Relation/upsertKeyColumnNames``: the primary key, or
    /// the unique index of `REPLICA IDENTITY USING INDEX`) with their values after the change; for
    /// a delete, before it. Empty for a table without such a key.
    public var key: [(name: String, value: PostgresValue)] {
        guard let row = new ?? old else { return [] }
        return keyColumns(of: row)
    }

    /// The key the stored row has before the change: the old row's key where the server sent it
    /// (the key changed, `REPLICA IDENTITY FULL`, a delete), else the new row's — the row to
    /// update or delete in a target. Empty for a table without a key.
    public var oldKey: [(name: String, value: PostgresValue)] {
        if let old {
            let keyed = keyColumns(of: old)
            if keyed.count == relation.upsertKeyColumnNames.count { return keyed }
        }
        return key
    }

    /// Whether an update moved the row to another key: the old row the server sent has a key
    /// value the new row does not. Write it as an update of the row under ``oldKey`` — not as a
    /// delete and an insert — so that values the change does not carry (``ResolvedRow``) are kept.
    public var keyChanged: Bool {
        guard operation == .update, let old, let new else { return false }
        return relation.upsertKeyColumnNames.contains { name in
            guard let index = relation.columnIndex(named: name), old.isPresent(index), new.isPresent(index) else { return false }
            return old.text(at: index) != new.text(at: index)
        }
    }

    /// The values the change carries, by column name, in column order: the resolved new row's
    /// (``ResolvedRow``: unchanged TOAST values taken from the old row where it has them, the
    /// others left out), or for a delete the old row's.
    public var presentColumns: [(name: String, value: PostgresValue)] {
        if let resolved { return resolved.presentColumns }
        return old?.presentColumns ?? []
    }

    private func keyColumns(of row: Row) -> [(name: String, value: PostgresValue)] {
        relation.upsertKeyColumnNames.compactMap { name in
            guard let index = relation.columnIndex(named: name), row.isPresent(index) else { return nil }
            return (name, row.value(at: index))
        }
    }
}
