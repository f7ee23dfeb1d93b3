import PGOutput

/// What ``Row`` and ``ResolvedRow`` share: a table's columns, looked up by name or position, and
/// the values the change carries. Code that takes `some RowValues` reads either.
///
/// ```swift
/// let id = try change.resolved?["id"].as(Int.self)       // or change.new?["id"]
/// for (name, value) in change.resolved?.presentColumns ?? [] { print(name, value) }
/// ```
///
/// A column the change does not carry (``isPresent(_:)`` is `false`: an unchanged TOAST value,
/// a non-key column of an old key) reads as ``PostgresValue/unchangedToast`` or is left out of
/// ``presentColumns``; it is never NULL.
public protocol RowValues: Sendable {
    /// The table.
    var relation: Relation { get }
    /// Whether column `index` has its value (possibly NULL).
    func isPresent(_ index: Int) -> Bool
    /// The typed value of column `index`; ``PostgresValue/unchangedToast`` for a value the change
    /// does not carry.
    func value(at index: Int) -> PostgresValue
    /// Column `index` in PostgreSQL's text form (ready to bind as a text parameter); `nil` for NULL
    /// and for a value the change does not carry.
    func text(at index: Int) -> String?
}

extension RowValues {
    /// The typed value of the column named `name`; `nil` when the table has no such column.
    public subscript(column name: String) -> PostgresValue? {
        relation.columnIndex(named: name).map { value(at: $0) }
    }

    /// The column named `name`, to convert: `try row["id"].as(Int.self)`.
    public subscript(_ name: String) -> ColumnField {
        let index = relation.columnIndex(named: name)
        return ColumnField(
            name: name, table: relation.description, value: index.map { value(at: $0) },
            isPresent: index.map { isPresent($0) } ?? false)
    }

    /// Whether the column named `name` has its value in this row (possibly NULL); `false` for a
    /// column the change does not carry and for a name the table does not have.
    public func isPresent(column name: String) -> Bool {
        relation.columnIndex(named: name).map { isPresent($0) } ?? false
    }

    /// Every value the row carries, in column order, by column name: what an update of the stored
    /// row may set. Columns a filter leaves out and values the change does not carry are not listed.
    public var presentColumns: [(name: String, value: PostgresValue)] {
        relation.columns.indices.compactMap { index in
            guard !relation.isOmitted(index), isPresent(index) else { return nil }
            return (relation.columns[index].name, value(at: index))
        }
    }
}

/// A column of a row, looked up by name (``RowValues/subscript(_:)``); converting it throws when
/// the table has no such column or the change does not carry its value.
public struct ColumnField: Sendable {
    /// The column name asked for.
    public let name: String
    /// The table, `schema.table`.
    public let table: String
    /// The value, or `nil` when the table has no such column; ``PostgresValue/unchangedToast`` when
    /// the change does not carry it.
    public let value: PostgresValue?
    /// Whether the row has the column's value (possibly NULL).
    public let isPresent: Bool

    /// The value converted to `type`; throws ``PostgresValueError`` for a missing column, NULL
    /// (unless `type` is an `Optional`), a value the change does not carry, or a value of another kind.
    public func `as`<T: PostgresValueConvertible>(_ type: T.Type = T.self) throws(PostgresValueError) -> T {
        guard let value else { throw .noSuchColumn(name, table: table) }
        return try value.as(type)
    }
}

extension Row: RowValues {}
extension ResolvedRow: RowValues {}
