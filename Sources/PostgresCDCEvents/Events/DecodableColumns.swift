/// The columns a ``RowDecoder`` reads, from a ``Row`` or a ``ResolvedRow``: one lookup per column
/// index, saying whether the row holds its value.
struct DecodableColumns {
    /// What a row holds for one column.
    enum Lookup {
        /// The value (possibly NULL).
        case value(PostgresValue)
        /// Not in the row: a filtered-out column, or a non-key column of an old key.
        case absent
        /// A TOASTed value the update did not change, which the server did not send (and, for a
        /// resolved row, the old row does not hold).
        case unchangedToast
    }

    /// The table.
    let relation: Relation
    /// Whether the row is a ``ResolvedRow`` (for the advice in error messages).
    let isResolved: Bool
    /// The column at an index.
    let lookup: (Int) -> Lookup

    /// `schema.table`, for messages.
    var tableName: String { relation.description }

    /// What a ``Row`` holds.
    init(_ row: Row) {
        relation = row.relation
        isResolved = false
        lookup = { index in
            if row.relation.isOmitted(index) { return .absent }
            switch row.content(at: index) {
            case .sent: return .value(row.value(at: index))
            case .absent: return .absent
            case .unchangedToast: return .unchangedToast
            }
        }
    }

    /// What a ``ResolvedRow`` holds: the new row's values, unchanged ones from the old row. With
    /// `unsentAsAbsent`, a value the change does not carry reads as a missing column (an Optional
    /// property stays `nil`) instead of throwing.
    init(_ row: ResolvedRow, unsentAsAbsent: Bool = false) {
        relation = row.relation
        isResolved = true
        lookup = { index in
            if row.relation.isOmitted(index) { return .absent }
            if let source = row.source(at: index) { return .value(source.value(at: index)) }
            if !unsentAsAbsent, case .unchangedToast = row.new.content(at: index) { return .unchangedToast }
            return .absent
        }
    }
}
