/// A `Decoder` over one row: the keyed container's keys are the columns (named by a
/// ``ColumnKeyStrategy``), each value decoded by a ``ColumnDecoder``.
struct RowDecoder: Decoder {
    let columns: DecodableColumns
    let keys: ColumnKeyStrategy
    /// Per column, the property name it answers to.
    let propertyNames: [String]

    init(columns: DecodableColumns, keys: ColumnKeyStrategy) {
        self.columns = columns
        self.keys = keys
        self.propertyNames = columns.relation.columns.map { keys.propertyName(forColumn: $0.name) }
    }

    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(RowContainer<Key>(decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw notKeyed("an array")
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        throw notKeyed("a single value")
    }

    private func notKeyed(_ shape: String) -> DecodingError {
        DecodingError.typeMismatch(
            [String: Any].self,
            DecodingError.Context(
                codingPath: [],
                debugDescription: "a row of \(columns.tableName) decodes into a type with properties (a struct or class), not \(shape)"))
    }

    /// The index of the column `key` reads.
    func columnIndex(for key: some CodingKey) -> Int? {
        propertyNames.firstIndex(of: key.stringValue)
    }

    /// The value of the column `key` reads; throws `keyNotFound` for a column the row does not
    /// have and `valueNotFound` for an unchanged TOAST value.
    func value(for key: some CodingKey, as type: Any.Type = Any.self) throws -> (value: PostgresValue, column: String) {
        guard let index = columnIndex(for: key) else {
            throw DecodingError.keyNotFound(
                key,
                DecodingError.Context(
                    codingPath: [],
                    debugDescription: "\(columns.tableName) has no column \"\(keys.columnName(forProperty: key.stringValue))\""
                        + (keys == .convertFromSnakeCase ? " (property \(key.stringValue), with convertFromSnakeCase)" : "")))
        }
        let column = columns.relation.columns[index].name
        switch columns.lookup(index) {
        case let .value(value):
            return (value, column)
        case .absent:
            throw DecodingError.keyNotFound(
                key,
                DecodingError.Context(
                    codingPath: [],
                    debugDescription: "column \"\(column)\" of \(columns.tableName) is not in this row"
                        + " (an old key holds only the replica-identity columns; a filter may leave columns out)"))
        case .unchangedToast:
            let advice =
                columns.isResolved
                ? "the old row does not hold it either (REPLICA IDENTITY FULL makes it send the value)"
                : "decode RowChange.resolved, which takes the value from the old row where it has it"
            throw DecodingError.valueNotFound(
                type,
                DecodingError.Context(
                    codingPath: [key],
                    debugDescription: "column \"\(column)\" of \(columns.tableName) was not sent: its TOASTed value did not change"
                        + " in this update; \(advice), or leave the property out of the type so that the stored value is kept"
                        + " (reading it as nil would store NULL over it)"))
        }
    }

    /// A decoder for the value of the column `key` reads.
    func columnDecoder(for key: some CodingKey, as type: Any.Type = Any.self) throws -> ColumnDecoder {
        let (value, column) = try value(for: key, as: type)
        return ColumnDecoder(value: value, codingPath: [key], column: column, table: columns.tableName)
    }
}
