import PGOutput

/// The new row of a change with every value the change carries: a TOASTed value the update did
/// not touch — which the server does not send — is taken from the old row where the old row has
/// it (REPLICA IDENTITY FULL, or a key column of an old key).
///
/// What stays unknown is listed in ``unchangedColumns``: such a row is *partial* (supabase/etl's
/// `UpdatedTableRow::Partial`). A writer must then keep the stored values of those columns —
/// update the stored row, even when the key changed — and never replace it, or the values are
/// lost. ``value(at:)`` returns ``PostgresValue/unchangedToast`` for them, as ``Row/value(at:)``
/// does, and ``RowValues/presentColumns`` leaves them out: `change.resolved?["id"]`,
/// `presentColumns` and `isPresent(column:)` read a resolved row as they read a ``Row``.
public struct ResolvedRow: Sendable {
    /// The table.
    public var relation: Relation { new.relation }
    /// The new row as the server sent it.
    public let new: Row
    /// The old row, where unchanged values are taken from.
    public let old: Row?
    /// Indices of the columns whose values the change does not carry (unchanged TOAST values the
    /// old row does not hold); columns a filter leaves out are not listed. Empty for a complete row.
    public let unchangedColumns: [Int]

    /// Whether every column has its value.
    public var isComplete: Bool { unchangedColumns.isEmpty }

    /// The resolved view of `new`, with unchanged values taken from `old`.
    public init(new: Row, old: Row?) {
        self.new = new
        self.old = old
        var unchanged: [Int] = []
        for index in new.relation.columns.indices where !new.relation.isOmitted(index) {
            if case .unchangedToast = new.content(at: index), !(old?.isPresent(index) ?? false) { unchanged.append(index) }
        }
        self.unchangedColumns = unchanged
    }

    /// The row holding column `index`'s value: the new row, or the old one for an unchanged value
    /// it has; `nil` when the change does not carry the value.
    public func source(at index: Int) -> Row? {
        if new.isPresent(index) { return new }
        if case .unchangedToast = new.content(at: index), let old, old.isPresent(index) { return old }
        return nil
    }

    /// Whether column `index` has its value (possibly NULL).
    public func isPresent(_ index: Int) -> Bool {
        source(at: index) != nil
    }

    /// The typed value of column `index`; ``PostgresValue/unchangedToast`` when the change does
    /// not carry it (see ``isPresent(_:)``).
    public func value(at index: Int) -> PostgresValue {
        source(at: index)?.value(at: index) ?? .unchangedToast
    }

    /// Column `index` in PostgreSQL's text form (ready to bind as a text parameter); `nil` for
    /// NULL and for a value the change does not carry (see ``isPresent(_:)``).
    public func text(at index: Int) -> String? {
        source(at: index)?.text(at: index)
    }
}

extension RowChange {
    /// The new row with every value the change carries (see ``ResolvedRow``); `nil` without a new
    /// row (a delete).
    public var resolved: ResolvedRow? {
        new.map { ResolvedRow(new: $0, old: old) }
    }
}
