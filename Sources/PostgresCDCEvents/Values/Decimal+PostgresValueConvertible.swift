import Foundation

extension Decimal: PostgresValueConvertible {
    /// `numeric` exactly, from PostgreSQL's text (and integers). NaN and the infinities throw
    /// ``PostgresValueError/notFinite(value:expected:)``; a numeric with more significant digits
    /// than `Decimal` holds (38) throws ``PostgresValueError/outOfRange(value:expected:)`` rather
    /// than rounding.
    public init(postgresValue value: PostgresValue) throws(PostgresValueError) {
        try value.requirePresent("Decimal")
        switch value {
        case let .int(number):
            self = Decimal(number)
        case let .numeric(text):
            if text == "NaN" || text == "Infinity" || text == "-Infinity" { throw .notFinite(value: value, expected: "Decimal") }
            guard let number = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else {
                throw .typeMismatch(value: value, expected: "Decimal")
            }
            // Decimal(string:) rounds silently past 38 digits; its description is then not the text.
            guard number.description == Self.withoutTrailingZeros(text) else { throw .outOfRange(value: value, expected: "Decimal") }
            self = number
        default:
            throw .typeMismatch(value: value, expected: "Decimal")
        }
    }

    /// `1.500` → `1.5`, `2.000` → `2`: the numeric's text as `Decimal` describes the same number.
    private static func withoutTrailingZeros(_ text: String) -> Substring {
        guard text.contains(".") else { return text[...] }
        var trimmed = text[...]
        while trimmed.last == "0" { trimmed = trimmed.dropLast() }
        if trimmed.last == "." { trimmed = trimmed.dropLast() }
        return trimmed == "-0" ? "0" : trimmed
    }
}
