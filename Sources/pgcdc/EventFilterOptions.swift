import ArgumentParser
import PostgresCDC

/// `pgcdc stream`'s choice of tables, columns and operations, and what to do with tables whose
/// changes carry no key.
struct EventFilterOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp("Only tables matching these globs, comma-separated (schema.table or table; *, ?, [..]).", valueName: "globs"))
    var includeTables: String?

    @Option(help: ArgumentHelp("Leave out tables matching these globs, comma-separated (wins over --include-tables).", valueName: "globs"))
    var excludeTables: String?

    @Option(help: ArgumentHelp("Leave these columns out of rows, comma-separated schema.table.column names.", valueName: "columns"))
    var excludeColumns: String?

    @Option(
        help: ArgumentHelp(
            "Only these operations, comma-separated: insert, update, delete, truncate, message (snapshot rows follow the table filters).",
            valueName: "ops"))
    var ops: String?

    @Option(
        help: ArgumentHelp(
            "Published tables whose updates and deletes carry no key (replica identity NOTHING, or DEFAULT without a primary "
                + "key): warn (default, logged once per table), allow, or refuse (exit 1 naming the table).",
            valueName: "policy"))
    var keylessTables: KeylessTablePolicy = .warn

    func validate() throws {
        _ = try eventFilter()
    }

    /// The filter the table, column and operation options describe; throws on a malformed one.
    func eventFilter() throws -> EventFilter {
        func list(_ text: String?) -> [String] {
            (text ?? "").split(separator: ",").map { String($0.trimmingWhitespace()) }.filter { !$0.isEmpty }
        }
        var filter = EventFilter()
        filter.includeTables = list(includeTables)
        filter.excludeTables = list(excludeTables)
        filter.excludeColumns = list(excludeColumns)
        for column in filter.excludeColumns where column.split(separator: ".", omittingEmptySubsequences: false).count != 3 {
            throw ValidationError("--exclude-columns takes schema.table.column names: \"\(column)\"")
        }
        if ops != nil {
            var operations = Set<EventFilter.Operation>()
            for name in list(ops) {
                guard let operation = EventFilter.Operation(rawValue: name) else {
                    throw ValidationError(
                        "--ops: unknown operation \"\(name)\" (\(EventFilter.Operation.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                operations.insert(operation)
            }
            if operations.isEmpty { throw ValidationError("--ops needs at least one operation") }
            filter.operations = operations
        }
        return filter
    }
}
