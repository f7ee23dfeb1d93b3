/// The rows of a simple query, every value in PostgreSQL's text form (`nil` for NULL).
package struct QueryResult: Sendable {
    /// Column names in order.
    package var columns: [String]
    /// One array per row, as many values as columns.
    package var rows: [[String?]]

    /// The value of `column` in row `row`, or `nil` for NULL or a missing column.
    package func value(_ row: Int, _ column: String) -> String? {
        guard row >= 0, row < rows.count, let index = columns.firstIndex(of: column) else { return nil }
        return rows[row][index]
    }
}
