import Foundation

/// A `Decoder` over one column value: a single value converted by ``PostgresValueConvertible``,
/// a `json`/`jsonb` document decoded by `JSONDecoder`, or an array's elements.
struct ColumnDecoder: Decoder, SingleValueDecodingContainer {
    let value: PostgresValue
    let codingPath: [any CodingKey]
    /// The column and its table, for messages.
    let column: String
    let table: String

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        throw DecodingError.typeMismatch(
            [String: Any].self,
            context("holds \(value), not a JSON object; a type with properties decodes from a json or jsonb column"))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case let .array(elements) = value else {
            throw DecodingError.typeMismatch([Any].self, context("holds \(value), not an array"))
        }
        return ColumnElementsContainer(elements: elements, decoder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        self
    }

    func decodeNil() -> Bool {
        value == .null
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try decodeValue(type)
    }

    func decode(_ type: Bool.Type) throws -> Bool { try decodeValue(type) }
    func decode(_ type: String.Type) throws -> String { try decodeValue(type) }
    func decode(_ type: Double.Type) throws -> Double { try decodeValue(type) }
    func decode(_ type: Float.Type) throws -> Float { try decodeValue(type) }
    func decode(_ type: Int.Type) throws -> Int { try decodeValue(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decodeValue(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decodeValue(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decodeValue(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decodeValue(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try decodeValue(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decodeValue(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decodeValue(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decodeValue(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decodeValue(type) }

    /// The value as `T`: through its ``PostgresValueConvertible`` conversion when it has one,
    /// from the JSON text of a `json`/`jsonb` column, else by `T`'s own `init(from:)` (a
    /// `RawRepresentable` enum, say, asks for a `String`).
    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if case let .json(text) = value, type != String.self {
            do {
                return try JSONDecoder().decode(type, from: Data(text.utf8))
            } catch {
                throw DecodingError.dataCorrupted(context("holds JSON that does not decode as \(type): \(error)", underlying: error))
            }
        }
        if let convertible = type as? any PostgresValueConvertible.Type {
            let converted: any PostgresValueConvertible
            do {
                converted = try convertible.init(postgresValue: value)
            } catch {
                throw decodingError(error, type)
            }
            if let typed = converted as? T { return typed }
        }
        return try T(from: self)
    }

    /// A conversion's error as the `DecodingError` a `Decodable` caller expects, naming the column.
    private func decodingError(_ error: PostgresValueError, _ type: Any.Type) -> DecodingError {
        switch error {
        case .null:
            return .valueNotFound(type, context("is NULL; declare the property Optional to accept NULL"))
        case .unchangedToast:
            return .valueNotFound(type, context("was not sent (an unchanged TOAST value)"))
        case .typeMismatch, .outOfRange, .notFinite, .noSuchColumn:
            return .typeMismatch(type, context(error.description))
        }
    }

    /// A context naming the column: `column "x" of public.t <problem>` (a colon before a sentence
    /// that does not follow on).
    func context(_ problem: String, underlying: (any Error)? = nil) -> DecodingError.Context {
        let path = codingPath.count > 1 ? " (element \(codingPath.dropFirst().map(\.stringValue).joined(separator: ".")))" : ""
        let joint = problem.hasPrefix("is ") || problem.hasPrefix("was ") || problem.hasPrefix("holds ") ? " " : ": "
        return DecodingError.Context(
            codingPath: codingPath, debugDescription: "column \"\(column)\" of \(table)\(path)\(joint)\(problem)",
            underlyingError: underlying)
    }

    /// A decoder for element `index` of this array value.
    func element(_ value: PostgresValue, at index: Int) -> ColumnDecoder {
        ColumnDecoder(value: value, codingPath: codingPath + [ElementKey(index)], column: column, table: table)
    }
}

/// The coding key of an array element: its 0-based index.
struct ElementKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "\(intValue ?? 0)" }

    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}
