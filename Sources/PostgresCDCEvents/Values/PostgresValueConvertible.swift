import Foundation
import PGOutput

/// A Swift type a ``PostgresValue`` converts to with ``PostgresValue/as(_:)``.
public protocol PostgresValueConvertible {
    /// Converts `value`, or throws a ``PostgresValueError`` naming what did not fit.
    init(postgresValue value: PostgresValue) throws(PostgresValueError)
}

/// Why a value could not be converted to the Swift type asked for.
public enum PostgresValueError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The value is NULL; ask for an `Optional` to accept NULL.
    case null(expected: String)
    /// The value was not sent (an unchanged TOAST column of an update).
    case unchangedToast(expected: String)
    /// The value's kind does not convert to the type.
    case typeMismatch(value: PostgresValue, expected: String)
    /// The number does not fit the type.
    case outOfRange(value: PostgresValue, expected: String)
    /// The value is NaN or an infinity, which the type cannot hold.
    case notFinite(value: PostgresValue, expected: String)
    /// The table has no column of that name.
    case noSuchColumn(String, table: String)

    public var description: String {
        switch self {
        case let .null(expected): return "NULL cannot be converted to \(expected) (ask for \(expected)? to accept NULL)"
        case let .unchangedToast(expected): return "the value was not sent (unchanged TOAST), so there is no \(expected)"
        case let .typeMismatch(value, expected): return "\(value) cannot be converted to \(expected)"
        case let .outOfRange(value, expected): return "\(value) does not fit \(expected)"
        case let .notFinite(value, expected):
            return "\(value) is not a finite number, which \(expected) cannot hold (ask for Double or String)"
        case let .noSuchColumn(name, table): return "table \(table) has no column \"\(name)\""
        }
    }
}

extension PostgresValue {
    /// The value as `type`: `try row["id"].as(Int.self)`.
    public func `as`<T: PostgresValueConvertible>(_ type: T.Type = T.self) throws(PostgresValueError) -> T {
        try T(postgresValue: self)
    }

    /// An integer value that fits `T`, named `expected` in errors.
    func narrowedInteger<T: FixedWidthInteger>(_ expected: String) throws(PostgresValueError) -> T {
        let wide: Int64
        do {
            wide = try Int64(postgresValue: self)
        } catch {
            throw error.expecting(expected)
        }
        guard let number = T(exactly: wide) else { throw .outOfRange(value: self, expected: expected) }
        return number
    }

    /// Throws for NULL and unchanged TOAST, naming `expected`.
    func requirePresent(_ expected: String) throws(PostgresValueError) {
        if case .null = self { throw .null(expected: expected) }
        if case .unchangedToast = self { throw .unchangedToast(expected: expected) }
    }
}

extension Optional: PostgresValueConvertible where Wrapped: PostgresValueConvertible {
    public init(postgresValue value: PostgresValue) throws(PostgresValueError) {
        if case .null = value {
            self = nil
        } else {
            self = try Wrapped(postgresValue: value)
        }
    }
}

extension Int64: PostgresValueConvertible {
    public init(postgresValue value: PostgresValue) throws(PostgresValueError) {
        try value.requirePresent("Int64")
        switch value {
        case let .int(number): self = number
        case let .numeric(text): guard let number = Int64(text) else { throw .typeMismatch(value: value, expected: "Int64") }; self = number
        default: throw .typeMismatch(value: value, expected: "Int64")
        }
    }
}

extension PostgresValueConvertible where Self: FixedWidthInteger {
    /// An integer value that fits the type (a numeric one too); NULL, other kinds and values out of range throw.
    public init(postgresValue value: PostgresValue) throws(PostgresValueError) {
        self = try value.narrowedInteger("\(Self.self)")
    }
}

extension Int: PostgresValueConvertible {}

extension Int32: PostgresValueConvertible {}

extension Int16: PostgresValueConvertible {}

extension Double: PostgresValueConvertible {
    public init(postgresValue value: PostgresValue) throws(PostgresValueError) {
        try value.requirePresent("Double")
        switch value {
        case let .double(number): self = number
        case let .int(number): self = Double(number)
        case let .numeric(text):
            guard let number = Double(text) else { throw .typeMismatch(value: value, expected: "Double") }
            self = number
        default: throw .typeMismatch(value: value, expected: "Double")
        }
    }
}

