#if canImport(Glibc)
import Glibc
#endif

/// Which tables, columns and operations a stream writes; everything else is left out (positions
/// still advance past it).
public struct EventFilter: Sendable, Equatable {
    /// Row operations and other events that can be left out.
    public enum Operation: String, Sendable, CaseIterable {
        case insert, update, delete, truncate, message
        /// DDL commands (``DDLEvent``).
        case ddl
    }

    /// Globs (`fnmatch`) a table must match, `schema.table` or just `table`; empty: every table.
    public var includeTables: [String] = []
    /// Globs of tables to leave out (wins over ``includeTables``).
    public var excludeTables: [String] = []
    /// `schema.table.column` names of columns to leave out of rows.
    public var excludeColumns: [String] = []
    /// The operations written; snapshot `read` rows follow the table filters only.
    public var operations: Set<Operation> = Set(Operation.allCases)

    /// A filter that lets everything through.
    public init() {}

    /// Whether the filter lets everything through.
    public var isEmpty: Bool { self == EventFilter() }

    /// Whether rows of `schema.table` are written.
    public func includes(schema: String, table: String) -> Bool {
        let name = "\(schema).\(table)"
        func matches(_ pattern: String) -> Bool {
            fnmatch(pattern, pattern.contains(".") ? name : table, 0) == 0
        }
        if excludeTables.contains(where: matches) { return false }
        return includeTables.isEmpty || includeTables.contains(where: matches)
    }

    /// Which of `columns` of `schema.table` are left out (`nil` when none is).
    package func omittedColumns(schema: String, table: String, columns: [String]) -> [Bool]? {
        guard !excludeColumns.isEmpty else { return nil }
        let prefix = "\(schema).\(table)."
        let excluded = Set(excludeColumns.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) })
        guard !excluded.isEmpty else { return nil }
        return columns.map { excluded.contains($0) }
    }
}
