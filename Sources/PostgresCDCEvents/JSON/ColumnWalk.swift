import PGOutput

/// The columns of one row of a change in table order, after the rules every output format shares,
/// so the native and Debezium encoders agree on them and only write their own envelope:
///
/// - a column a filter leaves out (``StreamConfiguration/filter``) is skipped;
/// - a column the row does not carry (a non-key column of an old key) is ``Row/Content/absent``;
/// - an unchanged TOAST value is taken from the old row when it has the value (REPLICA IDENTITY
///   FULL; or a key column of an old key, which the server logs whenever a key column is stored
///   out of line), and is ``Row/Content/unchangedToast`` otherwise.
///
/// A cursor that holds no row: each ``next(_:old:)`` is given the rows, which stay borrowed, so
/// walking copies, retains and allocates nothing.
///
///     var walk = ColumnWalk(row)
///     while let (index, content) = walk.next(row, old: change.old) { … }
package struct ColumnWalk {
    private let count: Int
    private var index = 0

    /// A walk over the columns of `row` (the row given to every ``next(_:old:)``).
    @inline(__always)
    package init(_ row: Row) {
        count = Swift.min(row.tuple.columns.count, row.relation.columns.count)
    }

    /// The next column of `row` that appears: its index in the relation and how its value arrived;
    /// an unchanged TOAST value comes from `old` where it has it. `nil` after the last column.
    @inline(__always)
    package mutating func next(_ row: Row, old: Row?) -> (index: Int, content: Row.Content)? {
        guard let (index, column, fromOld) = nextColumn(row, old: old) else { return nil }
        guard let column else { return (index, .absent) }
        if fromOld, let old { return (index, old.content(of: column)) }
        return (index, row.content(of: column))
    }

    /// ``next(_:old:)`` without making a slice of the value's bytes: the column as its tuple has it
    /// (`nil`: absent), and whether that tuple is `old`'s.
    @inline(__always)
    package mutating func nextColumn(_ row: Row, old: Row?) -> (index: Int, column: TupleData.Column?, fromOld: Bool)? {
        while index < count {
            let at = index
            index += 1
            if row.relation.isOmitted(at) { continue }
            guard let column = row.column(at: at) else { return (at, nil, false) }
            if column.kind == .unchangedToast, let sent = old?.column(at: at), sent.kind != .unchangedToast {
                return (at, sent, true)
            }
            return (at, column, false)
        }
        return nil
    }
}