extension Bool: PostgresValueConvertible {
    public init(postgresValue value: PostgresValue) throws(PostgresValueError) {
        try value.requirePresent("Bool")
        guard case let .bool(flag) = value else { throw .typeMismatch(value: value, expected: "Bool") }
        self = flag
    }
}

extension String: PostgresValueConvertible {
    /// Text, numeric, JSON and date values as PostgreSQL wrote them.
    public init(postgresValue value: PostgresValue) throws(PostgresValueError) {
        try value.requirePresent("String")
        switch value {
        case let .text(text), let .numeric(text), let .json(text), let .date(text): self = text
        default: throw .typeMismatch(value: value, expected: "String")
        }
    }
}

extension Array: PostgresValueConvertible where Element: PostgresValueConvertible {
    /// A PostgreSQL array (its elements converted one by one); for `bytea` ask for `[UInt8]`'s bytes with ``PostgresValue/bytes(_:)``.
    public init(postgresValue value: PostgresValue) throws(PostgresValueError) {
        try value.requirePresent("Array")
        switch value {
        case let .array(elements):
            var converted: [Element] = []
            converted.reserveCapacity(elements.count)
            for element in elements { converted.append(try Element(postgresValue: element)) }
            self = converted
        case let .bytes(bytes) where Element.self == UInt8.self:
            self = bytes.compactMap { $0 as? Element }  // Element is UInt8 here: nothing is dropped
        default:
            throw .typeMismatch(value: value, expected: "Array")
        }
    }
}

extension Int8: PostgresValueConvertible {}

extension UInt8: PostgresValueConvertible {}

extension UInt16: PostgresValueConvertible {}

extension UInt32: PostgresValueConvertible {}

extension UInt64: PostgresValueConvertible {}

extension UInt: PostgresValueConvertible {}

extension Float: PostgresValueConvertible {
    /// `float4` exactly; a `float8` or `numeric` rounded to the nearest `Float`.
    public init(postgresValue value: PostgresValue) throws(PostgresValueError) {
        do {
            self = Float(try Double(postgresValue: value))
        } catch {
            throw error.expecting("Float")
        }
    }
}

extension PostgresTimestamp: PostgresValueConvertible {
    /// `timestamptz` and `timestamp` (read as UTC).
    public init(postgresValue value: PostgresValue) throws(PostgresValueError) {
        try value.requirePresent("PostgresTimestamp")
        switch value {
        case let .timestamptz(timestamp), let .timestamp(timestamp): self = timestamp
        default: throw .typeMismatch(value: value, expected: "PostgresTimestamp")
        }
    }
}

extension Date: PostgresValueConvertible {
    /// `timestamptz` and `timestamp` (read as UTC) to the microsecond, and `date` (midnight UTC).
    public init(postgresValue value: PostgresValue) throws(PostgresValueError) {
        let timestamp: PostgresTimestamp
        if case let .date(text) = value {
            // The date's midnight, through the one timestamp parser; BC dates and infinities do not parse.
            guard let micros = PostgresValue.microsecondsSince2000(Array((text + " 00:00:00").utf8)[...], zone: false) else {
                throw .typeMismatch(value: value, expected: "Date")
            }
            timestamp = PostgresTimestamp(microsecondsSince2000: micros)
        } else {
            do {
                timestamp = try PostgresTimestamp(postgresValue: value)
            } catch {
                throw error.expecting("Date")
            }
        }
        self = Date(timeIntervalSince1970: Double(timestamp.unixMicroseconds) / 1e6)
    }
}

extension PostgresValueError {
    /// The same error naming `type` as the type asked for (a conversion built on another type's).
    func expecting(_ type: String) -> PostgresValueError {
        switch self {
        case .null: return .null(expected: type)
        case .unchangedToast: return .unchangedToast(expected: type)
        case let .typeMismatch(value, _): return .typeMismatch(value: value, expected: type)
        case let .outOfRange(value, _): return .outOfRange(value: value, expected: type)
        case let .notFinite(value, _): return .notFinite(value: value, expected: type)
        case .noSuchColumn: return self
        }
    }
}
