import Foundation

/// A JSON value of any shape: the contents of a `json` or `jsonb` column when no `Decodable` type
/// describes them (`try row["payload"].as(JSONValue.self)`, or a `JSONValue` property of a row type).
///
/// Numbers are `Double`s, so integers beyond 2^53 lose precision; decode a type with an `Int64`
/// or `Decimal` property for those.
public enum JSONValue: Codable, Hashable, Sendable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number.
    case number(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object.
    case object([String: JSONValue])

    /// Decodes whichever JSON value the decoder holds.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let elements = try? container.decode([JSONValue].self) {
            self = .array(elements)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Encodes the value as the JSON it is.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case let .bool(flag): try container.encode(flag)
        case let .number(number): try container.encode(number)
        case let .string(text): try container.encode(text)
        case let .array(elements): try container.encode(elements)
        case let .object(members): try container.encode(members)
        }
    }
}

extension JSONValue: PostgresValueConvertible {
    /// A `json` or `jsonb` column's document.
    public init(postgresValue value: PostgresValue) throws(PostgresValueError) {
        try value.requirePresent("JSONValue")
        guard case let .json(text) = value, let parsed = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else {
            throw .typeMismatch(value: value, expected: "JSONValue")
        }
        self = parsed
    }
}
