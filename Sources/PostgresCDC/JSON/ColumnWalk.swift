/// The columns of one row of a change in table order, after the rules every output format shares,
/// so the native and Debezium encoders agree on them and only write their own envelope:
///
/// - a column a filter leaves out (``StreamConfiguration/filter``) is skipped;
/// - a column the row does not carry (a non-key column of an old key) is ``Row/Content/absent``;
/// - an unchanged TOAST value is taken from the old row when it has the value (REPLICA IDENTITY
///   FULL; or a key column of an old key, which the server logs whenever a key column is stored
///   out of line), and is ``Row/Content/unchangedToast`` otherwise.
///
/// A value type walked in place: no allocation per row.
package struct ColumnWalk: Sequence, IteratorProtocol, Sendable {
    private let row: Row
    /// Where unchanged TOAST values are taken from: the change's old row.
    private let old: Row?
    private let count: Int
    private var index = 0

    /// The columns of `row`; unchanged TOAST values come from `old` where it has them.
    @inline(__always)
    package init(_ row: Row, old: Row? = nil) {
        self.row = row
        self.old = old
        self.count = Swift.min(row.tuple.columns.count, row.relation.columns.count)
    }

    /// The next column that appears: its index in the relation and how its value arrived.
    @inline(__always)
    package mutating func next() -> (index: Int, content: Row.Content)? {
        while index < count {
            let column = index
            index += 1
            if row.relation.isOmitted(column) { continue }
            let content = row.content(at: column)
            if case .unchangedToast = content, let old, case let .sent(value) = old.content(at: column) {
                return (column, .sent(value))
            }
            return (column, content)
        }
        return nil
    }
}

extension RowChange {
    /// The columns of ``old`` as every encoder writes them; `nil` without an old row.
    package var oldColumns: ColumnWalk? {
        old.map { ColumnWalk($0) }
    }

    /// The columns of ``new``, unchanged TOAST values taken from ``old`` when it has them; `nil`
    /// without a new row.
    package var newColumns: ColumnWalk? {
        new.map { ColumnWalk($0, old: old) }
    }
}
