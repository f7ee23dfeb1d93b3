import Foundation

extension UUID: PostgresValueConvertible {
    /// A `uuid` column (or text holding a UUID).
    public init(postgresValue value: PostgresValue) throws(PostgresValueError) {
        try value.requirePresent("UUID")
        guard case let .text(text) = value, let uuid = UUID(uuidString: text) else { throw .typeMismatch(value: value, expected: "UUID") }
        self = uuid
    }
}
