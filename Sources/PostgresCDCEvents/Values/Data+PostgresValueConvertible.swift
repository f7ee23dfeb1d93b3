import Foundation

extension Data: PostgresValueConvertible {
    /// A `bytea` column's bytes.
    public init(postgresValue value: PostgresValue) throws(PostgresValueError) {
        try value.requirePresent("Data")
        guard case let .bytes(bytes) = value else { throw .typeMismatch(value: value, expected: "Data") }
        self = Data(bytes)
    }
}
